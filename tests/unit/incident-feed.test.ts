// What a subscriber sees over an afternoon of ticks, through the publisher and a store: blips never
// make an entry; an entry once published is only ever resolved, never taken back: not by a tick, a
// restart, a row written long after its grace, or a charter deleted. And one count: a snapshot's
// reason, card and totals count the same runs.
import { describe, expect, it } from 'vitest';
import { jsonFeedFileName, limits, type GovernanceHistory, type GovernanceStatus } from '../../shared/contract.ts';
import { createSnapshotBuilder, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { createLogger } from '../../worker/logger.ts';
import { fitHistory } from '../../worker/side-files.ts';
import { createFakeSource, schedule, type FakeData, type FakeRun } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const minute = 60_000;
const hour = 60 * minute;
const logger = createLogger(() => {});
const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000, rules: defaultRules };
const feeds = { pageUrl: 'https://status.example.org/', atomUrl: 'https://status.example.org/governance-feed.xml', jsonUrl: 'https://status.example.org/governance-feed.json' };
const at = (iso: string) => new Date(iso);

function runsOf(id: string, from: string, to: string, everyMinutes: number, status: (time: Date) => FakeRun['status'] | null): FakeRun[] {
  const runs: FakeRun[] = [];
  for (let time = Date.parse(from); time < Date.parse(to); time += everyMinutes * minute) {
    const scheduledFor = new Date(time);
    const chosen = status(scheduledFor);
    if (chosen === null) continue;
    runs.push({
      scheduleId: `schedule-${id}`,
      runId: `${id}-${scheduledFor.toISOString()}`,
      status: chosen,
      scheduledFor,
      startedAt: new Date(time + 2_000),
      completedAt: new Date(time + 40_000),
      errorCode: chosen === 'error' ? 'insufficient_credits' : null,
      errorMessage: chosen === 'error' ? 'insufficient_credits' : null,
    });
  }
  return runs;
}

const between = (time: Date, from: string, to: string) => time >= at(from) && time < at(to);

/**
 * Engineering (every 10 minutes): one failed run at 10:30 (a blip), every run failing 11:00-11:50
 * while the balance is zero. Daily (12:00): no run today until a row for it is written at 13:30.
 * Gone (hourly): failing since 11:00, deleted at 13:10.
 */
function afternoon(): FakeData {
  return {
    balance: 100_000_000_000n,
    receipts: Array.from({ length: 72 }, (_, index) => ({ at: new Date(Date.parse('2026-11-21T10:00:00Z') - index * hour), credits: 100_000_000n })),
    schedules: [schedule('engineering', '*/10 * * * *'), schedule('daily', '0 12 * * *'), schedule('gone', '0 * * * *')],
    runs: [
      ...runsOf('engineering', '2026-11-19T00:00:00Z', '2026-11-21T14:10:00Z', 10, (time) =>
        time.getTime() === Date.parse('2026-11-21T10:30:00Z') || between(time, '2026-11-21T11:00:00Z', '2026-11-21T12:00:00Z') ? 'error' : 'success',
      ),
      ...runsOf('daily', '2026-11-01T12:00:00Z', '2026-11-21T00:00:00Z', 24 * 60, () => 'success'),
      ...runsOf('gone', '2026-11-19T00:00:00Z', '2026-11-21T14:10:00Z', 60, (time) => (time >= at('2026-11-21T11:00:00Z') ? 'error' : 'success')),
    ],
    threads: [],
  };
}

/** The incident ids the published JSON Feed speaks of, and its entry ids. */
function readFeed(files: Map<string, string>) {
  const items = (JSON.parse(files.get(jsonFeedFileName)!) as { items: Array<{ id: string; url: string }> }).items;
  return { entries: new Set(items.map((item) => item.id)), incidents: new Set(items.map((item) => decodeURIComponent(item.url.split('#incident-')[1]!))) };
}

