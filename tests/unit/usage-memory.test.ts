// What the worker remembers of usage (worker/usage-memory.ts): tick after tick, reading only the
// minutes it does not know, it must give the same window usage as a read of the whole window, and
// heal when a receipt arrives late into an older hour or the details become readable.
import { describe, expect, it } from 'vitest';
import type { GovernanceQuery, UsageRow } from '../../shared/ports.ts';
import { createUsageMemory, emptyUsageMemory, planUsageRead, type UsageRange } from '../../worker/usage-memory.ts';
import { createFakeSource, type FakeData, type FakeReceipt } from '../support/fake-source.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const start = Date.parse('2026-11-21T12:00:30.000Z');
const models = ['anthropic/claude', 'openai/gpt', 'google/gemini'];

/**
 * A charter's two calls a run, 20 s apart, and an adjustment every 5 hours: receipts in [from, to).
 * It runs every minute where the ticks' windows begin and end (their first minutes, their new ones)
 * and every 5 minutes in between, so that each read stays small.
 */
function receiptsBetween(from: number, to: number): FakeReceipt[] {
  const out: FakeReceipt[] = [];
  const dense = (slot: number) => (slot >= start - day - 10 * minute && slot < start - day + 2 * hour) || slot >= start - 30 * minute;
  for (let slot = Math.ceil(from / minute) * minute; slot < to; slot += minute) {
    if (!dense(slot) && slot % (5 * minute) !== 0) continue;
    for (let call = 0; call < 2; call++) {
      const at = slot + (call + 1) * 20_000;
      if (at < from || at >= to) continue;
      out.push({
        at: new Date(at),
        credits: BigInt(1_000 + ((slot / minute) % 97) * 10 + call),
        runId: `heartbeat-${slot / minute}`,
        usdNanos: call === 1 ? undefined : BigInt(100 + call),
        details: { model: models[call]!, agent: 'langgraph:heartbeat', tokensIn: 50 + call, tokensOut: 5 },
      });
    }
    if (slot % (5 * hour) === 0) out.push({ at: new Date(slot + 5_000), credits: 77n, runId: `adjustment-${slot}` });
  }
  return out;
}

// Every receipt up to the last tick: a read sees those before its `now` only.
const allReceipts = receiptsBetween(start - 26 * hour, start + 2 * hour);
function dataAt(_now: number): FakeData {
  return { balance: 10n ** 12n, receipts: [...allReceipts], schedules: [], runs: [], threads: [] };
}

const queryAt = (now: number, usageRanges?: GovernanceQuery['usageRanges']): GovernanceQuery => ({
  now: new Date(now),
  principalId: 'system',
  billingAccountId: 'account',
  spendFrom: new Date(now - day),
  hoursFrom: new Date(Math.floor(now / hour) * hour - 23 * hour),
  spendHoursFrom: new Date(Math.floor((now - day) / hour) * hour),
  runsFrom: new Date(now - day),
  windowStart: new Date(now - day),
  failedFrom: new Date(now - day),
  failedLimit: 10,
  threadsLimit: 10,
  ...(usageRanges && { usageRanges }),
});

