// The usage panel's figures (site/lib/describe-usage.ts): the last 24 hours from the snapshot, 7 and
// 30 days as sums of the history's closed days, by charter and model, with the capped lists' rest
// and the receipts of no charter or model kept apart; bigints throughout.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import type { DayUsage } from '../../shared/usage-contract.ts';
import { byCredits, costPerRun, describeUsage, type UsageRow } from '../../site/lib/describe-usage.ts';

const fixture = <T>(path: string) => JSON.parse(readFileSync(new URL(`../fixtures/${path}.json`, import.meta.url), 'utf8')) as T;
const figures = (credits: string, requests = 1, tokensIn = '0', tokensOut = '0') => ({ credits, requests, tokensIn, tokensOut, usd: null, usdRequests: 0 });
const charter = (charterId: string, name: string, credits: string, median: string | null = null) => ({
  ...figures(credits),
  charterId,
  name,
  runs: 1,
  medianCreditsPerRun: median,
  failedRuns: 0,
  failedCredits: '0',
});

/** A snapshot with the given usage (the rest of the file does not matter here). */
const snapshotWith = (usage: PublishedStatus['usage'], extra: Partial<PublishedStatus> = {}) => ({ usage, charters: [], ...extra }) as unknown as PublishedStatus;
const lastDay = (over: Record<string, unknown> = {}) =>
  snapshotWith({
    available: true,
    from: '2026-11-20T12:00:30.000Z',
    to: '2026-11-21T12:00:30.000Z',
    total: figures('1000', 10, '300', '30'),
    failedCredits: '0',
    charters: [charter('governance:a', 'Alpha', '200', '100'), charter('governance:b', 'Beta', '500', '250')],
    chartersOther: figures('100', 2),
    unattributed: figures('200', 3),
    models: [{ ...figures('600', 6), model: 'model-x' }, { ...figures('400', 4), model: null }],
    modelsOther: null,
    agents: [],
    agentsOther: null,
    ...over,
  } as PublishedStatus['usage']);

const row = (name: string | null, credits: bigint, other = false, requests = 1n): UsageRow => ({ name, other, figures: [credits, requests, 0n, 0n] });
const sums = (rows: UsageRow[]) => rows.map((each) => [each.name, each.other, each.figures[0]]);

/** A history whose last day (`to`) is today; `days` are the closed days before it, oldest first. */
function historyOf(to: string, days: Array<[string, DayUsage | null | undefined]>, charters = [{ id: 'governance:a', name: 'Alpha' }]): GovernanceHistory {
  return {
    schemaVersion: 1,
    generatedAt: `${to}T12:00:30.000Z`,
    from: days[0]?.[0] ?? to,
    to,
    charters,
    days: [...days, [to, undefined] as const].map(([date, usage]) => ({ date, spent: '0', charters: {}, ...(usage !== undefined && { usage }) })),
    incidents: [],
  };
}
const day = (charters: DayUsage['charters'], chartersOther: DayUsage['chartersOther'] = null, models: DayUsage['models'] = []): DayUsage => {
  const credits = [...charters.map((entry) => BigInt(entry[1])), BigInt(chartersOther?.[0] ?? 0)].reduce((a, b) => a + b, 0n);
  return { total: [credits.toString(), charters.length, '0', '0', null], charters, chartersOther, models, modelsOther: null };
};

describe('the last 24 hours', () => {
  it('lists charters and models most credits first, the receipts of none by themselves and the rest last', () => {
    const view = describeUsage(lastDay(), null, 1)!;
    expect(view.total).toEqual([1000n, 10n, 300n, 30n]);
    expect([view.days, view.known]).toEqual([1, 1]);
    expect(sums(view.charters)).toEqual([
      ['Beta', false, 500n],
      ['Alpha', false, 200n],
      [null, false, 200n],
      [null, true, 100n],
    ]);
    expect(sums(view.models)).toEqual([
      ['model-x', false, 600n],
      [null, false, 400n],
    ]);
  });

  it('is what the worker published for the page fixtures', () => {
    const view = describeUsage(fixture<PublishedStatus>('snapshots/degraded'), null, 1)!;
    expect(view.total[0]).toBe(256_000_000_000n);
    expect(view.charters.map((each) => each.name)).toEqual(['Engineering', 'Community', 'Sustainability']);
    expect(view.charters.reduce((sum, each) => sum + each.figures[0]!, 0n)).toBe(view.total[0]);
  });

  it('says nothing when the usage is unavailable or not published at all', () => {
    expect(describeUsage(snapshotWith({ available: false, reason: 'no_permission' }), null, 1)).toBeNull();
    expect(describeUsage(snapshotWith(undefined), null, 1)).toBeNull();
  });

  it('keeps figures near 2^63 exact, past what a JS number holds', () => {
    const near = (2n ** 63n - 1n).toString();
    const view = describeUsage(lastDay({ total: figures(near, 1, near), charters: [charter('governance:a', 'Alpha', near)], chartersOther: null, unattributed: null }), null, 1)!;
    expect(view.total).toEqual([2n ** 63n - 1n, 1n, 2n ** 63n - 1n, 0n]);
    expect(view.charters[0]!.figures[0]).toBe(2n ** 63n - 1n);
  });
});

