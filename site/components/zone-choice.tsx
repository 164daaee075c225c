// The reader's choice of zone for every time on the page: their own (the default) or UTC, kept in
// localStorage. The reader's own zone is the default because a time is read against the reader's
// day ("is the next run before my lunch?"); every time names its zone, so it is never a guess, and
// UTC, the zone of the JSON and of the days, is one choice away.
import { useEffect, useState } from 'react';
import { fill } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';

const key = 'governance-status.time-zone';

/** The zone times are shown in: 'UTC', or undefined for the reader's own. Read after hydration: the built HTML cannot know it. */
export function useTimeZone(): [string | undefined, (zone: string | undefined) => void] {
  const [zone, setZone] = useState<string | undefined>(undefined);
  useEffect(() => {
    try {
      if (localStorage.getItem(key) === 'UTC') setZone('UTC');
    } catch {
      // storage refused (a privacy setting): the choice lasts as long as the page
    }
  }, []);
  const choose = (next: string | undefined) => {
    setZone(next);
    try {
      if (next) localStorage.setItem(key, next);
      else localStorage.removeItem(key);
    } catch {
      // as above
    }
  };
  return [zone, choose];
}

/** The reader's zone by its short name ("EST"), for the choice's words. */
const ownZone = (locale: string) =>
  new Intl.DateTimeFormat(locale, { timeZoneName: 'short' }).formatToParts(0).find((part) => part.type === 'timeZoneName')?.value ?? '';

export function ZoneChoice({ m, zone, onChange }: { m: Messages; zone: string | undefined; onChange: (zone: string | undefined) => void }) {
  // The built HTML names no zone: the reader's is known only in the browser.
  const [own, setOwn] = useState('');
  useEffect(() => setOwn(ownZone(m.locale)), [m.locale]);
  return (
    <p className="zone-choice">
      <label>
        {m.zone.label}{' '}
        <select value={zone ?? 'local'} onChange={(event) => onChange(event.target.value === 'UTC' ? 'UTC' : undefined)} data-testid="time-zone">
          <option value="local">{fill(m.zone.local, { zone: own })}</option>
          <option value="UTC">{m.zone.utc}</option>
        </select>
      </label>
    </p>
  );
}
