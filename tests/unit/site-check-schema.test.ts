// The page checks the files with a small JSON Schema checker instead of the Zod runtime; these
// tests hold its verdicts equal to the contract's own parsers, for the snapshot (as a reader and as
// the worker writes it) and for the history.
import { readFileSync, readdirSync } from 'node:fs';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { governanceStatusSchema, parseGovernanceHistory, parseGovernanceStatus } from '../../shared/contract.ts';
import { governanceHistoryJsonSchema, governanceStatusJsonSchema } from '../../shared/json-schema.ts';
import { checkedKeywords, compactSchema, findSchemaIssue, ignoredKeywords, type JsonSchema } from '../../site/lib/check-schema.ts';

const readerSchema = governanceStatusJsonSchema({ reader: true }) as JsonSchema;
const writerSchema = governanceStatusJsonSchema() as JsonSchema;
const historySchema = governanceHistoryJsonSchema() as JsonSchema;
// What the page ships (astro.config.mjs): the same rules without what the checker knows by itself.
const shipped = {
  reader: compactSchema(readerSchema) as JsonSchema,
  writer: compactSchema(writerSchema) as JsonSchema,
  history: compactSchema(historySchema) as JsonSchema,
};

const readAll = (dir: URL) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, data: JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Record<string, any> }));
const snapshots = readAll(new URL('../fixtures/snapshots/', import.meta.url));
const histories = readAll(new URL('../fixtures/history/', import.meta.url));
const degraded = snapshots.find((fixture) => fixture.name === 'degraded.json')!.data;
const legacy = snapshots.find((fixture) => fixture.name === 'legacy-v1.json')!.data;
const degradedHistory = histories.find((fixture) => fixture.name === 'degraded.json')!.data;

function collectKeywords(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => collectKeywords(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      found.add(key);
      // Under "properties" the keys are field names, not keywords.
      if (key === 'properties') Object.values(value as object).forEach((child) => collectKeywords(child, found));
      else collectKeywords(value, found);
    }
  }
  return found;
}

/** A deep copy of `base` with one change made. */
const mutate = (base: Record<string, any>) => (change: (copy: Record<string, any>) => void): unknown => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};
const snapshot = mutate(degraded);
const old = mutate(legacy);
const history = mutate(degradedHistory);

