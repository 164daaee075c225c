// The reader's choice of zone for every time on the page: their own (the default) or UTC, kept in
// localStorage. The reader's own zone is the default because a time is read against the reader's
// day ("is the next run before my lunch?"); every time names its zone, so it is never a guess, and
// UTC, the zone of the JSON and of the days, is one choice away.
import { useEffect, useState } from 'react';
import { fill } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';
import { formatLocalTime } from '../lib/format-time.ts';

const key = 'governance-status.time-zone';

/** localStorage, which a privacy setting may refuse: then the choice lasts as long as the page. */
function remembered(change?: string | null): string | null {
  try {
    if (change === undefined) return localStorage.getItem(key);
    if (change === null) localStorage.removeItem(key);
    else localStorage.setItem(key, change);
  } catch {}
  return null;
}

/** The zone times are shown in: 'UTC', or undefined for the reader's own. Read after hydration: the built HTML cannot know it. */
export function useTimeZone(): [string | undefined, (zone: string | undefined) => void] {
  const [zone, setZone] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (remembered() === 'UTC') setZone('UTC');
  }, []);
  const choose = (next: string | undefined) => {
    setZone(next);
    remembered(next ?? null);
  };
  return [zone, choose];
}

/** The reader's zone by its short name ("EST"): the last word of a time formatted in it. */
const ownZone = (locale: string) => formatLocalTime(Date.now(), { locale }).split(' ').pop()!;

export function ZoneChoice({ m, zone, onChange }: { m: Messages; zone: string | undefined; onChange: (zone: string | undefined) => void }) {
  // The built HTML names no zone: the reader's is known only in the browser. Asked in a task of its
  // own: the page's first date format loads the browser's locale data, tens of milliseconds on a phone.
  const [own, setOwn] = useState('');
  useEffect(() => {
    const ask = setTimeout(() => setOwn(ownZone(m.locale)), 0);
    return () => clearTimeout(ask);
  }, [m.locale]);
  // On the freshness line, where a phone has room for the choice but not for a visible label as well.
  return (
    <select
      className="zone-choice"
      aria-label={m.zone.label}
      title={m.zone.label}
      value={zone ?? 'local'}
      onChange={(event) => onChange(event.target.value === 'UTC' ? 'UTC' : undefined)}
      data-testid="time-zone"
    >
      <option value="local">{own ? fill(m.zone.local, { zone: own }) : m.zone.own}</option>
      <option value="UTC">{m.zone.utc}</option>
    </select>
  );
}
