// What a worker that starts, or leads anew, takes from the snapshot found at its destination: that
// snapshot's dataAsOf bounds its first tick's data from below; once this worker has written its own
// snapshot over it, the destination no longer holds it, and it bounds nothing.
import { describe, expect, it } from 'vitest';
import { defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { createLogger } from '../../worker/logger.ts';
import { createFakeSource, schedule, type FakeData, type FakeRun } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const minute = 60_000;
const at = (iso: string) => new Date(iso);
const logger = createLogger(() => {});
const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 3 * minute, rules: defaultRules };

function everyFiveMinutes(until: string): FakeData {
  const ids = ['engineering', 'community'];
  const runs: FakeRun[] = ids.flatMap((id) => {
    const list: FakeRun[] = [];
    for (let time = Date.parse('2026-11-20T00:00:00Z'); time < Date.parse(until); time += 5 * minute) {
      list.push({ scheduleId: `schedule-${id}`, runId: `${id}-${time}`, status: 'success', scheduledFor: new Date(time), startedAt: new Date(time + 2_000), completedAt: new Date(time + 40_000) });
    }
    return list;
  });
  return { balance: 10_000_000_000n, receipts: [], schedules: ids.map((id) => schedule(id, '*/5 * * * *')), runs, threads: [] };
}

describe('a published dataAsOf after the database’s now, then written over by this worker', () => {
  it('holds back no later tick: the destination holds this worker’s own snapshot', async () => {
    const data = everyFiveMinutes('2026-11-21T14:00:00Z');
    let now = at('2026-11-21T12:42:00Z');
    let reading = { dataAsOf: now, lsn: 500n };
    const { store, files } = createMemoryStore();
    // a snapshot made by a database whose clock was 18 minutes ahead (or a file not a worker's)
    files.set('governance-status.json', JSON.stringify({ generatedAt: '2026-11-21T13:00:00.000Z', dataAsOf: '2026-11-21T13:00:00.000Z' }));
    const source = createFakeSource(data, { clock: () => ({ now, dataAsOf: reading.dataAsOf, replica: true, lsn: reading.lsn }) });
    const publish = createPublisher({ source, store, clock: () => now, logger }, settings);
    const tick = (time: string) => {
      now = at(time);
      if (reading.lsn === 500n && now > at('2026-11-21T12:42:00Z')) reading = { dataAsOf: at('2026-11-21T03:00:00Z'), lsn: 500n }; // replay paused after 12:42
      return publish();
    };
    expect((await tick('2026-11-21T12:42:00Z')).outcome).toBe('written'); // the file from the future is written over
    expect(JSON.parse(files.get('governance-status.json')!).dataAsOf).toBe('2026-11-21T12:42:00.000Z');
    // the standby's replay pauses: published as of the last tick's instant, behind (shared/clock.ts dataSince)
    expect((await tick('2026-11-21T12:50:00Z')).outcome).toBe('written');
    expect(JSON.parse(files.get('governance-status.json')!).dataAsOf).toBe('2026-11-21T12:42:00.000Z');
    // past 13:00 the instant read at start, long written over, must not stop it
    for (const time of ['2026-11-21T13:01:00Z', '2026-11-21T13:30:00Z']) {
      expect((await tick(time)).outcome).toBe('written');
      expect(JSON.parse(files.get('governance-status.json')!).dataAsOf).toBe('2026-11-21T12:42:00.000Z');
    }
  });
});

describe('a published dataAsOf after the database’s now, within a replica’s tolerance', () => {
  it('still bounds the ticks once the clock has passed it, while the destination holds it', async () => {
    const data = everyFiveMinutes('2026-11-21T14:00:00Z');
    let now = at('2026-11-21T12:42:00Z');
    let lsn = 500n;
    const { store, files } = createMemoryStore();
    // the last leader's database clock was 30 s ahead: its snapshot is newer, and stays (publish.ts)
    const theirs = JSON.stringify({ generatedAt: '2026-11-21T12:42:30.000Z', dataAsOf: '2026-11-21T12:42:30.000Z' });
    files.set('governance-status.json', theirs);
    // this worker's standby is 40 s behind its primary
    const source = createFakeSource(data, { clock: () => ({ now, dataAsOf: new Date(now.getTime() - 40_000), replica: true, lsn }) });
    const publish = createPublisher({ source, store, clock: () => now, logger }, settings);
    const tick = (time: string) => {
      now = at(time);
      lsn += 1n;
      return publish();
    };
    expect((await tick('2026-11-21T12:42:00Z')).outcome).toBe('refused');
    await expect(tick('2026-11-21T12:43:00Z')).rejects.toThrow(/it is as of 2026-11-21T12:42:20\.000Z, older than the last snapshot's \(2026-11-21T12:42:30\.000Z\)/);
    expect(files.get('governance-status.json')).toBe(theirs);
    expect((await tick('2026-11-21T12:44:00Z')).outcome).toBe('written');
    expect(JSON.parse(files.get('governance-status.json')!).dataAsOf).toBe('2026-11-21T12:43:20.000Z');
  });
});