describe('closed days from the history', () => {
  const history = historyOf('2026-11-21', [
    ['2026-11-12', day([['governance:a', '1000', 1, '0', '0', null]])],
    ['2026-11-13', day([['governance:a', '7', 1, '0', '0', null]])],
    ['2026-11-14', day([['governance:a', '10', 1, '5', '1', null], ['governance:gone', '4', 1, '0', '0', null], [null, '3', 1, '0', '0', null]], ['2', 1, '0', '0', null])],
    ['2026-11-15', null],
    ['2026-11-16', day([['governance:a', '20', 1, '0', '0', null]], null, [['m', '20', 1, '0', '0', null]])],
    ['2026-11-17', day([])],
    ['2026-11-18', day([['governance:gone', '30', 2, '0', '0', null]], ['1', 1, '0', '0', null])],
    ['2026-11-19', undefined],
    ['2026-11-20', day([['governance:a', '5', 1, '0', '0', null]])],
  ]);

  it('sums the last 7 days before today, says which they are and how many carry usage', () => {
    const view = describeUsage(lastDay(), history, 7)!;
    expect([view.from, view.to, view.days, view.known]).toEqual(['2026-11-14', '2026-11-20', 7, 5]);
    expect(view.total[0]).toBe(10n + 4n + 3n + 2n + 20n + 30n + 1n + 5n);
    // by id, named from the history; an id it no longer names stays an id; the days' rests are one row, last
    expect(sums(view.charters)).toEqual([
      ['Alpha', false, 35n],
      ['governance:gone', false, 34n],
      [null, false, 3n],
      [null, true, 3n],
    ]);
    expect(view.charters.find((each) => each.name === 'Alpha')!.figures).toEqual([35n, 3n, 5n, 1n]);
    expect(sums(view.models)).toEqual([['m', false, 20n]]);
  });

  it('takes 30 days as the closed days the history has, never today', () => {
    const view = describeUsage(lastDay(), history, 30)!;
    expect([view.from, view.to, view.days, view.known]).toEqual(['2026-11-12', '2026-11-20', 9, 7]);
    expect(view.total[0]).toBe(1000n + 7n + 75n);
    const today = { ...history, days: history.days.map((each) => (each.date === '2026-11-21' ? { ...each, usage: day([['governance:a', '999', 1, '0', '0', null]]) } : each)) };
    expect(describeUsage(lastDay(), today, 30)!.total[0]).toBe(1082n);
  });

  it('waits for the history', () => {
    expect(describeUsage(lastDay(), null, 7)).toBeNull();
  });

  it('keeps receipts near 2^63 exact over days', () => {
    const big = (2n ** 63n - 1n).toString();
    const view = describeUsage(lastDay(), historyOf('2026-11-03', [['2026-11-01', day([['governance:a', big, 1, big, '0', null]])], ['2026-11-02', day([['governance:a', big, 1, big, '0', null]])]]), 7)!;
    expect(view.charters[0]!.figures).toEqual([2n ** 64n - 2n, 2n, 2n ** 64n - 2n, 0n]);
  });
});

describe('sorting', () => {
  it('puts the rest last whatever it spent, and orders bigints past 2^53 exactly', () => {
    const rows = [row('a', 2n ** 60n), row(null, 2n ** 62n, true), row('b', 2n ** 60n + 1n), row('c', -5n)];
    expect(rows.sort(byCredits).map((each) => each.name)).toEqual(['b', 'a', 'c', null]);
  });
});

describe('cost per run', () => {
  it('is the median the snapshot gives each charter for the last 24 hours', () => {
    expect(costPerRun(lastDay(), 'governance:b')).toBe('250');
    expect(costPerRun(lastDay(), 'governance:unknown')).toBeUndefined();
    expect(costPerRun(snapshotWith({ available: false, reason: 'no_table' }), 'governance:b')).toBeNull();
    expect(costPerRun(fixture<PublishedStatus>('snapshots/demo'), 'governance:engineering')).toBe('6000000');
  });
});