const snapshotMutations: Record<string, unknown> = {
  'an extra top-level field (tolerated)': snapshot((s) => (s.extra = { anything: true })),
  'an extra nested field (tolerated)': snapshot((s) => (s.charters[0].owner = 'someone')),
  'balance as a number': snapshot((s) => (s.credits.balance = 12)),
  'balance with a decimal point': snapshot((s) => (s.credits.balance = '12.5')),
  'balance with a leading zero': snapshot((s) => (s.systemCredits = '012')),
  'balanceUsd with one decimal': snapshot((s) => (s.credits.balanceUsd = '1.5')),
  'negative runway': snapshot((s) => (s.credits.runwayHours = -1)),
  'runway as a string': snapshot((s) => (s.credits.runwayHours = '12')),
  'null runway': snapshot((s) => (s.credits.runwayHours = null)),
  'unknown health': snapshot((s) => (s.credits.health = 'orange')),
  'unknown status': snapshot((s) => (s.status = 'unknown')),
  'schemaVersion 2': snapshot((s) => (s.schemaVersion = 2)),
  'schemaVersion as a string': snapshot((s) => (s.schemaVersion = '1')),
  'generatedAt without milliseconds': snapshot((s) => (s.generatedAt = '2026-11-21T12:00:30Z')),
  'generatedAt with an offset': snapshot((s) => (s.generatedAt = '2026-11-21T12:00:30.000+01:00')),
  'an impossible date': snapshot((s) => (s.staleAfter = '2026-02-30T12:00:00.000Z')),
  'a leap day': snapshot((s) => (s.staleAfter = '2028-02-29T12:00:00.000Z')),
  'a leap day in a year that has none': snapshot((s) => (s.staleAfter = '2100-02-29T12:00:00.000Z')),
  'hour 24': snapshot((s) => (s.staleAfter = '2026-11-21T24:00:00.000Z')),
  'second 60': snapshot((s) => (s.staleAfter = '2026-11-21T23:59:60.000Z')),
  'the epoch': snapshot((s) => (s.staleAfter = '1970-01-01T00:00:00.000Z')),
  'year 0': snapshot((s) => (s.staleAfter = '0000-01-01T00:00:00.000Z')),
  'a five-digit year': snapshot((s) => (s.staleAfter = '+10000-01-01T00:00:00.000Z')),
  'an instant with a lowercase t': snapshot((s) => (s.generatedAt = '2026-11-21t12:00:30.000Z')),
  'a missing field': snapshot((s) => delete s.failedRuns),
  'a missing nested field': snapshot((s) => delete s.charters[1].lastSuccessAt),
  '23 spend hours': snapshot((s) => s.spendByHour.pop()),
  '25 spend hours': snapshot((s) => s.spendByHour.push(s.spendByHour[0])),
  'four upcoming runs': snapshot((s) => s.upcomingRuns.push(...s.upcomingRuns, ...s.upcomingRuns)),
  'eleven failed runs': snapshot((s) => (s.failedRuns = Array.from({ length: 11 }, () => s.failedRuns[0]))),
  'a 201-character title': snapshot((s) => (s.recentRuns[0].title = 'x'.repeat(201))),
  'a 200-character title': snapshot((s) => (s.recentRuns[0].title = 'x'.repeat(200))),
  'errorCode as a number': snapshot((s) => (s.failedRuns[0].errorCode = 7)),
  'a null errorCode': snapshot((s) => (s.failedRuns[0].errorCode = null)),
  'a 301-character error message': snapshot((s) => (s.failedRuns[0].errorMessage = 'x'.repeat(301))),
  'an unknown schedule error': snapshot((s) => (s.charters[0].scheduleError = 'bad_cron')),
  'a running last run': snapshot((s) => (s.charters[0].lastRun.status = 'running')),
  'enabled as a string': snapshot((s) => (s.charters[0].enabled = 'true')),
  'charters as an object': snapshot((s) => (s.charters = {})),
  'a null charter': snapshot((s) => (s.charters[0] = null)),
  'credits as null': snapshot((s) => (s.credits = null)),
  'an unknown charter state': snapshot((s) => (s.charters[0].state = 'sleeping')),
  'a fractional run count': snapshot((s) => (s.charters[0].runs24h.expected = 1.5)),
  'a negative run count': snapshot((s) => (s.failedRunsTotal = -1)),
  'a run count past 2^53': snapshot((s) => (s.missedRunsTotal = 2 ** 53)),
  'an unknown reason code': snapshot((s) => (s.reasons[0].code = 'vibes')),
  'an unknown severity': snapshot((s) => (s.reasons[0].severity = 'fatal')),
  'a 401-character reason': snapshot((s) => (s.reasons[0].text = 'x'.repeat(401))),
  'fundedRuns as a number': snapshot((s) => (s.forecast.fundedRuns = 117)),
  'a missed run without its charter id': snapshot((s) => delete s.missedRuns[0].charterId),
  'openIncidents as a string': snapshot((s) => (s.openIncidents = 'governance:engineering')),
  // Fields added after the first release: optional for a reader, required of this worker.
  'no reasons': snapshot((s) => delete s.reasons),
  'no forecast': snapshot((s) => delete s.forecast),
  'a charter without state': snapshot((s) => delete s.charters[0].state),
  'a charter without runs24h': snapshot((s) => delete s.charters[0].runs24h),
  'a last run without runId': snapshot((s) => delete s.charters[0].lastRun.runId),
  'no failedRunsTotal': snapshot((s) => delete s.failedRunsTotal),
  'a first-release file': legacy,
  'a first-release file with a bad new field': old((s) => (s.reasons = [{ code: 'vibes' }])),
  'a first-release file with a bad old field': old((s) => (s.credits.balance = 1)),
};
const historyMutations: Record<string, unknown> = {
  'an extra field (tolerated)': history((h) => (h.note = 'hi')),
  'a charter count as a fraction': history((h) => (h.days[80].charters['governance:community'].failed = 0.5)),
  'a negative count': history((h) => (h.days[80].charters['governance:community'].missed = -1)),
  'a count as a string': history((h) => (h.days[80].charters['governance:community'].expected = '3')),
  'a day map entry that is null': history((h) => (h.days[80].charters['governance:x'] = null)),
  'a day map entry without a count': history((h) => delete h.days[80].charters['governance:community'].skipped),
  'an empty day map': history((h) => (h.days[0].charters = {})),
  'a day map as an array': history((h) => (h.days[0].charters = [])),
  'a date with a time': history((h) => (h.days[0].date = '2026-08-24T00:00:00.000Z')),
  // a day that does not exist: the German page formats days with Intl, which throws on one
  'month 13': history((h) => (h.days[0].date = '2026-13-45')),
  'February 32': history((h) => (h.days[0].date = '2026-02-32')),
  'February 30': history((h) => (h.from = '2026-02-30')),
  'April 31': history((h) => (h.to = '2026-04-31')),
  'day 0': history((h) => (h.days[0].date = '2026-01-00')),
  'a leap day (tolerated)': history((h) => (h.days[0].date = '2028-02-29')),
  'a leap day in a year that has none': history((h) => (h.days[0].date = '2100-02-29')),
  'a leap day of a year divisible by 400 (tolerated)': history((h) => (h.days[0].date = '2000-02-29')),
  'year 0 (tolerated)': history((h) => (h.days[0].date = '0000-01-01')),
  'spent as a number': history((h) => (h.days[0].spent = 1)),
  '91 days': history((h) => h.days.push(h.days[0])),
  'an unknown incident kind': history((h) => (h.incidents[0].kind = 'flaky')),
  'an open incident': history((h) => (h.incidents[0].resolvedAt = null)),
  'an incident closed as its charter was removed': history((h) => (h.incidents[0].resolution = 'charter_removed')),
  'an unknown resolution': history((h) => (h.incidents[0].resolution = 'recovered')),
  'a resolvedAt without milliseconds': history((h) => (h.incidents[0].resolvedAt = '2026-11-21T11:40:21Z')),
  'eleven error codes': history((h) => (h.incidents[0].errorCodes = Array.from({ length: 11 }, (_, i) => `code_${i}`))),
  'a 201-character incident id': history((h) => (h.incidents[0].id = 'x'.repeat(201))),
  'a missing incident field': history((h) => delete h.incidents[0].runs),
  'schemaVersion 2': history((h) => (h.schemaVersion = 2)),
};
const documents: Record<string, unknown> = {
  null: null,
  'an array': [],
  'a string': 'governance',
  'an empty object': {},
};

