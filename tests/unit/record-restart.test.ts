// The first history a worker publishes after a start shows the archive's figures for the days it
// holds, as every later one does: a day whose ledger rows were pruned since it was archived is not
// published as the ledger's recount for a tick (which the page and the verify command would name as
// differing from the signed record).
import { describe, expect, it } from 'vitest';
import type { ArchiveDay } from '../../shared/archive-contract.ts';
import { archiveDayFileName } from '../../shared/archive-files.ts';
import { historyDiffersOn } from '../../shared/archive-history.ts';
import { historyFileName } from '../../shared/constants.ts';
import type { GovernanceHistory } from '../../shared/contract.ts';
import { defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { createLogger } from '../../worker/logger.ts';
import { createFakeSource, schedule, type FakeData, type FakeRun } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const minute = 60_000;
const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000, rules: defaultRules };

/** Engineering succeeds every 10 minutes from 2026-11-17. */
function working(): FakeData {
  const runs: FakeRun[] = [];
  for (let time = Date.parse('2026-11-17T00:00:00Z'); time < Date.parse('2026-11-21T13:00:00Z'); time += 10 * minute) {
    runs.push({ scheduleId: 'schedule-engineering', runId: `e-${time}`, status: 'success', scheduledFor: new Date(time), startedAt: new Date(time + 2_000), completedAt: new Date(time + 40_000) });
  }
  return { balance: 100_000_000_000n, receipts: [], schedules: [schedule('engineering', '*/10 * * * *')], runs, threads: [] };
}

describe('a worker that starts beside an archive', () => {
  it('publishes the archived figures of a day whose rows were pruned since, from its first history on', async () => {
    const data = working();
    const { store, files } = createMemoryStore();
    let now = new Date('2026-11-21T12:00:00Z');
    const start = () => createPublisher({ source: createFakeSource(data), store, clock: () => now, logger: createLogger(() => {}) }, settings, { feeds: null });
    await start()(); // archives the closed days
    const archivedDay = JSON.parse(files.get(archiveDayFileName('2026-11-19'))!) as ArchiveDay;
    expect(archivedDay.charters.find((charter) => charter.id === 'governance:engineering')).toMatchObject({ succeeded: 144 });

    // the ledger's rows of 2026-11-19 are pruned; another worker starts
    data.runs = data.runs.filter((run) => !run.scheduledFor.toISOString().startsWith('2026-11-19'));
    now = new Date(now.getTime() + minute);
    await start()();
    const history = JSON.parse(files.get(historyFileName)!) as GovernanceHistory;
    expect(history.days.find((day) => day.date === '2026-11-19')!.charters['governance:engineering']).toMatchObject({ succeeded: 144 });
    const archived = ['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'].flatMap((day) => (files.has(archiveDayFileName(day)) ? [JSON.parse(files.get(archiveDayFileName(day))!) as ArchiveDay] : []));
    expect(archived.length).toBeGreaterThanOrEqual(3);
    expect(historyDiffersOn(history, archived).differing).toEqual([]);
  });

  it('publishes all the same when the archive hangs before its first snapshot: the read is given up (archiveReadBeforeSnapshotMs)', async () => {
    const data = working();
    const { store, files } = createMemoryStore();
    let now = new Date('2026-11-21T12:00:00Z');
    const start = (from: typeof store) => createPublisher({ source: createFakeSource(data), store: from, clock: () => now, logger: createLogger(() => {}) }, settings, { feeds: null });
    await start(store)(); // archives the closed days
    // another worker starts, and its first read of the archive's index never answers unless it is given up
    let hung: 'waiting' | 'given up' | null = null;
    const hanging = {
      ...store,
      get(name: string, signal?: AbortSignal) {
        if (name !== 'governance-archive.json' || hung !== null) return store.get(name, signal);
        hung = 'waiting';
        return new Promise<string | null>((_, reject) => signal?.addEventListener('abort', () => ((hung = 'given up'), reject(signal.reason)), { once: true }));
      },
    };
    now = new Date(now.getTime() + minute);
    expect(await start(hanging)()).toMatchObject({ outcome: 'written' });
    expect(hung).toBe('given up');
    expect(files.get('governance-status.json')).toContain(now.toISOString().slice(0, 16));
  }, 15_000);

  it('publishes all the same when the archive cannot be read before its first snapshot, and shows its figures from the tick after', async () => {
    const data = working();
    const { store, files } = createMemoryStore();
    let now = new Date('2026-11-21T12:00:00Z');
    let failIndex = false;
    const flaky = { ...store, get: async (name: string, signal?: AbortSignal) => (failIndex && name === 'governance-archive.json' ? Promise.reject(new Error('SlowDown')) : store.get(name, signal)) };
    const start = () => createPublisher({ source: createFakeSource(data), store: flaky, clock: () => now, logger: createLogger(() => {}) }, settings, { feeds: null });
    await start()();
    data.runs = data.runs.filter((run) => !run.scheduledFor.toISOString().startsWith('2026-11-19'));
    const engineeringOn = (date: string) => (JSON.parse(files.get(historyFileName)!) as GovernanceHistory).days.find((day) => day.date === date)!.charters['governance:engineering'];
    failIndex = true;
    now = new Date(now.getTime() + minute);
    const restarted = start();
    expect(await restarted()).toMatchObject({ outcome: 'written' });
    expect(files.get('governance-status.json')).toContain(now.toISOString().slice(0, 16));
    // that tick showed the ledger's recount, and its archive step failed too; once that step reads the archive again, its figures
    expect(engineeringOn('2026-11-19')).toMatchObject({ succeeded: 0 });
    failIndex = false;
    for (const tick of [1, 2]) {
      now = new Date(now.getTime() + minute);
      await restarted();
      if (tick === 2) expect(engineeringOn('2026-11-19')).toMatchObject({ succeeded: 144 });
    }
  });

  it('says the archive is behind while a day of another chain stands where the next day goes, and archives it once that is removed', async () => {
    const data = working();
    const { store, files } = createMemoryStore();
    let now = new Date('2026-11-21T12:00:00Z');
    const publish = createPublisher({ source: createFakeSource(data), store, clock: () => now, logger: createLogger(() => {}) }, settings, { feeds: null });
    await publish(); // archives the days up to 2026-11-20
    const planted = archiveDayFileName('2026-11-21');
    files.set(planted, JSON.stringify({ ...JSON.parse(files.get(archiveDayFileName('2026-11-20'))!), day: '2026-11-21', closedAt: '2026-11-22T01:00:00.000Z', prev: 'f'.repeat(64) }));
    const behindAfter = async (minutes: number) => {
      now = new Date(Date.parse('2026-11-22T12:00:00Z') + minutes * minute);
      return (await publish()).snapshot.filesBehind;
    };
    const since = '2026-11-22T12:00:00.000Z';
    expect(await behindAfter(0)).toEqual([]); // the day closes: the conflict is found after this snapshot went out
    expect(await behindAfter(1)).toEqual([{ name: 'governance-archive.json', since }]);
    expect(await behindAfter(2)).toEqual([{ name: 'governance-archive.json', since }]);
    files.delete(planted);
    expect(await behindAfter(3)).toEqual([{ name: 'governance-archive.json', since }]);
    expect(await behindAfter(4)).toEqual([]);
    expect(JSON.parse(files.get(planted)!)).toMatchObject({ day: '2026-11-21', prev: JSON.parse(files.get('governance-archive.json')!).days.at(-2).sha256 });
  });
});
