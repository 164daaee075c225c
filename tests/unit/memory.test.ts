// What the worker remembers between ticks (worker/memory.ts): each charter's latest success, folded in
// from every read, kept only for the charters the tick still lists, and forgotten by a replica that
// stops leading.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/charter-state.ts';
import type { ScheduleFacts } from '../../shared/ports.ts';
import { cleanCharterRows } from '../../worker/judge-charters.ts';
import { createMemory } from '../../worker/memory.ts';

const run = (runId: string, status: RunRecord['status'], scheduledFor: number): RunRecord => ({
  runId,
  status,
  scheduledFor,
  startedAt: scheduledFor,
  completedAt: status === 'running' ? null : scheduledFor + 1_000,
  code: status === 'error' ? 'insufficient_credits' : null,
});

describe('createMemory', () => {
  it('keeps each charter\'s latest success across reads, whichever order they come in', () => {
    const memory = createMemory({ graceMs: 600_000 });
    memory.load(new Map([['a', run('a-1', 'success', 1_000)], ['b', null]]));
    memory.see(new Map([['a', [run('a-2', 'success', 2_000), run('a-3', 'error', 3_000)]], ['b', [run('b-1', 'error', 2_000)]]]));
    memory.see(new Map([['a', [run('a-0', 'success', 500)]]])); // an older row, read again
    expect(memory.lastSuccessOf('a')?.runId).toBe('a-2');
    expect(memory.lastSuccessOf('b')).toBeNull();
  });

  it('forgets the charters a tick no longer lists (keepOnly), and everything on reset()', () => {
    const memory = createMemory({ graceMs: 600_000 });
    memory.load(new Map([['a', run('a-1', 'success', 1_000)], ['b', run('b-1', 'success', 1_000)]]));
    memory.keepOnly(new Set(['a']));
    expect(memory.lastSuccessOf('a')?.runId).toBe('a-1');
    expect(memory.lastSuccessOf('b')).toBeNull();
    memory.reset();
    expect(memory.lastSuccessOf('a')).toBeNull();
  });

  it('computes a due rule once per schedule, and again when the row or its slots change', () => {
    const memory = createMemory({ graceMs: 600_000 });
    const now = Date.parse('2026-12-05T12:00:00Z');
    const row = (change: Partial<ScheduleFacts> = {}) => {
      const facts: ScheduleFacts = {
        scheduleId: 'a', temporalScheduleId: 'governance:a', cron: '0 * * * *', timezone: 'UTC', enabled: true,
        updatedAt: new Date('2026-12-05T09:30:00Z'), lastRunAt: new Date('2026-12-05T11:00:00Z'), slotsBeforeChange: [new Date('2026-12-05T09:00:00Z')], ...change,
      };
      return cleanCharterRows([facts], now)[0]!;
    };
    const rule = memory.ruleOf(row());
    expect(memory.ruleOf(row())).toBe(rule); // another read of the same row
    const paused = memory.ruleOf(row({ enabled: false }));
    expect(paused).not.toBe(rule);
    expect(paused).not.toEqual(rule);
    const moved = memory.ruleOf(row({ slotsBeforeChange: [new Date('2026-12-05T09:10:00Z')] }));
    expect(moved).not.toBe(rule);
    expect(memory.ruleOf(row({ cron: '*/30 * * * *' }))).not.toBe(moved);
  });
});