describe('an afternoon of ticks, as a subscriber sees it', () => {
  it('never loses a published entry, and never publishes a blip', { timeout: 60_000 }, async () => {
    const data = afternoon();
    const { store, files } = createMemoryStore();
    let now = at('2026-11-21T10:02:00Z');
    const start = () => createPublisher({ source: createFakeSource(data), store, clock: () => now, logger }, settings, { feeds });
    let publish = start();
    const seen: Array<{ at: string; entries: Set<string>; incidents: Set<string>; exhaustedSince?: string | null }> = [];
    for (let tick = now.getTime(); tick <= Date.parse('2026-11-21T14:02:00Z'); tick += 10 * minute) {
      now = new Date(tick);
      const time = now.toISOString().slice(11, 16);
      data.balance = time >= '11:00' && time < '11:50' ? 0n : 100_000_000_000n;
      if (time === '13:12') data.schedules = data.schedules.filter((row) => row.scheduleId !== 'schedule-gone');
      if (time === '13:32') data.runs.push(...runsOf('daily', '2026-11-21T12:00:00Z', '2026-11-21T12:01:00Z', 1, () => 'success').map((run) => ({ ...run, startedAt: at('2026-11-21T13:30:00Z'), completedAt: at('2026-11-21T13:31:00Z') })));
      if (time === '11:22' || time === '12:52' || time === '13:42') publish = start(); // a restart: a new process, the same store
      await publish();
      const snapshot = JSON.parse(files.get('governance-status.json')!) as GovernanceStatus;
      const exhausted = snapshot.reasons!.find((reason) => reason.code === 'credits_exhausted');
      seen.push({ at: time, ...readFeed(files), ...(exhausted && { exhaustedSince: exhausted.since }) });
    }

    // once published, every entry is in every later feed
    for (const [index, tick] of seen.entries()) {
      for (const later of seen.slice(index + 1)) expect([...tick.entries].filter((id) => !later.entries.has(id)), `${tick.at} -> ${later.at}`).toEqual([]);
    }
    const last = seen.at(-1)!;
    expect([...last.incidents].sort()).toEqual([
      'governance:daily@2026-11-21T12:00:00.000Z',
      'governance:engineering@2026-11-21T11:00:00.000Z',
      'governance:gone@2026-11-21T11:00:00.000Z',
      'status:credits_exhausted@2026-11-21T11:02:00.000Z',
    ]);
    expect(seen.some((tick) => tick.incidents.has('governance:engineering@2026-11-21T10:30:00.000Z'))).toBe(false); // the blip
    expect(last.entries.size).toBe(8); // each opened and resolved
    // when each first appeared: Engineering's second failure, the credits at once, Gone's second failed hour, Daily after an hour
    const firstSeen = (id: string) => seen.find((tick) => tick.incidents.has(id))?.at;
    expect(firstSeen('governance:engineering@2026-11-21T11:00:00.000Z')).toBe('11:12');
    expect(firstSeen('status:credits_exhausted@2026-11-21T11:02:00.000Z')).toBe('11:02');
    expect(firstSeen('governance:gone@2026-11-21T11:00:00.000Z')).toBe('12:02');
    expect(firstSeen('governance:daily@2026-11-21T12:00:00.000Z')).toBe('13:02');
    // the reason says since when, from its incident: the same instant after the restart at 11:22
    expect(seen.filter((tick) => 'exhaustedSince' in tick).map((tick) => `${tick.at} ${tick.exhaustedSince}`)).toEqual(
      ['11:02', '11:12', '11:22', '11:32', '11:42'].map((time) => `${time} 2026-11-21T11:02:00.000Z`),
    );

    const history = JSON.parse(files.get('governance-history.json')!) as GovernanceHistory;
    const resolvedAt = (id: string) => history.incidents.find((incident) => incident.id === id)?.resolvedAt;
    expect(resolvedAt('governance:engineering@2026-11-21T11:00:00.000Z')).toBe('2026-11-21T12:00:40.000Z'); // the 12:00 success
    expect(resolvedAt('governance:gone@2026-11-21T11:00:00.000Z')).toBe('2026-11-21T13:12:00.000Z'); // deleted: ended when the worker saw it go
    expect(resolvedAt('governance:daily@2026-11-21T12:00:00.000Z')).toBe('2026-11-21T13:32:00.000Z'); // its run written 90 minutes late
    // Gone did not recover: the feed says it was removed, and so does the history, after the restart at 13:42 too
    expect(history.incidents.find((incident) => incident.id === 'governance:gone@2026-11-21T11:00:00.000Z')?.resolution).toBe('charter_removed');
    const titles = (JSON.parse(files.get(jsonFeedFileName)!) as { items: Array<{ title: string; date_published: string }> }).items.map((item) => `${item.date_published} ${item.title}`);
    expect(titles).toContain('2026-11-21T13:12:00.000Z Gone’s incident closed after 2 h 12 min, 3 runs lost: the charter was removed');
    expect(titles).toContain('2026-11-21T13:32:00.000Z Daily recovered after 1 h 32 min, 1 run lost');
    expect(history.statusIncidents).toEqual([
      { id: 'status:credits_exhausted@2026-11-21T11:02:00.000Z', code: 'credits_exhausted', startedAt: '2026-11-21T11:02:00.000Z', resolvedAt: '2026-11-21T11:52:00.000Z' },
    ]);
  });
});

