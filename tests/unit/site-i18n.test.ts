// The page's words by locale: placeholders, plurals by the locale's rules, and every figure, date
// and duration in the page's locale, not the reader's browser's.
import { describe, expect, it } from 'vitest';
import type { Forecast, PublishedStatus } from '../../shared/contract.ts';
import { limits, reasonCodes } from '../../shared/constants.ts';
import { de } from '../../site/i18n/de.ts';
import { en } from '../../site/i18n/en.ts';
import { fill, formatNumber, plural } from '../../site/i18n/fill.ts';
import { describeUptime, formatUptimeIn } from '../../site/lib/describe-history.ts';
import { describeCounts } from '../../site/lib/describe-runs.ts';
import { describeFunding, describeHeadline, reasonText } from '../../site/lib/describe-status.ts';
import { formatCredits, formatRunway, formatUsd } from '../../site/lib/format-credits.ts';
import { formatAgo, formatCountdown, formatDay, formatLasting, formatLocalTime, formatWeekdayTime } from '../../site/lib/format-time.ts';
import { formatAge } from '../../site/lib/staleness.ts';
import { readFileSync } from 'node:fs';

const now = Date.parse('2026-11-21T12:00:00.000Z');
const read = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/snapshots/${name}.json`, import.meta.url), 'utf8')) as PublishedStatus;

describe('fill', () => {
  it('puts values into named placeholders, each as often as it appears', () => {
    expect(fill('{count} of {total}', { count: 3, total: 4 })).toBe('3 of 4');
    expect(fill('{a}{a} {b}', { a: 'x', b: 10n })).toBe('xx 10');
  });

  it('leaves a placeholder without a value as written, and never reads inherited keys', () => {
    expect(fill('{count} runs', {})).toBe('{count} runs');
    expect(fill('{constructor}', {})).toBe('{constructor}');
    // a value is text, never a template of its own
    expect(fill('{name}', { name: '{name} {x}' })).toBe('{name} {x}');
  });
});

describe('plural', () => {
  const runs = { one: '{count} run', other: '{count} runs' };
  const läufe = { one: '{count} Lauf', other: '{count} Läufe' };

  it("chooses the form by the locale's plural rules, with the count in its grouping", () => {
    expect([0, 1, 2, 1240].map((count) => plural('en', runs, count))).toEqual(['0 runs', '1 run', '2 runs', '1,240 runs']);
    expect([0, 1, 2, 1240].map((count) => plural('de', läufe, count))).toEqual(['0 Läufe', '1 Lauf', '2 Läufe', '1.240 Läufe']);
    // French counts 0 as "one": the rules are the locale's, not English's
    expect(plural('fr', { one: '{count} exécution', other: '{count} exécutions' }, 0)).toBe('0 exécution');
  });

  it('takes bigints beyond 2^53 exactly, and other values', () => {
    expect(plural('en', runs, 123456789012345678901n)).toBe('123,456,789,012,345,678,901 runs');
    expect(plural('en', runs, 1n)).toBe('1 run');
    expect(plural('en', { one: '{count} run{until}', other: '{count} runs{until}' }, 2, { until: ', until then' })).toBe('2 runs, until then');
    expect(formatNumber('de', 1234567.5)).toBe('1.234.567,5');
  });
});

describe('German formats', () => {
  it('durations, ages and countdowns in German units and numbers', () => {
    expect(formatLasting(3 * 3600 + 10 * 60, de)).toBe('3 h 10 min');
    expect(formatLasting(86400 + 59, de)).toBe('1 T');
    expect(formatCountdown(now + 252_000, now, de)).toBe('in 4 min 12 s');
    expect(formatCountdown(now, now, de)).toBe('jetzt fällig');
    expect(formatAgo(now - 3 * 3_600_000, now, de)).toBe('vor 3 h');
    expect(formatAgo(now, now, de)).toBe('gerade eben');
    expect(formatAge('2026-11-19T12:00:00.000Z', now, de)).toBe('2 Tage');
    expect(formatAge('2026-11-21T11:59:00.000Z', now, de)).toBe('1 Minute');
  });

  it('credits, dollars, runways, counts and uptimes in German', () => {
    expect(formatCredits('1600000000', de)).toBe('1.600.000.000 Credits');
    expect(formatCredits('1', de)).toBe('1 Credit');
    expect(formatUsd('18750.00', 'de')).toBe('18.750,00\u00a0$');
    expect(formatRunway(12.9, de)).toBe('etwa 12 Stunden übrig');
    expect(formatRunway(1.5, de)).toBe('etwa 1 Stunde übrig');
    expect(describeCounts({ expected: 1440, succeeded: 1200, failed: 200, skipped: 0, missed: 9 }, de)).toBe('1.200 von 1.440 erfolgreich, 200 fehlgeschlagen, 9 verpasst');
    expect(formatUptimeIn({ succeeded: 2813, judged: 2832 }, 'de')).toBe('99,3\u00a0%');
    expect(formatUptimeIn({ succeeded: 2813, judged: 2832 }, 'en')).toBe('99.3\u00a0%');
    expect(formatUptimeIn({ succeeded: 12, judged: 12 }, 'de')).toBe('100\u00a0%');
  });

  it('days as the locale writes them (English keeps ISO dates), times with their zone named', () => {
    expect(formatDay('2026-11-02', de)).toBe('02.11.2026');
    expect(formatDay('2026-11-02', en)).toBe('2026-11-02');
    const at = Date.parse('2026-11-21T12:05:00.000Z');
    expect(formatLocalTime(at, { locale: 'de', timeZone: 'Europe/Berlin' })).toBe('21. Nov., 13:05 MEZ');
    expect(formatLocalTime(at, { locale: 'de', timeZone: 'UTC' })).toBe('21. Nov., 12:05 UTC');
    expect(formatLocalTime(at, { locale: 'en', timeZone: 'UTC' })).toBe('Nov 21, 12:05 UTC');
    expect(formatWeekdayTime(Date.parse('2026-11-22T04:30:00.000Z'), now, { locale: 'en', timeZone: 'UTC' })).toBe('Sun, 04:30 UTC');
    expect(formatWeekdayTime(Date.parse('2026-12-01T14:15:00.000Z'), now, { locale: 'de', timeZone: 'UTC' })).toBe('Di., 1. Dez., 14:15 UTC');
  });
});

describe('reasons by locale', () => {
  it('every locale words every reason code, or shows the JSON text (English)', () => {
    expect(en.reasons).toBe('json');
    expect(Object.keys(de.reasons).sort()).toEqual([...reasonCodes].sort());
  });

  it('English shows the worker\'s text; German words each reason from its code and the snapshot\'s figures', () => {
    const degraded = read('degraded');
    for (const reason of degraded.reasons!) {
      expect(reasonText(reason, degraded, { m: en, timeZone: undefined })).toBe(reason.text);
      const german = reasonText(reason, degraded, { m: de, timeZone: 'UTC' });
      expect(german).not.toBe(reason.text);
      expect(german).not.toMatch(/\{\w+\}/);
    }
    const missed = degraded.reasons!.find((reason) => reason.code === 'charter_missed')!;
    expect(reasonText(missed, degraded, { m: de, timeZone: 'UTC' })).toBe('Engineering hat geplante Läufe verpasst: der Scheduler ist womöglich angehalten. Seit 21. Nov., 09:15 UTC.');
    expect(reasonText(missed, degraded, { m: de, timeZone: 'Europe/Berlin' })).toMatch(/Seit 21\. Nov\., 10:15 MEZ\.$/);
    const runway = degraded.reasons!.find((reason) => reason.code === 'runway_low')!;
    expect(reasonText(runway, degraded, { m: de, timeZone: 'UTC' })).toBe('Das Guthaben des Systemkontos reicht beim aktuellen Verbrauch noch etwa 17,5 Stunden.');
  });

  it('the headline in German: its word, its most severe reason worded from its code', () => {
    const degraded = read('degraded');
    const headline = describeHeadline(degraded, now, false, false, { m: de, timeZone: 'UTC' });
    expect(headline).toMatchObject({ word: 'Degraded', label: 'Beeinträchtigt', tone: 'warn' });
    expect(headline.detail).toBe(reasonText(degraded.reasons![0]!, degraded, { m: de, timeZone: 'UTC' }));
  });

  it('the funding forecast in the chosen zone, named', () => {
    const forecast: Forecast = { creditsPerRun: '10', fundedRuns: '1240', fundedUntil: '2026-11-22T04:30:00.000Z', firstUnfundedRun: null };
    expect(describeFunding(forecast, now, { m: en, timeZone: 'UTC' })).toBe('The balance pays for about 1,240 more runs, until Sun, 04:30 UTC (an estimate from the average run).');
    expect(describeFunding(forecast, now, { m: de, timeZone: 'Europe/Berlin' })).toBe(
      'Das Guthaben bezahlt noch etwa 1.240 Läufe, bis So, 05:30 MEZ (geschätzt aus dem durchschnittlichen Lauf).',
    );
    expect(describeFunding({ ...forecast, fundedRuns: '1' }, now, { m: en, timeZone: 'UTC' })).toContain('about 1 more run, until');
  });
});

describe('German uptime line', () => {
  it('reads as one sentence with German figures', () => {
    const uptime = { succeeded: 2853, judged: 2872 };
    const days = Array.from({ length: 90 }, (_, index) => ({ date: `d${index}`, dayClass: 'ok' as const, title: '', counts: undefined }));
    expect(describeUptime({ days, firstData: 'd0', uptime30: uptime, uptime90: uptime, problemDays: [], incidents: [] }, de)).toBe(
      '99,3\u00a0% der erwarteten Läufe gelangen in 30 Tagen, 99,3\u00a0% in 90; 0 Vorfälle',
    );
  });
});

describe('a failed fetch in German', () => {
  it('says why in the page\'s words, with the field the contract names', async () => {
    const { fetchChecked } = await import('../../site/lib/fetch-snapshot.ts');
    const schema = { type: 'object', required: ['status'], properties: { status: { type: 'string' } } };
    const answer = (body: string, status = 200) => (() => Promise.resolve(new Response(body, { status }))) as unknown as typeof fetch;
    const reasons = await Promise.all(
      [answer('oops', 503), answer('{'), answer('{"status": 1}'), answer('[]')].map(async (fetchImpl) => {
        const outcome = await fetchChecked('/x.json', schema, limits.snapshotBytes, de.failures, fetchImpl);
        return outcome.ok ? 'ok' : outcome.reason;
      }),
    );
    expect(reasons).toEqual([
      'der Server antwortete 503',
      'die Antwort ist kein gültiges JSON',
      'die Daten entsprechen nicht dem Vertrag bei status (invalid_type)',
      'die Daten entsprechen nicht dem Vertrag auf oberster Ebene (invalid_type)',
    ]);
  });
});