const readerAccepts = (data: unknown) => parseGovernanceStatus(data).success;
const writerAccepts = (data: unknown) => z.safeParse(governanceStatusSchema, data).success;
const historyAccepts = (data: unknown) => parseGovernanceHistory(data).success;

describe('the schema checker', () => {
  it.each([
    ['snapshot, as read', readerSchema, ['date-time']],
    ['snapshot, as written', writerSchema, ['date-time']],
    // a day is one that exists, and the published schema says so (not a bare digit pattern)
    ['history', historySchema, ['date-time', 'date']],
  ] as const)('handles every keyword the generated %s schema uses', (_, schema, expected) => {
    const known = new Set<string>([...checkedKeywords, ...ignoredKeywords]);
    expect([...collectKeywords(schema)].filter((keyword) => !known.has(keyword))).toEqual([]);
    const formats = new Set<unknown>();
    JSON.stringify(schema, (key, value) => (key === 'format' && formats.add(value), value));
    expect([...formats]).toEqual(expected);
  });

  it('ships the schemas smaller, without the patterns and bounds it checks by itself', () => {
    const size = (schema: unknown) => JSON.stringify(schema).length;
    // about a third less: every instant's long pattern goes (usage's credit and USD patterns, the feeds' URL pattern stay)
    expect(size(shipped.reader)).toBeLessThan(size(readerSchema) * 0.7);
    expect(JSON.stringify(shipped.history)).not.toContain('9007199254740991');
  });

  it.each(snapshots)('accepts the snapshot fixture $name, as the contract does', ({ name, data }) => {
    expect(readerAccepts(data)).toBe(true);
    expect(findSchemaIssue(readerSchema, data)).toBeNull();
    expect(findSchemaIssue(writerSchema, data) === null).toBe(name !== 'legacy-v1.json');
  });

  it.each(histories)('accepts the history fixture $name, as the contract does', ({ data }) => {
    expect(historyAccepts(data)).toBe(true);
    expect(findSchemaIssue(historySchema, data)).toBeNull();
  });

  it.each(Object.entries({ ...snapshotMutations, ...documents }))('agrees with the contract on a snapshot with %s', (_, data) => {
    expect(findSchemaIssue(readerSchema, data) === null).toBe(readerAccepts(data));
    expect(findSchemaIssue(writerSchema, data) === null).toBe(writerAccepts(data));
    expect(findSchemaIssue(shipped.reader, data)).toEqual(findSchemaIssue(readerSchema, data));
    expect(findSchemaIssue(shipped.writer, data)).toEqual(findSchemaIssue(writerSchema, data));
  });

  it.each(Object.entries({ ...historyMutations, ...documents }))('agrees with the contract on a history with %s', (_, data) => {
    expect(findSchemaIssue(historySchema, data) === null).toBe(historyAccepts(data));
    expect(findSchemaIssue(shipped.history, data)).toEqual(findSchemaIssue(historySchema, data));
  });

  it('rejects most mutations, so the agreement above is not vacuous', () => {
    const rejected = (schema: JsonSchema, cases: Record<string, unknown>) =>
      Object.keys(cases).filter((name) => findSchemaIssue(schema, cases[name]) !== null);
    const accepted = (schema: JsonSchema, cases: Record<string, unknown>) =>
      Object.keys(cases).filter((name) => findSchemaIssue(schema, cases[name]) === null);
    expect(accepted(readerSchema, snapshotMutations)).toEqual([
      'an extra top-level field (tolerated)', 'an extra nested field (tolerated)', 'null runway', 'a leap day', 'the epoch', 'year 0',
      'a 200-character title', 'a null errorCode', 'no reasons', 'no forecast', 'a charter without state', 'a charter without runs24h',
      'a last run without runId', 'no failedRunsTotal', 'a first-release file',
    ]);
    expect(accepted(writerSchema, snapshotMutations)).toEqual([
      'an extra top-level field (tolerated)', 'an extra nested field (tolerated)', 'null runway', 'a leap day', 'the epoch', 'year 0',
      'a 200-character title', 'a null errorCode',
    ]);
    expect(accepted(historySchema, historyMutations)).toEqual([
      'an extra field (tolerated)', 'an empty day map', 'a leap day (tolerated)', 'a leap day of a year divisible by 400 (tolerated)', 'year 0 (tolerated)',
      'an open incident', 'an incident closed as its charter was removed',
    ]);
    expect(rejected(historySchema, historyMutations)).toHaveLength(Object.keys(historyMutations).length - 7);
  });

  it('names where the data breaks the contract', () => {
    expect(findSchemaIssue(readerSchema, snapshotMutations['balance with a decimal point'])).toEqual({
      path: ['credits', 'balance'],
      code: 'invalid_format',
    });
    expect(findSchemaIssue(readerSchema, snapshotMutations['a missing nested field'])).toEqual({
      path: ['charters', 1, 'lastSuccessAt'],
      code: 'invalid_type',
    });
    expect(findSchemaIssue(readerSchema, snapshotMutations['25 spend hours'])).toEqual({ path: ['spendByHour'], code: 'too_big' });
    expect(findSchemaIssue(historySchema, historyMutations['a charter count as a fraction'])).toEqual({
      path: ['days', 80, 'charters', 'governance:community', 'failed'],
      code: 'invalid_type',
    });
  });
});