describe('a charter removed while failing, and back, still failing', () => {
  it('keeps the closing entry the feeds published; what goes on past it is an incident of its own', { timeout: 30_000 }, async () => {
    // Engineering (every 10 minutes) fails 10:00-11:50 and succeeds from 12:00; its row is deleted at 11:02 and back at 11:32
    const engineering = schedule('engineering', '*/10 * * * *');
    const data: FakeData = {
      ...afternoon(),
      schedules: [engineering, schedule('community', '*/10 * * * *')],
      runs: [
        ...runsOf('engineering', '2026-11-20T00:00:00Z', '2026-11-21T12:10:00Z', 10, (time) => (between(time, '2026-11-21T10:00:00Z', '2026-11-21T12:00:00Z') ? 'error' : 'success')),
        ...runsOf('community', '2026-11-20T00:00:00Z', '2026-11-21T12:10:00Z', 10, () => 'success'),
      ],
    };
    const { store, files } = createMemoryStore();
    let now = at('2026-11-21T10:02:00Z');
    const publish = createPublisher({ source: createFakeSource(data), store, clock: () => now, logger }, settings, { feeds });
    const feedOf = () => (JSON.parse(files.get(jsonFeedFileName)!) as { items: Array<{ id: string; title: string; date_published: string }> }).items.map((item) => `${item.date_published} ${item.title}`);
    const feedsSeen: string[][] = [];
    for (let tick = now.getTime(); tick <= Date.parse('2026-11-21T12:12:00Z'); tick += 10 * minute) {
      now = new Date(tick);
      const time = now.toISOString().slice(11, 16);
      if (time === '11:02') data.schedules = data.schedules.filter((row) => row !== engineering);
      if (time === '11:32') data.schedules = [engineering, ...data.schedules];
      await publish();
      feedsSeen.push(feedOf());
      if (time === '11:42') {
        const snapshot = JSON.parse(files.get('governance-status.json')!) as GovernanceStatus;
        expect(snapshot.charters.find((charter) => charter.id === 'governance:engineering')?.state).toBe('failing');
        expect(snapshot.openIncidents).toEqual(['governance:engineering@2026-11-21T11:02:00.000Z']);
      }
    }
    // every entry, once published, stays as it was
    for (const [index, feed] of feedsSeen.entries()) for (const later of feedsSeen.slice(index + 1)) expect(feed.filter((entry) => !later.includes(entry))).toEqual([]);
    expect(feedsSeen.at(-1)).toEqual([
      '2026-11-21T12:00:40.000Z Engineering recovered after 58 min, 6 runs lost',
      '2026-11-21T11:02:00.000Z Engineering’s incident closed after 1 h 2 min, 6 runs lost: the charter was removed',
      '2026-11-21T11:02:00.000Z Engineering has failed every run since Nov 21 11:02 UTC: insufficient_credits',
      '2026-11-21T10:00:00.000Z Engineering has failed every run since Nov 21 10:00 UTC: insufficient_credits',
    ]);
  });
});

