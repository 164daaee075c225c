// The runner's memory between runs: one publish at a time, even past its timeout, and a write that
// lands after the timeout is said. Time is counted in events here, never in milliseconds.
import { describe, expect, it } from 'vitest';
import type { GovernanceStatus } from '../../shared/contract.ts';
import { createLogger } from '../../worker/logger.ts';
import type { PublishResult } from '../../worker/publish.ts';
import { createSnapshotRunner } from '../../worker/snapshot-runner.ts';

const written = (generatedAt: string): PublishResult & { skewMs: number } => ({
  outcome: 'written',
  snapshot: { generatedAt, staleAfter: '2026-11-21T12:15:00.000Z', status: 'ok' } as unknown as GovernanceStatus,
  bytes: 100,
  written: [],
  filesBehind: [],
  otherWriter: null,
  skewMs: 0,
});

describe('the snapshot runner', () => {
  it('keeps another writer it saw until the staleAfter of the snapshot that saw it, through runs that did not', async () => {
    const results = [{ ...written('2026-11-21T12:01:00.000Z'), otherWriter: '2026-11-21T12:00:30.000Z' }, written('2026-11-21T12:02:00.000Z')];
    const runner = createSnapshotRunner({ publish: async () => results.shift()!, logger: createLogger(() => {}), timeoutMs: 1_000, destination: 'memory' });
    await runner.run('schedule');
    await runner.run('schedule');
    expect(runner.stats.otherWriter).toEqual({ generatedAt: '2026-11-21T12:00:30.000Z', until: new Date('2026-11-21T12:15:00.000Z') });
    await runner.skip(); // another replica leads now: as a standby it says nothing of it
    expect(runner.stats.otherWriter).toBeNull();
  });

  it('a leader turned standby drops the files it had behind and its last staleAfter: the new leader writes them, and says so', async () => {
    const behind = { ...written('2026-11-21T12:01:00.000Z'), filesBehind: [{ name: 'governance-feed.xml', since: '2026-11-21T12:00:00.000Z' }] };
    const runner = createSnapshotRunner({ publish: async () => behind, logger: createLogger(() => {}), timeoutMs: 1_000, destination: 'memory' });
    await runner.run('schedule');
    expect(runner.stats).toMatchObject({ filesBehind: behind.filesBehind, lastStaleAfter: new Date('2026-11-21T12:15:00.000Z') });
    await runner.skip();
    expect(runner.stats).toMatchObject({ filesBehind: [], lastStaleAfter: null, lastSuccessAt: new Date('2026-11-21T12:01:00.000Z') });
    // and one that lost its lock with the database out of reach
    await runner.run('schedule');
    runner.fail('schedule', new Error('connect ECONNREFUSED'));
    expect(runner.stats).toMatchObject({ filesBehind: [], lastStaleAfter: null, lastError: 'connect ECONNREFUSED' });
  });

  it('a run past its timeout fails and aborts the publish; until that publish settles, a new run is skipped; a late write is said', async () => {
    const lines: Record<string, unknown>[] = [];
    const signals: AbortSignal[] = [];
    let land!: (result: PublishResult & { skewMs: number }) => void;
    const runner = createSnapshotRunner({
      publish: (signal) => {
        signals.push(signal);
        return signals.length === 1 ? new Promise((resolve) => (land = resolve)) : Promise.resolve(written('2026-11-21T12:01:00.000Z'));
      },
      logger: createLogger((line) => lines.push(JSON.parse(line))),
      timeoutMs: 1,
      destination: 'memory',
    });

    expect(await runner.run('schedule', new Date('2026-11-21T12:00:00.000Z'))).toBe('failure');
    expect(signals[0]!.aborted).toBe(true);
    expect(runner.stats).toMatchObject({ lastError: 'snapshot timed out after 1 ms', runs: { failure: 1 } });
    expect(lines.at(-1)).toMatchObject({ event: 'snapshot_failed', trigger: 'schedule', tick: '2026-11-21T12:00:00.000Z' });

    // the timed-out publish still runs: a second one must not start beside it
    expect(await runner.run('schedule')).toBe('skipped');
    expect(signals).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ event: 'snapshot_skipped', reason: 'the previous snapshot is still running' });

    let idle = false;
    const drained = runner.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    land(written('2026-11-21T12:00:00.000Z'));
    await drained;
    expect(lines.at(-1)).toMatchObject({ event: 'snapshot_written_late', trigger: 'schedule', generatedAt: '2026-11-21T12:00:00.000Z', destination: 'memory' });

    expect(await runner.run('schedule')).toBe('success');
    expect(signals).toHaveLength(2);
    expect(runner.stats).toMatchObject({ lastError: null, lastSuccessAt: new Date('2026-11-21T12:01:00.000Z'), runs: { success: 1, failure: 1, skipped: 1 } });
  });

  it('abort() reaches only the run in flight: a finished run has nothing left to abort', async () => {
    const signals: AbortSignal[] = [];
    const runner = createSnapshotRunner({
      publish: async (signal) => {
        signals.push(signal);
        return written('2026-11-21T12:00:00.000Z');
      },
      logger: createLogger(() => {}),
      timeoutMs: 5_000,
      destination: 'memory',
    });
    expect(await runner.run('schedule')).toBe('success');
    runner.abort('this replica lost the leader lock');
    expect(signals[0]!.aborted).toBe(false);
  });
});
