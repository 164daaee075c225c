// What the worker remembers between ticks (worker/memory.ts): each charter's latest success, folded in
// from every read, kept only for the charters the tick still lists, and forgotten by a replica that
// stops leading.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/charter-state.ts';
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
});
