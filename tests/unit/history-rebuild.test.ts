// What the history rebuild keeps between ticks (worker/history-rebuild.ts): a rebuild cut short goes
// on at the next tick only while it is still the same rebuild, not after a reset or a new horizon.
import { describe, expect, it } from 'vitest';
import { createHistoryKeeper, type KeeperRules } from '../../worker/history-keeper.ts';
import { createHistoryRebuild } from '../../worker/history-rebuild.ts';
import { createMemory } from '../../worker/memory.ts';
import { createFakeSource } from '../support/fake-source.ts';

const hour = 3_600_000;
const day = 24 * hour;
const rules: KeeperRules = { graceMs: 600_000, stuckAfterMs: hour, recoveringMs: hour, incidentAfterRuns: 2, incidentAfterMs: hour };
const now = Date.parse('2026-03-10T12:00:00Z');

/** A rebuild whose source aborts the first run after `stopAfter` days read: the tick's timeout. */
async function cutShort(stopAfter: number) {
  const source = createFakeSource({ balance: 0n, receipts: [], schedules: [], runs: [], threads: [] });
  const keeper = createHistoryKeeper(rules);
  const rebuild = createHistoryRebuild({ source, keeper, memory: createMemory(rules), principalId: 'p', billingAccountId: 'b', graceMs: rules.graceMs });
  const controller = new AbortController();
  const readHistory = source.readHistory.bind(source);
  source.readHistory = async (query) => {
    if (source.calls.filter((call) => call.startsWith('history')).length >= stopAfter) controller.abort(new Error('snapshot timed out'));
    return readHistory(query);
  };
  await expect(rebuild.run(now, controller.signal)).rejects.toThrow('snapshot timed out');
  source.readHistory = readHistory;
  const calls = () => source.calls.filter((call) => call === 'earlier' || call.startsWith('history'));
  return { keeper, rebuild, calls };
}

describe('the history rebuild', () => {
  it('starts again from the horizon after reset, reading what came before it again', async () => {
    const { keeper, rebuild, calls } = await cutShort(10);
    const before = calls().length;
    rebuild.reset();
    keeper.reset(); // as the snapshot builder's reset does: the keeper forgets what begin() recalled
    await rebuild.run(now);
    expect(calls().slice(before, before + 2)).toEqual(['earlier', 'history 2025-12-11']);
    expect(calls().slice(before).filter((call) => call.startsWith('history'))).toHaveLength(89);
    expect(keeper.ready(now)).toBe(true);
  });

  it('starts again when a new UTC day moved the horizon since it was cut short', async () => {
    const { rebuild, calls } = await cutShort(10);
    const before = calls().length;
    await rebuild.run(now + day);
    expect(calls().slice(before, before + 2)).toEqual(['earlier', 'history 2025-12-12']);
  });
});