/** The rows without their minute, in one order: equal sums per run, model and agent compare equal. */
const sorted = (rows: readonly UsageRow[]) =>
  rows
    .map(({ runId, model, agent, credits, requests, tokensIn, tokensOut, usdNanos, usdRequests }) => ({ key: `${runId} ${model} ${agent}`, runId, model, agent, credits, requests, tokensIn, tokensOut, usdNanos, usdRequests }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/** The window's usage as a read of the whole window gives it: the rows summed over minutes. */
async function fullRead(data: FakeData, now: number) {
  const facts = await createFakeSource(data).readGovernanceFacts(queryAt(now));
  const memory = createUsageMemory();
  memory.rangesFor(now, now - day);
  return { usage: memory.apply(facts), spent: facts.spentSinceSpendFrom };
}

const minutesIn = (ranges: ReadonlyArray<{ from: Date; to: Date }>) => ranges.reduce((sum, range) => sum + (range.to.getTime() - range.from.getTime()) / minute, 0);

describe('usage memory', () => {
  it('gives, tick after tick, what a read of the whole window gives, reading a few minutes a tick and everything every refresh', async () => {
    const memory = createUsageMemory({ marginMs: 10 * minute, refreshMs: 20 * minute });
    const read: number[] = [];
    for (let tick = 0; tick <= 41; tick++) {
      const now = start + tick * minute + (tick % 3) * 7_000; // ticks that are not exactly a minute apart
      const data = dataAt(now);
      const ranges = memory.rangesFor(now, now - day);
      read.push(minutesIn(ranges));
      const facts = await createFakeSource(data).readGovernanceFacts(queryAt(now, ranges));
      const usage = memory.apply(facts);
      const whole = await fullRead(data, now);
      expect([tick, sorted(usage.rows)]).toEqual([tick, sorted(whole.usage.rows)]);
      expect(usage.rows.reduce((sum, row) => sum + row.credits, 0n)).toBe(whole.spent);
    }
    // the first tick and one every 20 minutes read the whole day; the others the margin, the window's first minute and the new one
    expect(read.filter((minutes) => minutes >= 24 * 60 - 1)).toHaveLength(3);
    expect(Math.max(...read.filter((minutes) => minutes < 24 * 60 - 1))).toBeLessThanOrEqual(13);
  });

  it('heals a receipt that arrives late into an older hour one tick after the spend shows it', async () => {
    const memory = createUsageMemory();
    const late: FakeReceipt = { at: new Date(start - 5 * hour + 123), credits: 5_000n, runId: 'late-run', details: { model: 'openai/gpt', agent: 'x' } };
    const results: bigint[] = [];
    for (let tick = 0; tick < 4; tick++) {
      const now = start + tick * minute;
      const data = dataAt(now);
      if (tick >= 1) data.receipts.push(late); // committed between the first and the second tick
      const facts = await createFakeSource(data).readGovernanceFacts(queryAt(now, memory.rangesFor(now, now - day)));
      const usage = memory.apply(facts);
      results.push(usage.rows.filter((row) => row.runId === 'late-run').reduce((sum, row) => sum + row.credits, 0n));
      if (tick >= 2) expect(sorted(usage.rows)).toEqual(sorted((await fullRead(data, now)).usage.rows));
    }
    // unseen by the second tick (its spend is the first to show it), read again by the third
    expect(results).toEqual([0n, 0n, 5_000n, 5_000n]);
  });

  it('reads everything again when what the details allow changes, and after forget()', async () => {
    const memory = createUsageMemory();
    const states: Array<['full' | 'part', string]> = [];
    for (const [tick, details] of [[0, 'available'], [1, 'available'], [2, 'no_permission'], [3, 'no_permission'], [4, 'available'], [5, 'available']] as const) {
      const now = start + tick * minute;
      const data = { ...dataAt(now), usageDetails: details };
      const ranges = memory.rangesFor(now, now - day);
      const usage = memory.apply(await createFakeSource(data).readGovernanceFacts(queryAt(now, ranges)));
      states.push([minutesIn(ranges) >= 24 * 60 - 1 ? 'full' : 'part', usage.details]);
      if (tick === 3 || tick === 5) expect(sorted(usage.rows)).toEqual(sorted((await fullRead(data, now)).usage.rows));
    }
    expect(states).toEqual([
      ['full', 'available'],
      ['part', 'available'],
      ['part', 'no_permission'], // the change is seen in this read: the next reads all
      ['full', 'no_permission'],
      ['part', 'no_permission'], // readable again, but the minutes kept were read without: unavailable until read again
      ['full', 'available'],
    ]);
    memory.forget();
    expect(minutesIn(memory.rangesFor(start + 6 * minute, start + 6 * minute - day))).toBeGreaterThanOrEqual(24 * 60 - 1);
  });

  it('plans disjoint, ascending ranges, and reads everything without a previous read, after a gap or when the clock went back', () => {
    expect(planUsageRead(emptyUsageMemory, start, start - day)).toEqual({ ranges: [{ from: start - day, to: start }], full: true });
    const state = { ...emptyUsageMemory, details: 'available' as const, readAt: start, fullAt: start };
    const next = planUsageRead(state, start + minute, start + minute - day);
    const windowFrom = start + minute - day;
    expect(next.full).toBe(false);
    expect(next.ranges).toEqual([
      { from: windowFrom, to: Math.ceil(windowFrom / minute) * minute }, // the window's partial first minute
      { from: Math.floor((start - 10 * minute) / minute) * minute, to: start + minute }, // the margin and the new minute
    ]);
    const disjoint = (ranges: UsageRange[]) => ranges.every((range, index) => range.from < range.to && (index === 0 || ranges[index - 1]!.to < range.from));
    expect(disjoint(next.ranges)).toBe(true);
    expect(planUsageRead(state, start - minute, start - minute - day).full).toBe(true); // the clock went back
    expect(planUsageRead(state, start + day, start).full).toBe(true); // a gap longer than the window
    expect(planUsageRead(state, start + 6 * hour - minute, start + 6 * hour - minute - day).full).toBe(false);
    expect(planUsageRead(state, start + 6 * hour, start + 6 * hour - day).full).toBe(true); // the refresh, every 6 hours by default
  });
});
