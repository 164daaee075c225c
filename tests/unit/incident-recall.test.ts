// What a worker that starts recalls of the system's incidents when the published history is behind
// the published snapshot (the history's write failed, the snapshot's did not): the newer file's word
// wins. An incident the newer snapshot no longer names open ended by then; it is not brought back.
import { describe, expect, it } from 'vitest';
import { jsonFeedFileName, type GovernanceHistory, type Incident, type StatusIncident } from '../../shared/contract.ts';
import { recalledIncidents } from '../../shared/incidents.ts';
import { defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { createLogger } from '../../worker/logger.ts';
import { publishedOpenIncidents } from '../../worker/side-files.ts';
import { createFakeSource, schedule, type FakeData, type FakeRun } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const exhausted: StatusIncident = { id: 'status:credits_exhausted@2026-11-21T07:00:00.000Z', code: 'credits_exhausted', startedAt: '2026-11-21T07:00:00.000Z', resolvedAt: null };
const engineering: Incident = { id: 'governance:engineering@2026-11-21T06:00:00.000Z', charterId: 'governance:engineering', kind: 'failed', startedAt: '2026-11-21T06:00:00.000Z', resolvedAt: null, runs: 3, errorCodes: [] };
const history = { incidents: [engineering], statusIncidents: [exhausted], generatedAt: '2026-11-21T08:00:00.000Z' };

describe('a system incident the history holds open', () => {
  it('ended when a newer snapshot no longer names it open: resolved at that snapshot, not brought back', () => {
    const recalled = recalledIncidents(history, { generatedAt: '2026-11-21T08:30:00.000Z', ids: [] });
    expect(recalled.statusIncidents).toEqual([{ ...exhausted, resolvedAt: '2026-11-21T08:30:00.000Z' }]);
    // a charter's incident is the ledger's to judge (and a snapshot lists only its first charters): kept as the history says
    expect(recalled.incidents).toEqual([engineering]);
  });

  it('ended when the feeds said it did, if that lies between its start and the snapshot', () => {
    const recall = (said: string) => recalledIncidents(history, { generatedAt: '2026-11-21T08:30:00.000Z', ids: [] }, new Map([[exhausted.id, said]])).statusIncidents?.[0]?.resolvedAt;
    expect(recall('2026-11-21T08:10:00.000Z')).toBe('2026-11-21T08:10:00.000Z');
    // not a time it can have ended at: the snapshot's instant, as without the feeds
    expect(recall('2026-11-21T06:00:00.000Z')).toBe('2026-11-21T08:30:00.000Z');
    expect(recall('2026-11-21T09:00:00.000Z')).toBe('2026-11-21T08:30:00.000Z');
    expect(recall('yesterday')).toBe('2026-11-21T08:30:00.000Z');
  });

  it('stays open when the snapshot still names it, is older than the history, or says nothing', () => {
    expect(recalledIncidents(history, { generatedAt: '2026-11-21T08:30:00.000Z', ids: [exhausted.id] }).statusIncidents).toEqual([exhausted]);
    // the history is the newer: the snapshot was written before the incident opened (its own write failed since)
    expect(recalledIncidents(history, { generatedAt: '2026-11-21T07:59:00.000Z', ids: [] }).statusIncidents).toEqual([exhausted]);
    expect(recalledIncidents(history, { generatedAt: '2026-11-21T08:00:00.000Z', ids: [] }).statusIncidents).toEqual([exhausted]);
    expect(recalledIncidents(history, { generatedAt: null, ids: [] }).statusIncidents).toEqual([exhausted]);
  });

  it('a snapshot without openIncidents (a worker from before them) says nothing of what is open', () => {
    const old = publishedOpenIncidents(JSON.stringify({ schemaVersion: 1, generatedAt: '2026-11-21T08:30:00.000Z', status: 'healthy' }));
    expect(recalledIncidents(history, old).statusIncidents).toEqual([exhausted]);
  });
});

const minute = 60_000;
const logger = createLogger(() => {});
const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000, rules: defaultRules };
const feeds = { pageUrl: 'https://status.example.org/', atomUrl: 'https://status.example.org/governance-feed.xml', jsonUrl: 'https://status.example.org/governance-feed.json' };

/** Engineering succeeds every 10 minutes; the balance is set per tick. */
function working(): FakeData {
  const runs: FakeRun[] = [];
  for (let time = Date.parse('2026-11-20T00:00:00Z'); time < Date.parse('2026-11-21T13:00:00Z'); time += 10 * minute) {
    runs.push({ scheduleId: 'schedule-engineering', runId: `e-${time}`, status: 'success', scheduledFor: new Date(time), startedAt: new Date(time + 2_000), completedAt: new Date(time + 40_000) });
  }
  return { balance: 0n, receipts: [], schedules: [schedule('engineering', '*/10 * * * *')], runs, threads: [] };
}

/** The JSON Feed's entries as `<date> <title>`. */
const feedOf = (files: Map<string, string>) => (JSON.parse(files.get(jsonFeedFileName)!) as { items: Array<{ title: string; date_published: string }> }).items.map((item) => `${item.date_published} ${item.title}`);

