// Usage by charter, model and agent from the window's receipt groups: exact bigint sums (a receipt
// near 2^63), receipts without details or of no run, hostile model names, capped lists whose parts
// add up to the totals, the median cost per run and what failed runs cost; and the closed days.
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import type { DayUsageRow, UsageFigures, UsageRow } from '../../shared/ports.ts';
import { emptyDayUsage, formatUsd, medianOf, ownCreditsPerRun, summarizeUsage, summarizeUsageDays, type UsageRun } from '../../shared/usage.ts';
import { dayUsageSchema, usageSchema, type AvailableUsage, type UsageFiguresJson } from '../../shared/usage-contract.ts';

const from = Date.parse('2026-11-20T12:00:00.000Z');
const to = from + 86_400_000;
const charters = [
  { id: 'governance:community', name: 'Community' },
  { id: 'governance:engineering', name: 'Engineering' },
];
const runs: UsageRun[] = [
  { runId: 'c-1', charterId: 'governance:community', status: 'success' },
  { runId: 'c-2', charterId: 'governance:community', status: 'error' },
  { runId: 'c-3', charterId: 'governance:community', status: 'success' },
  { runId: 'e-1', charterId: 'governance:engineering', status: 'success' },
  { runId: 'e-2', charterId: 'governance:engineering', status: 'running' }, // no receipts yet
];

function row(runId: string, model: string | null, credits: bigint, extra: Partial<UsageFigures & { agent: string | null }> = {}): UsageRow {
  return {
    runId,
    model,
    agent: model === null ? null : 'langgraph:governance',
    credits,
    requests: 1,
    tokensIn: 0n,
    tokensOut: 0n,
    usdNanos: null,
    usdRequests: 0,
    ...extra,
  };
}

const summarize = (rows: UsageRow[], runList = runs) =>
  summarizeUsage({ usage: { details: 'available', rows }, runs: runList, charters, from, to }) as AvailableUsage;

const figures = (credits: string, requests: number, more: Partial<UsageFiguresJson> = {}): UsageFiguresJson => ({
  credits,
  requests,
  tokensIn: '0',
  tokensOut: '0',
  usd: null,
  usdRequests: 0,
  ...more,
});

describe('formatUsd', () => {
  it('writes nano-dollars exactly, with 2 to 9 decimal places', () => {
    expect(formatUsd(0n)).toBe('0.00');
    expect(formatUsd(500_000_000n)).toBe('0.50');
    expect(formatUsd(123_456n)).toBe('0.000123456');
    expect(formatUsd(-1n)).toBe('-0.000000001');
    expect(formatUsd(12_000_000_001n)).toBe('12.000000001');
    expect(formatUsd(9_223_372_036_854_775_807_000_000_000n)).toBe('9223372036854775807.00');
  });
});

describe('medianOf', () => {
  it('is the middle run, or the two middle ones averaged and rounded up; null without runs', () => {
    expect(medianOf([])).toBeNull();
    expect(medianOf([5n, 1n, 3n])).toBe(3n);
    expect(medianOf([4n, 1n])).toBe(3n); // (1 + 4) / 2 = 2.5, rounded up
    expect(medianOf([9_223_372_036_854_775_807n, 9_223_372_036_854_775_806n])).toBe(9_223_372_036_854_775_807n);
    expect(medianOf([-4n, -1n])).toBe(-2n);
  });
});