describe('one count', () => {
  it('a failure inside the grace counts alike in the reason, the card and the failed runs', async () => {
    // every 5 minutes: failed at 12:25 and at 12:30; at 12:32 the 12:30 run is inside the grace, but finished
    const data: FakeData = {
      ...afternoon(),
      schedules: [schedule('fast', '*/5 * * * *')],
      runs: runsOf('fast', '2026-11-20T00:00:00Z', '2026-11-21T12:31:00Z', 5, (time) => (time >= at('2026-11-21T12:25:00Z') ? 'error' : 'success')),
    };
    const { snapshot } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(at('2026-11-21T12:32:00Z'));
    const [charter] = snapshot.charters;
    expect(snapshot.reasons.find((reason) => reason.code === 'charter_failing')!.text).toBe('Fast has failed 2 runs in a row since 12:25 UTC: insufficient_credits');
    expect(charter!.runs24h.failed).toBe(2);
    expect(snapshot.failedRunsTotal).toBe(2);
  });

  it('a charter failing for more than a day says the card’s count in its reason, and the failed runs say it too', async () => {
    const data: FakeData = {
      ...afternoon(),
      schedules: [schedule('fast', '*/5 * * * *')],
      runs: runsOf('fast', '2026-11-19T00:00:00Z', '2026-11-21T12:31:00Z', 5, (time) => (time >= at('2026-11-20T06:00:00Z') ? 'error' : 'success')),
    };
    const { snapshot } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(at('2026-11-21T12:32:00Z'));
    const [charter] = snapshot.charters;
    // (12:32 yesterday, 12:30]: 12:35 .. 12:30, 288 fires, every one failed
    expect(charter!.runs24h).toMatchObject({ expected: 288, succeeded: 0, failed: 288 });
    expect(snapshot.reasons.find((reason) => reason.code === 'charter_failing')!.text).toBe(
      'Fast has failed every run for more than 24 hours (288 runs in the last 24 h): insufficient_credits',
    );
    expect(snapshot.failedRunsTotal).toBe(288);
  });
});

describe('a charter left out of the history for its size', () => {
  it('keeps its incidents in the file (and so in the feeds): only its days are left out', () => {
    const charters = Array.from({ length: limits.historyCharters + 1 }, (_, index) => ({ id: `governance:c${String(index).padStart(3, '0')}`, name: `C${index}` }));
    const last = charters.at(-1)!.id;
    const incident = { id: `${last}@2026-11-21T07:00:00.000Z`, charterId: last, kind: 'failed' as const, startedAt: '2026-11-21T07:00:00.000Z', resolvedAt: null, runs: 3, errorCodes: [] };
    const counts = { expected: 1, succeeded: 1, failed: 0, skipped: 0, missed: 0 };
    const { content } = fitHistory(
      {
        schemaVersion: 1,
        from: '2026-08-24',
        to: '2026-11-21',
        charters,
        chartersTotal: charters.length,
        days: [{ date: '2026-11-21', spent: '0', charters: Object.fromEntries(charters.map((charter) => [charter.id, counts])) }],
        incidents: [incident],
        statusIncidents: [],
      },
      charters.map((charter) => charter.id),
    );
    expect(content.charters.map((charter) => charter.id)).not.toContain(last);
    expect(content.days[0]!.charters[last]).toBeUndefined();
    expect(content.incidents).toEqual([incident]);
  });
});
