// The page checks snapshots with a small JSON Schema checker instead of the Zod runtime; these
// tests hold its verdicts equal to the contract's own parser.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGovernanceStatus } from '../../shared/contract.ts';
import { governanceStatusJsonSchema } from '../../shared/json-schema.ts';
import { checkedKeywords, findSchemaIssue, ignoredKeywords, type JsonSchema } from '../../site/lib/check-schema.ts';

const schema = governanceStatusJsonSchema() as JsonSchema;
const fixtureDir = new URL('../fixtures/snapshots/', import.meta.url);
const fixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, data: JSON.parse(readFileSync(new URL(name, fixtureDir), 'utf8')) as Record<string, any> }));
const degraded = fixtures.find((fixture) => fixture.name === 'degraded.json')!.data;

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

/** A deep copy of the degraded fixture with one change made. */
function mutate(change: (snapshot: Record<string, any>) => void): unknown {
  const copy = structuredClone(degraded);
  change(copy);
  return copy;
}

const mutations: Record<string, unknown> = {
  'an extra top-level field (tolerated)': mutate((s) => (s.extra = { anything: true })),
  'an extra nested field (tolerated)': mutate((s) => (s.charters[0].owner = 'someone')),
  'balance as a number': mutate((s) => (s.credits.balance = 12)),
  'balance with a decimal point': mutate((s) => (s.credits.balance = '12.5')),
  'balance with a leading zero': mutate((s) => (s.systemCredits = '012')),
  'balanceUsd with one decimal': mutate((s) => (s.credits.balanceUsd = '1.5')),
  'negative runway': mutate((s) => (s.credits.runwayHours = -1)),
  'runway as a string': mutate((s) => (s.credits.runwayHours = '12')),
  'null runway': mutate((s) => (s.credits.runwayHours = null)),
  'unknown health': mutate((s) => (s.credits.health = 'orange')),
  'unknown status': mutate((s) => (s.status = 'unknown')),
  'schemaVersion 2': mutate((s) => (s.schemaVersion = 2)),
  'schemaVersion as a string': mutate((s) => (s.schemaVersion = '1')),
  'generatedAt without milliseconds': mutate((s) => (s.generatedAt = '2026-11-21T12:00:30Z')),
  'generatedAt with an offset': mutate((s) => (s.generatedAt = '2026-11-21T12:00:30.000+01:00')),
  'an impossible date': mutate((s) => (s.staleAfter = '2026-02-30T12:00:00.000Z')),
  'a missing field': mutate((s) => delete s.failedRuns),
  'a missing nested field': mutate((s) => delete s.charters[1].lastSuccessAt),
  '23 spend hours': mutate((s) => s.spendByHour.pop()),
  '25 spend hours': mutate((s) => s.spendByHour.push(s.spendByHour[0])),
  'four upcoming runs': mutate((s) => s.upcomingRuns.push(...s.upcomingRuns, ...s.upcomingRuns)),
  'eleven failed runs': mutate((s) => (s.failedRuns = Array.from({ length: 11 }, () => s.failedRuns[0]))),
  'a 201-character title': mutate((s) => (s.recentRuns[0].title = 'x'.repeat(201))),
  'a 200-character title': mutate((s) => (s.recentRuns[0].title = 'x'.repeat(200))),
  'errorCode as a number': mutate((s) => (s.failedRuns[0].errorCode = 7)),
  'a null errorCode': mutate((s) => (s.failedRuns[0].errorCode = null)),
  'a 301-character error message': mutate((s) => (s.failedRuns[0].errorMessage = 'x'.repeat(301))),
  'an unknown schedule error': mutate((s) => (s.charters[0].scheduleError = 'bad_cron')),
  'a running last run': mutate((s) => (s.charters[0].lastRun.status = 'running')),
  'enabled as a string': mutate((s) => (s.charters[0].enabled = 'true')),
  'charters as an object': mutate((s) => (s.charters = {})),
  'a null charter': mutate((s) => (s.charters[0] = null)),
  'credits as null': mutate((s) => (s.credits = null)),
};
const documents: Record<string, unknown> = {
  null: null,
  'an array': [],
  'a string': 'governance',
  'an empty object': {},
};

describe('the schema checker', () => {
  it('handles every keyword the generated schema uses', () => {
    const known = new Set<string>([...checkedKeywords, ...ignoredKeywords]);
    expect([...collectKeywords(schema)].filter((keyword) => !known.has(keyword))).toEqual([]);
  });

  it.each(fixtures)('accepts the fixture $name, as the contract does', ({ data }) => {
    expect(parseGovernanceStatus(data).success).toBe(true);
    expect(findSchemaIssue(schema, data)).toBeNull();
  });

  it.each(Object.entries({ ...mutations, ...documents }))('agrees with the contract on %s', (_, data) => {
    expect(findSchemaIssue(schema, data) === null).toBe(parseGovernanceStatus(data).success);
  });

  it('rejects most mutations, so the agreement above is not vacuous', () => {
    const rejected = Object.values(mutations).filter((data) => findSchemaIssue(schema, data) !== null);
    expect(rejected.length).toBe(Object.keys(mutations).length - 5);
  });

  it('names where the data breaks the contract', () => {
    expect(findSchemaIssue(schema, mutations['balance with a decimal point'])).toEqual({
      path: ['credits', 'balance'],
      code: 'invalid_format',
    });
    expect(findSchemaIssue(schema, mutations['a missing nested field'])).toEqual({
      path: ['charters', 1, 'lastSuccessAt'],
      code: 'invalid_type',
    });
    expect(findSchemaIssue(schema, mutations['25 spend hours'])).toEqual({ path: ['spendByHour'], code: 'too_big' });
  });
});