describe('summarizeUsage', () => {
  it('sums the hand-computed fixture per charter, model and agent, with the runs that failed and what is of no run', () => {
    const usage = summarize([
      row('c-1', 'anthropic/claude', 300n, { tokensIn: 1_000n, tokensOut: 200n, usdNanos: 30_000n, usdRequests: 1 }),
      row('c-1', 'openai/gpt', 100n, { requests: 2, tokensIn: 500n, tokensOut: 50n }),
      row('c-2', 'anthropic/claude', 50n, { tokensIn: 100n, tokensOut: 10n, usdNanos: 5_000n, usdRequests: 1 }),
      row('c-3', 'anthropic/claude', 700n, { tokensIn: 2_000n, tokensOut: 300n, usdNanos: 70_000n, usdRequests: 1 }),
      row('e-1', 'openai/gpt', 1_000n, { requests: 3, tokensIn: 4_000n, tokensOut: 400n }),
      row('adjustment-1', null, 25n), // a manual adjustment: a run_id of its own, no details
      row('unknown-run', 'openai/gpt', 5n), // a run outside the window
    ]);
    expect(z.safeParse(usageSchema, usage).success).toBe(true);
    expect(usage).toEqual({
      available: true,
      from: '2026-11-20T12:00:00.000Z',
      to: '2026-11-21T12:00:00.000Z',
      total: figures('2180', 10, { tokensIn: '7600', tokensOut: '960', usd: '0.000105', usdRequests: 3 }),
      failedCredits: '50',
      charters: [
        {
          charterId: 'governance:community',
          name: 'Community',
          ...figures('1150', 5, { tokensIn: '3600', tokensOut: '560', usd: '0.000105', usdRequests: 3 }),
          runs: 3, // c-1 400, c-2 50, c-3 700
          medianCreditsPerRun: '400',
          failedRuns: 1,
          failedCredits: '50',
        },
        {
          charterId: 'governance:engineering',
          name: 'Engineering',
          ...figures('1000', 3, { tokensIn: '4000', tokensOut: '400' }),
          runs: 1,
          medianCreditsPerRun: '1000',
          failedRuns: 0,
          failedCredits: '0',
        },
      ],
      chartersOther: null,
      unattributed: figures('30', 2),
      models: [
        { model: 'anthropic/claude', ...figures('1050', 3, { tokensIn: '3100', tokensOut: '510', usd: '0.000105', usdRequests: 3 }) },
        { model: 'openai/gpt', ...figures('1105', 6, { tokensIn: '4500', tokensOut: '450' }) },
        { model: null, ...figures('25', 1) },
      ].sort((a, b) => Number(BigInt(b.credits) - BigInt(a.credits))),
      modelsOther: null,
      agents: [
        { agent: 'langgraph:governance', ...figures('2155', 9, { tokensIn: '7600', tokensOut: '960', usd: '0.000105', usdRequests: 3 }) },
        { agent: null, ...figures('25', 1) },
      ],
      agentsOther: null,
    });
  });

  it('adds receipts near 2^63 exactly, past what a bigint column or a JS number holds', () => {
    const max = 9_223_372_036_854_775_807n;
    const usage = summarize([row('c-1', 'm', max, { tokensIn: max }), row('c-2', 'm', max, { tokensIn: max }), row('e-1', 'm', max, { usdNanos: max, usdRequests: 1 })]);
    expect(usage.total.credits).toBe('27670116110564327421');
    expect(usage.total.tokensIn).toBe('18446744073709551614');
    expect(usage.total.usd).toBe('9223372036.854775807');
    expect(usage.charters[0]).toMatchObject({ charterId: 'governance:community', credits: '18446744073709551614', medianCreditsPerRun: max.toString(), failedCredits: max.toString() });
    expect(usage.failedCredits).toBe(max.toString());
  });

  it('cleans model and agent names like every other string, and one cleaned name is one entry', () => {
    const usage = summarize([
      row('c-1', 'gpt-4\u202e', 10n, { agent: 'langgraph:poet\nsecond line' }),
      row('c-1', 'gpt-4', 5n),
      row('c-2', 'key=sk-proj-AbCdEf1234567890abcdef', 7n),
      row('c-2', 'gpt\u0007x', 3n),
      row('c-3', 'x'.repeat(5_000), 1n),
    ]);
    const names = usage.models.map((model) => [model.model, model.credits]);
    expect(names).toEqual([
      ['gpt-4', '15'], // the invisible override removed: the same model as the plain one
      ['key=[redacted]', '7'],
      ['gpt x', '3'],
      [`${'x'.repeat(99)}…`, '1'],
    ]);
    expect(JSON.stringify(usage)).not.toMatch(/AbCdEf|\u0007|\u202e|\n/);
    expect(usage.agents.map((agent) => agent.agent)).toContain('langgraph:poet second line');
    expect(z.safeParse(usageSchema, usage).success).toBe(true);
  });

  it('caps the lists with the rest summed, so that the parts add up to the totals', () => {
    const many = Array.from({ length: 13 }, (_, i) => row('c-1', `model-${String(i).padStart(2, '0')}`, BigInt(100 + i), { agent: `agent-${i}` }));
    const usage = summarize(many);
    expect(usage.models).toHaveLength(10);
    expect(usage.models.map((model) => model.model)).toEqual(Array.from({ length: 10 }, (_, i) => `model-${String(12 - i).padStart(2, '0')}`));
    expect(usage.modelsOther).toEqual(figures(String(100 + 101 + 102), 3));
    expect(usage.agents).toHaveLength(10);
    const sum = (values: string[]) => values.reduce((total, value) => total + BigInt(value), 0n);
    expect(sum([...usage.models.map((model) => model.credits), usage.modelsOther!.credits])).toBe(BigInt(usage.total.credits));
    expect(sum([...usage.agents.map((agent) => agent.credits), usage.agentsOther!.credits])).toBe(BigInt(usage.total.credits));
  });

  it('caps the charters at 100, the least spending summed, and keeps each listed charter whole', () => {
    const manyRuns = Array.from({ length: 103 }, (_, i) => ({ runId: `r-${i}`, charterId: `governance:c${i}`, status: 'success' as const }));
    const usage = summarize(manyRuns.map((run, i) => row(run.runId, 'm', BigInt(1_000 + i))), manyRuns);
    expect(usage.charters).toHaveLength(100);
    expect(usage.charters[0]).toMatchObject({ charterId: 'governance:c102', name: 'governance:c102', credits: '1102' });
    expect(usage.chartersOther).toEqual(figures(String(1_000 + 1_001 + 1_002), 3));
    expect(z.safeParse(usageSchema, usage).success).toBe(true);
  });

  it('says usage is unavailable without the details table or the grant, and still knows each charter’s own cost per run', () => {
    const rows = [row('c-1', null, 400n), row('c-2', null, 50n), row('c-3', null, 700n), row('e-1', null, 1_000n)];
    for (const details of ['no_table', 'no_permission'] as const) {
      const usage = summarizeUsage({ usage: { details, rows }, runs, charters, from, to });
      expect(usage).toEqual({ available: false, reason: details });
      expect(z.safeParse(usageSchema, usage).success).toBe(true);
      expect(ownCreditsPerRun({ details, rows }, runs)).toEqual(
        new Map([
          ['governance:community', 400n],
          ['governance:engineering', 1_000n],
        ]),
      );
    }
  });

  it('with no receipts at all: zero totals and empty lists', () => {
    const usage = summarize([]);
    expect(usage).toMatchObject({ total: figures('0', 0), failedCredits: '0', charters: [], chartersOther: null, unattributed: null, models: [], agents: [] });
  });
});