describe('a restart after the history’s write failed and the snapshot’s did not', () => {
  /** `behindTicks`: the ticks after the resolution whose history write fails (the snapshots' do not). */
  async function restartBehind(balanceAfter: bigint, behindTicks = 1) {
    const data = working();
    const { store, files } = createMemoryStore();
    let now = new Date('2026-11-21T12:00:00Z');
    let failHistory = false;
    const flaky = { ...store, put: async (name: string, body: string, signal?: AbortSignal) => (failHistory && name === 'governance-history.json' ? Promise.reject(new Error('SlowDown')) : store.put(name, body, signal)) };
    const start = () => createPublisher({ source: createFakeSource(data), store: flaky, clock: () => now, logger }, settings, { feeds });
    const first = start();
    await first(); // 12:00, no credits: the system's incident opens
    data.balance = 100_000_000_000n;
    failHistory = true;
    for (let tick = 1; tick <= behindTicks; tick += 1) {
      now = new Date(Date.parse('2026-11-21T12:00:00Z') + tick * minute);
      await first(); // 12:01, credits again: resolved in the snapshot and the feeds, the history's write fails (and at every later tick)
    }
    const feedBefore = feedOf(files);
    failHistory = false;
    now = new Date(Date.parse('2026-11-21T12:01:00Z') + behindTicks * minute);
    data.balance = balanceAfter;
    await start()(); // a new process reads the old history, the new snapshot and the feeds
    return { feedBefore, feedAfter: feedOf(files), history: JSON.parse(files.get('governance-history.json')!) as GovernanceHistory };
  }

  it('keeps the resolution the feeds published: it does not move', async () => {
    const { feedBefore, feedAfter, history } = await restartBehind(100_000_000_000n);
    expect(feedBefore).toContain('2026-11-21T12:01:00.000Z Credits restored after 1 min');
    expect(feedAfter).toEqual(feedBefore);
    expect(history.statusIncidents).toEqual([{ id: 'status:credits_exhausted@2026-11-21T12:00:00.000Z', code: 'credits_exhausted', startedAt: '2026-11-21T12:00:00.000Z', resolvedAt: '2026-11-21T12:01:00.000Z' }]);
  });

  it('keeps the resolution the feeds published when the history stayed behind for several ticks: not the latest snapshot’s instant', async () => {
    const { feedBefore, feedAfter, history } = await restartBehind(100_000_000_000n, 3);
    expect(feedBefore).toContain('2026-11-21T12:01:00.000Z Credits restored after 1 min');
    expect(feedAfter).toEqual(feedBefore);
    expect(history.statusIncidents?.[0]?.resolvedAt).toBe('2026-11-21T12:01:00.000Z');
  });

  it('a new outage is a new incident: the ended one is not reopened', async () => {
    const { history } = await restartBehind(0n);
    expect(history.statusIncidents).toEqual([
      { id: 'status:credits_exhausted@2026-11-21T12:02:00.000Z', code: 'credits_exhausted', startedAt: '2026-11-21T12:02:00.000Z', resolvedAt: null },
      { id: 'status:credits_exhausted@2026-11-21T12:00:00.000Z', code: 'credits_exhausted', startedAt: '2026-11-21T12:00:00.000Z', resolvedAt: '2026-11-21T12:01:00.000Z' },
    ]);
  });
});

describe('a restart whose read of one published file fails (a bucket’s 503 on its GET)', () => {
  it.each(['governance-feed.json', 'governance-history.json', 'governance-status.json'])(
    '%s: the tick fails naming the file and the read, writes nothing, and the next tick recalls the open incident under its id',
    async (unreadable) => {
      const data = working();
      const { store, files } = createMemoryStore();
      let now = new Date('2026-11-21T12:00:00Z');
      await createPublisher({ source: createFakeSource(data), store, clock: () => now, logger }, settings, { feeds })(); // 12:00, no credits: the system's incident opens
      let failing = true;
      const flaky = { ...store, get: (name: string, signal?: AbortSignal) => (failing && name === unreadable ? Promise.reject(Object.assign(new Error('UnknownError'), { $metadata: { httpStatusCode: 503 } })) : store.get(name, signal)) };
      const before = new Map(files);
      const restarted = createPublisher({ source: createFakeSource(data), store: flaky, clock: () => now, logger }, settings, { feeds });
      now = new Date('2026-11-21T12:01:00Z');
      await expect(restarted()).rejects.toThrow(new RegExp(`^${unreadable.replace('.', '\\.')} could not be read back \\(get: UnknownError\\)`));
      expect(files).toEqual(before);
      failing = false;
      now = new Date('2026-11-21T12:02:00Z');
      expect((await restarted()).outcome).toBe('written');
      expect(JSON.parse(files.get('governance-status.json')!)).toMatchObject({ generatedAt: '2026-11-21T12:02:00.000Z', openIncidents: ['status:credits_exhausted@2026-11-21T12:00:00.000Z'] });
    },
  );
});
