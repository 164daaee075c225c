// The headline's words: the status and its most severe reason, Unknown when stale or unloadable,
// and never a status better than the file's own reasons.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { de } from '../../site/i18n/de.ts';
import { en } from '../../site/i18n/en.ts';
import type { PublishedStatus, Reason } from '../../shared/contract.ts';
import { charterStates } from '../../shared/contract.ts';
import { charterStateText, describeHeadline, reasonText, runStatusTone, withoutRepeats } from '../../site/lib/describe-status.ts';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/snapshots/${name}.json`, import.meta.url), 'utf8')) as PublishedStatus;
const now = Date.parse('2026-11-21T12:00:40.000Z');
const english = { m: en, timeZone: 'UTC' };
const reason = (severity: Reason['severity'], text: string): Reason => ({ code: 'charter_failing', severity, charterId: null, since: null, text });

describe('describeHeadline', () => {
  it('leads with the most severe reason and lists the others', () => {
    const degraded = read('degraded');
    const headline = describeHeadline(degraded, now, false, false, english);
    expect(headline).toMatchObject({ word: 'Degraded', tone: 'warn', detail: degraded.reasons![0]!.text });
    expect(headline.reasons).toEqual(degraded.reasons!.slice(1));
  });

  it("leads with the most severe reason, each at its code's severity, whatever order and severity the file gives them", () => {
    const current = read('failing');
    const [exhausted, , charterFailing] = current.reasons!;
    const notice = { code: 'charter_no_runs', severity: 'notice', charterId: null, since: null, text: 'Archive has no recorded runs.' } as const;
    const misordered = { ...current, reasons: [notice, charterFailing!, exhausted!] };
    const led = describeHeadline(misordered, now, false, false, english);
    expect(led).toMatchObject({ word: 'Failing', detail: exhausted!.text });
    expect(led.reasons.map((reason) => reason.code)).toEqual(['charter_failing', 'charter_no_runs']);
    const understated = { ...read('healthy'), reasons: [{ code: 'funding_ends_soon', severity: 'notice', charterId: null, since: null, text: 'The balance pays for about 3 more runs.' } as const] };
    const headline = describeHeadline(understated, now, false, false, english);
    expect(headline).toMatchObject({ word: 'Degraded', detail: 'The file says Healthy, but its own details say otherwise: see the charters and credits below.' });
    expect(headline.reasons.map((reason) => reason.severity)).toEqual(['degraded']);
  });

  it('says a fact once: no credits left makes "pays for no more runs" a repeat, left out', () => {
    // this worker no longer writes both (shared/reasons.ts); a file of an earlier worker still may
    const current = read('failing');
    expect(current.reasons!.map((reason) => reason.code)).not.toContain('funding_ends_soon');
    const repeat = { code: 'funding_ends_soon', severity: 'degraded', charterId: null, since: null, text: 'The balance pays for no more runs.' } as const;
    const failing = { ...current, reasons: [...current.reasons!, repeat] };
    const headline = describeHeadline(failing, now, false, false, english);
    expect(headline).toMatchObject({ word: 'Failing', tone: 'bad', detail: failing.reasons[0]!.text });
    expect(headline.reasons).toEqual(current.reasons!.slice(1));
    // with credits left, the funding forecast is news of its own
    const degraded = read('degraded');
    expect(degraded.reasons!.map((reason) => reason.code)).toContain('funding_ends_soon');
    expect(withoutRepeats(degraded.reasons!)).toEqual(degraded.reasons);
  });

  it('says healthy in words that hold, and lists its notices', () => {
    const healthy = read('healthy');
    const headline = describeHeadline(healthy, now, false, false, english);
    expect(headline).toMatchObject({ word: 'Healthy', tone: 'good', detail: 'The charters that run do so on schedule; see the notices below.' });
    expect(headline.reasons).toEqual(healthy.reasons);
    const clean = { ...healthy, charters: healthy.charters.filter((charter) => charter.state === 'ok'), reasons: [] };
    expect(describeHeadline(clean, now, false, false, english).detail).toBe('Charters run on schedule and credits are sufficient.');
  });

  it("says what the file claims when its details are worse, and lists every reason under it, the notices too", () => {
    const healthy = read('healthy');
    const broke = { ...healthy, credits: { ...healthy.credits, balance: '0', health: 'red' as const } };
    const headline = describeHeadline(broke, now, false, false, english);
    expect(headline).toMatchObject({ word: 'Failing', tone: 'bad', detail: 'The file says Healthy, but its own details say otherwise: see the charters and credits below.' });
    expect(headline.reasons).toEqual(healthy.reasons);
    // a file whose reasons explain its status keeps the most severe one as the headline's words
    const failing = read('failing');
    expect(describeHeadline(failing, now, false, false, english).detail).toBe(failing.reasons![0]!.text);
  });

  it('never says charters run on schedule when every charter is paused or has never run, or there are none', () => {
    const healthy = read('healthy');
    const idle = {
      ...healthy,
      charters: healthy.charters.map((charter, index) => ({ ...charter, state: index % 2 ? ('paused' as const) : ('no_runs' as const) })),
    };
    const headline = describeHeadline(idle, now, false, false, english);
    expect(headline).toMatchObject({ word: 'Healthy', detail: 'No charter runs on a schedule: see the notices below.' });
    expect(headline.detail).not.toContain('run on schedule');
    expect(describeHeadline({ ...healthy, charters: [], chartersTotal: 0, reasons: [] }, now, false, false, english).detail).toBe('No charters are scheduled.');
    // the listed charters are all idle, but more exist than are listed: those may be running
    expect(describeHeadline({ ...idle, chartersTotal: idle.charters.length + 50 }, now, false, false, english).detail).toBe(
      'The charters that run do so on schedule; see the notices below.',
    );
  });

  it('never says charters run on schedule when a schedule is broken or, in a file without states, every last run failed', () => {
    const clean = { ...read('healthy'), reasons: [] };
    const brokenCron = { ...clean, charters: clean.charters.map((charter, index) => (index === 1 ? { ...charter, scheduleError: 'invalid_cron' as const } : charter)) };
    expect(describeHeadline(brokenCron, now, false, false, english)).toMatchObject({
      word: 'Degraded',
      detail: 'The file says Healthy, but its own details say otherwise: see the charters and credits below.',
    });
    const lastFailed = { status: 'error' as const, scheduledFor: clean.generatedAt, finishedAt: clean.generatedAt };
    const stateless = { ...clean, reasons: undefined, charters: clean.charters.map(({ state: _, ...charter }) => ({ ...charter, lastRun: lastFailed })) };
    const headline = describeHeadline(stateless, now, false, false, english);
    expect(headline).toMatchObject({ word: 'Failing', detail: 'The file says Healthy, but its own details say otherwise: see the charters and credits below.' });
    // a healthy file without states or reasons whose charters are all disabled: none runs
    const disabled = { ...stateless, charters: stateless.charters.map((charter) => ({ ...charter, enabled: false, lastRun: null })) };
    expect(describeHeadline(disabled, now, false, false, english)).toMatchObject({ word: 'Healthy', detail: 'No charter runs on a schedule: see the notices below.' });
  });

  it('says Unknown, neutral, with the last known status and its age, once stale', () => {
    const headline = describeHeadline(read('failing'), Date.parse('2026-11-21T12:14:31.000Z'), true, false, english);
    expect(headline).toMatchObject({ word: 'Unknown', tone: 'neutral', detail: 'last known: Failing, 14 minutes ago' });
    expect(headline.reasons).toEqual(withoutRepeats(read('failing').reasons!));
  });

  it('says Loading before any data, and Unknown when the first load failed', () => {
    expect(describeHeadline(null, now, false, false, english)).toMatchObject({ word: 'Loading', tone: 'neutral' });
    expect(describeHeadline(null, now, false, true, english)).toMatchObject({ word: 'Unknown', detail: 'The status could not be loaded.' });
  });

  it('reads a file of the first release by the status it carries', () => {
    expect(describeHeadline(read('legacy-v1'), now, false, false, english)).toEqual({
      word: 'Degraded',
      label: 'Degraded',
      tone: 'warn',
      detail: 'Something needs attention: see the details below.',
      reasons: [],
    });
  });
});

describe('reasonText, in a locale that words reasons itself', () => {
  const german = { m: de, timeZone: 'UTC' };

  it('gives the runway the credits panel shows, recomputed, not the one the file states', () => {
    const healthy = read('healthy');
    // 1e10 credits, spending 2.4e11 a day: one hour left, whatever the file states
    const credits = { ...healthy.credits, balance: '10000000000', spentLast24h: '240000000000', runwayHours: 2756.2 };
    const critical = { code: 'runway_critical', severity: 'failing', charterId: null, since: null, text: 'x' } as const;
    const text = reasonText(critical, { ...healthy, credits }, german);
    expect(text).toBe('Das Guthaben des Systemkontos reicht beim aktuellen Verbrauch noch etwa 1 Stunde.');
  });

  it("words the runway's hours in the locale's plural and decimals", () => {
    const healthy = read('healthy');
    // 1.5e10 credits at 2.4e11 a day: an hour and a half left
    const credits = { ...healthy.credits, balance: '15000000000', spentLast24h: '240000000000', runwayHours: 1.5 };
    const low = { code: 'runway_critical', severity: 'failing', charterId: null, since: null, text: 'x' } as const;
    expect(reasonText(low, { ...healthy, credits }, german)).toBe('Das Guthaben des Systemkontos reicht beim aktuellen Verbrauch noch etwa 1,5 Stunden.');
  });

  it("puts a charter's name into its sentence without the bidi controls that would turn the words after it", () => {
    const failing = read('failing');
    const charter = failing.charters[0]!;
    const renamed = { ...failing, charters: [{ ...charter, name: 'Eng\u202eineering\u2067' }, ...failing.charters.slice(1)] };
    const reason = { code: 'charter_failing', severity: 'degraded', charterId: charter.id!, since: null, text: 'x' } as const;
    const text = reasonText(reason, renamed, german);
    expect(text).toMatch(/^Die Läufe von Engineering schlagen fehl/);
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('charterStateText', () => {
  it("gives every state words and the tone of its reason's severity: degraded is a warning, never red", () => {
    expect(Object.fromEntries(charterStates.map((state) => [state, charterStateText(state, en)]))).toEqual({
      paused: { label: 'Paused', tone: 'neutral' },
      invalid_schedule: { label: 'Schedule broken', tone: 'warn' },
      no_runs: { label: 'No recorded runs', tone: 'neutral' },
      missed: { label: 'Missed runs', tone: 'warn' },
      stuck: { label: 'Stuck', tone: 'warn' },
      failing: { label: 'Failing', tone: 'warn' },
      skipped: { label: 'Skipped', tone: 'warn' },
      recovering: { label: 'Recovering', tone: 'warn' },
      running: { label: 'Running', tone: 'good' },
      ok: { label: 'OK', tone: 'good' },
    });
    // a failed run in a card is no redder than its charter
    expect(runStatusTone.error).toBe('warn');
  });
});