describe('summarizeUsageDays', () => {
  const dayRow = (day: string, runId: string, model: string | null, credits: bigint, usdNanos: bigint | null = null): DayUsageRow => ({
    day,
    runId,
    model,
    credits,
    requests: 1,
    tokensIn: 10n,
    tokensOut: 1n,
    usdNanos,
    usdRequests: usdNanos === null ? 0 : 1,
  });
  const dayRuns = [
    { runId: 'c-1', charterId: 'governance:community' },
    { runId: 'c-2', charterId: 'governance:community' },
    { runId: 'e-1', charterId: 'governance:engineering' },
    { runId: 'e-1', charterId: 'governance:community' }, // a run_id the ledger repeats: its first run counts
  ];

  it('gives each day its totals, charters and models as compact entries, most credits first; null keys for no charter and no model', () => {
    const days = summarizeUsageDays(
      {
        details: 'available',
        rows: [
          dayRow('2026-11-19', 'c-1', 'anthropic/claude', 300n, 3_000n),
          dayRow('2026-11-19', 'c-2', 'openai/gpt', 100n),
          dayRow('2026-11-19', 'e-1', 'openai/gpt', 500n),
          dayRow('2026-11-19', 'promo-7', null, 7n),
          dayRow('2026-11-19', 'x-9', 'openai/gpt', 2n), // a run outside the stretch
          dayRow('2026-11-18', 'e-1', 'openai/gpt', 1n),
        ],
      },
      dayRuns,
    );
    expect([...days!.keys()]).toEqual(['2026-11-18', '2026-11-19']);
    expect(days!.get('2026-11-19')).toEqual({
      total: ['909', 5, '50', '5', '0.000003'],
      charters: [
        ['governance:engineering', '500', 1, '10', '1', null],
        ['governance:community', '400', 2, '20', '2', '0.000003'],
        [null, '9', 2, '20', '2', null],
      ],
      chartersOther: null,
      models: [
        ['openai/gpt', '602', 3, '30', '3', null],
        ['anthropic/claude', '300', 1, '10', '1', '0.000003'],
        [null, '7', 1, '10', '1', null],
      ],
      modelsOther: null,
    });
    for (const day of days!.values()) expect(z.safeParse(dayUsageSchema, day).success).toBe(true);
  });

  it('caps a day at 10 charters and 10 models, the rest summed', () => {
    const rows = Array.from({ length: 12 }, (_, i) => dayRow('2026-11-19', `r-${i}`, `model-${i}`, BigInt(10 + i)));
    const day = summarizeUsageDays({ details: 'available', rows }, rows.map((r, i) => ({ runId: r.runId, charterId: `governance:c${i}` })))!.get('2026-11-19')!;
    expect(day.charters).toHaveLength(10);
    expect(day.chartersOther).toEqual(['21', 2, '20', '2', null]);
    expect(day.models).toHaveLength(10);
    expect(day.modelsOther).toEqual(['21', 2, '20', '2', null]);
  });

  it('has an empty day for a day without receipts, valid against the contract', () => {
    expect(emptyDayUsage()).toEqual({ total: ['0', 0, '0', '0', null], charters: [], chartersOther: null, models: [], modelsOther: null });
    expect(z.safeParse(dayUsageSchema, emptyDayUsage()).success).toBe(true);
  });

  it('is null when the details are unavailable', () => {
    expect(summarizeUsageDays({ details: 'no_permission', rows: [] }, dayRuns)).toBeNull();
  });
});
