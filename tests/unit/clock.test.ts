// Whose clock the snapshot believes: the database's. A worker whose own clock is off 15 minutes,
// either way, still judges the charters at the database's instant (or refuses to publish past the
// limit), and a replica behind its primary is judged as of its data, never "missed" for the lag.
import { describe, expect, it } from 'vitest';
import { clockSkewMs, clockSteppedBackMs, dataAsOfMs, dataBehindBeyond, dataBehindMs, databaseTimeAt, dataSince, describeLag, lastPosition, futureToleranceMs, isFromTheFuture, repeatsFire, skewProblem, steadyNow } from '../../shared/clock.ts';
import { createSnapshotBuilder, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { publishedDataAsOf } from '../../worker/side-files.ts';
import { createLogger } from '../../worker/logger.ts';
import { createFakeSource, schedule, type FakeData, type FakeRun } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const minute = 60_000;
const at = (iso: string) => new Date(iso);
const logger = createLogger(() => {});
const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 3 * minute, rules: defaultRules };

/** Every five minutes from 00:00 to `until` (exclusive), each run a success, for three charters. */
function everyFiveMinutes(until: string): FakeData {
  const ids = ['engineering', 'community', 'govern'];
  const runs: FakeRun[] = ids.flatMap((id) => {
    const list: FakeRun[] = [];
    for (let time = Date.parse('2026-11-20T00:00:00Z'); time < Date.parse(until); time += 5 * minute) {
      list.push({ scheduleId: `schedule-${id}`, runId: `${id}-${time}`, status: 'success', scheduledFor: new Date(time), startedAt: new Date(time + 2_000), completedAt: new Date(time + 40_000) });
    }
    return list;
  });
  return {
    balance: 10_000_000_000n,
    receipts: [{ at: at('2026-11-21T12:00:00Z'), credits: 1_000n }],
    schedules: ids.map((id) => schedule(id, '*/5 * * * *')),
    runs,
    threads: [],
  };
}

describe('the clock rules', () => {
  it('measure skew as the worker minus the database, and correct the worker’s clock by it', () => {
    expect(clockSkewMs(1_000_000, 1_000_000 + 15 * minute)).toBe(15 * minute);
    expect(databaseTimeAt(1_000_000 + 15 * minute, 15 * minute)).toBe(1_000_000);
  });
  it('refuse only past the limit, either way, and say which way and by how much', () => {
    expect(skewProblem(300_000, 300_000)).toBeNull();
    expect(skewProblem(-300_000, 300_000)).toBeNull();
    expect(skewProblem(300_001, 300_000)).toMatch(/^the worker's clock is 300 s ahead of the database's, over the limit of 300 s \(CLOCK_SKEW_LIMIT_SECONDS\)/);
    expect(skewProblem(-900_000, 300_000)).toMatch(/^the worker's clock is 900 s behind the database's/);
  });
  it('take the data as of now only from a primary, or a standby that streams and has replayed all it received', () => {
    const standby = { now: 10 * minute, replica: true, replayedMs: 4 * minute, caughtUp: true, receiving: true };
    expect(dataAsOfMs({ ...standby, replica: false, caughtUp: false, receiving: false })).toBe(10 * minute);
    expect(dataAsOfMs(standby)).toBe(10 * minute); // an idle primary: an old last commit, yet nothing is missing
    expect(dataAsOfMs({ ...standby, caughtUp: false })).toBe(4 * minute); // behind on replay
    // cut off from its primary: all it received is replayed, but the primary goes on without it
    expect(dataAsOfMs({ ...standby, receiving: false })).toBe(4 * minute);
    expect(dataAsOfMs({ ...standby, receiving: false, replayedMs: 11 * minute })).toBe(10 * minute); // two servers' clocks
    // behind or cut off, having replayed nothing since it started: how old its data is cannot be known
    expect(dataAsOfMs({ ...standby, receiving: false, replayedMs: null })).toMatch(/^the database is a hot standby that receives nothing from its primary and has replayed no transaction since it started/);
    expect(dataAsOfMs({ ...standby, caughtUp: false, replayedMs: null })).toMatch(/^the database is a hot standby that has WAL to replay/);
    expect(dataAsOfMs({ ...standby, replayedMs: null })).toBe(10 * minute);
  });
  it('measure a replica’s lag, never below zero, and say it in words', () => {
    expect(dataBehindMs({ now: 10 * minute, dataAsOf: 0 })).toBe(10 * minute);
    expect(dataBehindMs({ now: 0, dataAsOf: minute })).toBe(0);
    // the data_behind reason's rule, for the worker and the page alike: more than the grace
    expect([dataBehindBeyond({ now: 10 * minute, dataAsOf: 0 }, 10 * minute), dataBehindBeyond({ now: 10 * minute + 1, dataAsOf: 0 }, 10 * minute)]).toEqual([null, 10 * minute + 1]);
    expect([describeLag(minute), describeLag(11 * minute), describeLag(3 * 60 * minute), describeLag(72 * 60 * minute)]).toEqual(['1 minute', '11 minutes', '3 hours', '3 days']);
    // a grace under a minute (MISSED_RUN_GRACE_SECONDS) says data_behind under a minute: never "0 minutes"
    expect([describeLag(1_000), describeLag(36_500), describeLag(minute - 1)]).toEqual(['1 second', '36 seconds', '59 seconds']);
  });
});

describe('a published snapshot from the future', () => {
  it('is one made after the database\'s now by more than the tolerance, not one made a moment ago or later than ours', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(isFromTheFuture(now + futureToleranceMs + 1, now)).toBe(true);
    expect(isFromTheFuture(now + 365 * 24 * 60 * minute, now)).toBe(true);
    expect(isFromTheFuture(now + futureToleranceMs, now)).toBe(false);
    expect(isFromTheFuture(now - 30 * minute, now)).toBe(false);
  });
});

describe('a wall clock stepped back', () => {
  const before = { wallMs: Date.parse('2026-11-21T12:04:00Z'), monotonicMs: 1_000 };
  it('is measured against the monotonic clock: how far it went back, 0 when it kept pace or went forward', () => {
    expect(clockSteppedBackMs(before, { wallMs: before.wallMs + 1_000, monotonicMs: 2_000 })).toBe(0);
    expect(clockSteppedBackMs(before, { wallMs: before.wallMs - 4 * minute + 1_000, monotonicMs: 2_000 })).toBe(4 * minute);
    expect(clockSteppedBackMs(before, { wallMs: before.wallMs + 10 * minute, monotonicMs: 2_000 })).toBe(0);
  });
  it('is not an event loop that stalled (both clocks moved alike), nor a slew of a few milliseconds', () => {
    expect(clockSteppedBackMs(before, { wallMs: before.wallMs + 30_000, monotonicMs: 31_000 })).toBe(0);
    expect(clockSteppedBackMs(before, { wallMs: before.wallMs + 999, monotonicMs: 2_000 })).toBe(1);
  });
});

describe("a reader's clock", () => {
  it('is the wall clock until it is set back: then it runs on by the monotonic clock', () => {
    expect(steadyNow(null, { wallMs: 50_000, monotonicMs: 7 })).toBe(50_000);
    const first = { nowMs: 50_000, monotonicMs: 1_000 };
    expect(steadyNow(first, { wallMs: 60_000, monotonicMs: 11_000 })).toBe(60_000);
    // set back an hour while 20 minutes pass: 20 minutes passed
    expect(steadyNow(first, { wallMs: 50_000 - 40 * minute, monotonicMs: 1_000 + 20 * minute })).toBe(50_000 + 20 * minute);
    // a sleep the monotonic clock did not count, or a step forward, is taken as it comes
    expect(steadyNow(first, { wallMs: 50_000 + 90 * minute, monotonicMs: 2_000 })).toBe(50_000 + 90 * minute);
  });
});

describe('a worker whose clock is 15 minutes off', () => {
  const database = at('2026-11-21T13:07:00Z');
  const data = () => everyFiveMinutes('2026-11-21T13:07:00Z'); // every run present, the last at 13:05

  for (const offset of [15 * minute, -15 * minute]) {
    const way = offset > 0 ? 'ahead' : 'behind';
    it(`(${way}) publishes nothing past the limit, and says why`, async () => {
      const source = createFakeSource(data(), { clock: () => ({ now: database }) });
      const builder = createSnapshotBuilder(source, settings, logger);
      await expect(builder.build(new Date(database.getTime() + offset))).rejects.toThrow(
        // about 900 s: this fake database's frozen clock stood still while the tick ran
        new RegExp(`not published: the worker's clock is [89]\\d\\d s ${way === 'ahead' ? 'ahead of' : 'behind'} the database's`),
      );
    });

    it(`(${way}) within a wider limit, judges every charter at the database's instant: nothing missed, nothing fresh that is stale`, async () => {
      const source = createFakeSource(data(), { clock: () => ({ now: database }) });
      const built = await createSnapshotBuilder(source, { ...settings, clockSkewLimitMs: 20 * minute }, logger).build(new Date(database.getTime() + offset));
      const { snapshot } = built;
      expect(snapshot.generatedAt).toBe('2026-11-21T13:07:00.000Z');
      expect(snapshot.dataAsOf).toBe('2026-11-21T13:07:00.000Z');
      expect(snapshot.staleAfter).toBe('2026-11-21T13:10:00.000Z'); // 3 intervals after the database's now, not the worker's
      expect(snapshot.status).toBe('healthy');
      expect(snapshot.charters.map((charter) => charter.state)).toEqual(['ok', 'ok', 'ok']);
      expect(snapshot.missedRunsTotal).toBe(0);
      expect(Math.abs(built.skewMs - offset)).toBeLessThan(30_000); // plus the time the fake's frozen clock stood still
    });
  }

  it('a charter missed since 12:50 reads missed though the worker is 15 minutes behind', async () => {
    const stopped = everyFiveMinutes('2026-11-21T13:07:00Z');
    stopped.runs = stopped.runs.filter((run) => !(run.scheduleId === 'schedule-engineering' && run.scheduledFor >= at('2026-11-21T12:50:00Z')));
    const source = createFakeSource(stopped, { clock: () => ({ now: at('2026-11-21T13:07:00Z') }) });
    const { snapshot } = await createSnapshotBuilder(source, { ...settings, clockSkewLimitMs: 20 * minute }, logger).build(at('2026-11-21T12:52:00Z'));
    expect(snapshot.charters.find((charter) => charter.id === 'governance:engineering')).toMatchObject({ state: 'missed', stateSince: '2026-11-21T12:50:00.000Z' });
  });
});

describe('a replica 21 minutes behind its primary', () => {
  const now = at('2026-11-21T13:07:00Z');
  const asOf = at('2026-11-21T12:46:00Z');
  // the replica holds every run up to 12:45; the primary has 12:50 .. 13:05 too, the replica not yet
  const replica = () => createFakeSource(everyFiveMinutes('2026-11-21T12:46:00Z'), { clock: () => ({ now, dataAsOf: asOf }) });

  it('judges every charter as of its data: never missed, never all charters down, and says how far behind it is', async () => {
    const { snapshot } = await createSnapshotBuilder(replica(), settings, logger).build(now);
    expect(snapshot.generatedAt).toBe('2026-11-21T13:07:00.000Z');
    expect(snapshot.dataAsOf).toBe('2026-11-21T12:46:00.000Z');
    expect(snapshot.charters.map((charter) => charter.state)).toEqual(['ok', 'ok', 'ok']);
    expect(snapshot.missedRunsTotal).toBe(0);
    expect(snapshot.reasons.map((reason) => [reason.code, reason.severity])).toEqual([['data_behind', 'degraded']]);
    expect(snapshot.reasons[0]!.text).toBe('The status is read from a replica 21 minutes behind its primary: what happened after 12:46 UTC is not in it yet.');
    expect(snapshot.status).toBe('degraded');
    // the next runs are the cron's after the tick's instant, not after the data's
    expect(snapshot.upcomingRuns[0]!.nextRunAt).toBe('2026-11-21T13:10:00.000Z');
  });

  it('says nothing of a lag within the grace', async () => {
    const source = createFakeSource(everyFiveMinutes('2026-11-21T13:02:00Z'), { clock: () => ({ now, dataAsOf: at('2026-11-21T13:01:00Z') }) });
    const { snapshot } = await createSnapshotBuilder(source, settings, logger).build(now);
    expect(snapshot.reasons).toEqual([]);
    expect(snapshot.status).toBe('healthy');
  });
});

describe('a standby whose data falls behind what was already published', () => {
  it('is as of the last tick’s instant at least when read at or past its WAL position, and refused when behind it', () => {
    const last = { dataAsOf: 10 * minute, lsn: 500n };
    expect(dataSince({ dataAsOf: 12 * minute, lsn: 600n }, null)).toBe(12 * minute);
    expect(dataSince({ dataAsOf: 12 * minute, lsn: 600n }, last)).toBe(12 * minute);
    // the same WAL, its bound fallen back to the last replayed transaction (WAL before its replay, a paused replay)
    expect(dataSince({ dataAsOf: 2 * minute, lsn: 500n }, last)).toBe(10 * minute);
    expect(dataSince({ dataAsOf: 2 * minute, lsn: 501n }, last)).toBe(10 * minute);
    // behind the WAL position (another server, a lagging standby promoted), whatever its instant says
    expect(dataSince({ dataAsOf: 12 * minute, lsn: 499n }, last)).toMatch(/^the data read is older than what was published: its WAL position is behind the last snapshot's \(1970-01-01T00:10:00\.000Z\)/);
    // no position known: by the instants alone
    expect(dataSince({ dataAsOf: 10 * minute, lsn: null }, last)).toBe(10 * minute);
    // the published snapshot's instant (no WAL position is published) against a standby's reading: whether it holds that data cannot be told
    expect(dataSince({ dataAsOf: 2 * minute, lsn: 500n }, { dataAsOf: 10 * minute, lsn: null })).toBe(
      "the data read is older than what was published: it is as of 1970-01-01T00:02:00.000Z, older than the last snapshot's (1970-01-01T00:10:00.000Z), found at the destination without its WAL position, so this worker cannot tell whether the database holds that snapshot's data (a standby behind it, one whose replay is paused, or another server); published again once the data is as recent",
    );
    expect(dataSince({ dataAsOf: 10 * minute - 1, lsn: null }, { dataAsOf: 10 * minute, lsn: null })).toMatch(/^the data read is older than what was published: it is as of 1970-01-01T00:09:59\.999Z, older than the last snapshot's \(1970-01-01T00:10:00\.000Z\)/);
  });

  it('publishes nothing until it is as recent: no resolved incident opened again, no credit outage of minutes ago opened anew', async () => {
    // Engineering fails 12:00-12:25 and succeeds from 12:30; the balance is zero as of 12:20-12:35
    const data = everyFiveMinutes('2026-11-21T13:00:00Z');
    data.runs = data.runs.map((run) => (run.scheduleId === 'schedule-engineering' && run.scheduledFor >= at('2026-11-21T12:00:00Z') && run.scheduledFor < at('2026-11-21T12:30:00Z') ? { ...run, status: 'error' } : run));
    let now = at('2026-11-21T12:22:00Z');
    let asOf = now;
    const { store, files } = createMemoryStore();
    const source = createFakeSource(data, { clock: () => ({ now, dataAsOf: asOf, replica: true }) });
    const publish = createPublisher({ source, store, clock: () => now, logger }, settings, { feeds: { pageUrl: 'https://status.example.org/', atomUrl: 'https://status.example.org/feed.xml', jsonUrl: 'https://status.example.org/feed.json' } });
    const tick = async (time: string, lagMinutes = 0) => {
      now = at(time);
      asOf = new Date(now.getTime() - lagMinutes * minute);
      data.balance = asOf >= at('2026-11-21T12:20:00Z') && asOf < at('2026-11-21T12:35:00Z') ? 0n : 10_000_000_000n;
      return publish();
    };
    for (const time of ['2026-11-21T12:22:00Z', '2026-11-21T12:32:00Z', '2026-11-21T12:42:00Z']) await tick(time);
    const published = { snapshot: files.get('governance-status.json'), feed: files.get('governance-feed.json'), history: files.get('governance-history.json') };
    expect(JSON.parse(published.snapshot!).status).toBe('degraded'); // recovering; the credits are back, Engineering recovered
    // the standby's WAL arrives before its replay: its data is as of 12:31, older than the last snapshot's
    await expect(tick('2026-11-21T12:43:00Z', 12)).rejects.toThrow(/^not published: the data read is older than what was published: it is as of 2026-11-21T12:31:00\.000Z, older than the last snapshot's \(2026-11-21T12:42:00\.000Z\)/);
    expect({ snapshot: files.get('governance-status.json'), feed: files.get('governance-feed.json'), history: files.get('governance-history.json') }).toEqual(published);
    await tick('2026-11-21T12:44:00Z');
    expect(files.get('governance-feed.json')).toBe(published.feed);
  });
});

describe('a worker that starts, or leads anew, onto a standby behind what was published', () => {
  it('takes the published snapshot’s instant as the last position, unless it is after the database’s now', () => {
    const own = { dataAsOf: 10 * minute, lsn: 500n };
    expect(lastPosition(null, null, 20 * minute)).toBeNull();
    expect(lastPosition(null, 12 * minute, 20 * minute)).toEqual({ dataAsOf: 12 * minute, lsn: null });
    expect(lastPosition(own, 12 * minute, 20 * minute)).toEqual({ dataAsOf: 12 * minute, lsn: null }); // another leader's, newer
    expect(lastPosition(own, 10 * minute, 20 * minute)).toBe(own); // its own: the WAL position is kept
    expect(lastPosition(own, 9 * minute, 20 * minute)).toBe(own);
    // after the database's now: a clock ahead, or a file not a worker's (it would hold every tick back until then)
    expect(lastPosition(null, 20 * minute + 1, 20 * minute)).toBeNull();
    expect(lastPosition(own, 20 * minute + 1, 20 * minute)).toBe(own);
  });

  // the snapshot found is read as publish.ts reads it (publishedInstant): a dataAsOf that is not the contract's instant is no snapshot of ours
  it.each([
    ['{"dataAsOf":"2026-11-21T12:42:00.000Z"}', Date.parse('2026-11-21T12:42:00Z')],
    ['{"dataAsOf":"2026-11-21T12:42:00+00:00"}', null],
    ['{"dataAsOf":"2026-11-21"}', null],
    ['{"dataAsOf":42}', null],
    ['not json', null],
    [null, null],
  ])('takes %s at the destination as the instant %s', (body, expected) => {
    expect(publishedDataAsOf(body)).toBe(expected);
  });

  const story = () => {
    const data = everyFiveMinutes('2026-11-21T13:00:00Z');
    const clock = { now: at('2026-11-21T12:42:00Z'), asOf: at('2026-11-21T12:42:00Z') };
    const { store, files } = createMemoryStore();
    const source = createFakeSource(data, { clock: () => ({ now: clock.now, dataAsOf: clock.asOf, replica: true }) });
    const start = () => createPublisher({ source, store, clock: () => clock.now, logger }, settings);
    const tick = (publish: ReturnType<typeof start>, time: string, lagMinutes = 0) => {
      clock.now = at(time);
      clock.asOf = new Date(clock.now.getTime() - lagMinutes * minute);
      return publish();
    };
    return { files, start, tick };
  };

  it('publishes nothing older than the snapshot found at the destination, then publishes once caught up', async () => {
    const { files, start, tick } = story();
    await tick(start(), '2026-11-21T12:42:00Z');
    const published = new Map(files);
    // a new process, its standby 12 minutes behind: the snapshot at the destination is as of 12:42
    const restarted = start();
    await expect(tick(restarted, '2026-11-21T12:43:00Z', 12)).rejects.toThrow(/^not published: the data read is older than what was published: it is as of 2026-11-21T12:31:00\.000Z, older than the last snapshot's \(2026-11-21T12:42:00\.000Z\)/);
    expect(files).toEqual(published);
    expect((await tick(restarted, '2026-11-21T12:44:00Z')).outcome).toBe('written');
    expect(JSON.parse(files.get('governance-status.json')!).dataAsOf).toBe('2026-11-21T12:44:00.000Z');
  });

  it('reads the destination again when it leads anew: another leader may have published since', async () => {
    const { files, start, tick } = story();
    const first = start();
    await tick(first, '2026-11-21T12:40:00Z');
    await tick(start(), '2026-11-21T12:42:00Z'); // the other leader, while the first stood by
    first.reset(); // the first leads again
    await expect(tick(first, '2026-11-21T12:43:00Z', 2)).rejects.toThrow(/older than the last snapshot's \(2026-11-21T12:42:00\.000Z\)/);
    expect(JSON.parse(files.get('governance-status.json')!).dataAsOf).toBe('2026-11-21T12:42:00.000Z');
  });

  it('reads the destination once per process or leadership, not at every tick', async () => {
    const data = everyFiveMinutes('2026-11-21T13:00:00Z');
    let now = at('2026-11-21T12:40:00Z');
    const { store } = createMemoryStore();
    const get = store.get.bind(store);
    let reads = 0;
    store.get = (name, signal) => ((reads += name === store.snapshotName ? 1 : 0), get(name, signal));
    const publish = createPublisher({ source: createFakeSource(data, { clock: () => ({ now, dataAsOf: now, replica: false }) }), store, clock: () => now, logger }, settings);
    for (const time of ['12:40', '12:41', '12:42', '12:43']) {
      now = at(`2026-11-21T${time}:00Z`);
      expect((await publish()).outcome).toBe('written');
    }
    const atStart = reads; // what was announced, and where its data stood
    for (const time of ['12:44', '12:45', '12:46']) {
      now = at(`2026-11-21T${time}:00Z`);
      await publish();
    }
    expect(reads).toBe(atStart);
    publish.reset(); // leads anew
    await publish();
    expect(reads).toBeGreaterThan(atStart);
  });

  it('is not held back by a published instant after the database’s now', async () => {
    const { files, start, tick } = story();
    await tick(start(), '2026-11-21T12:42:00Z');
    const snapshot = JSON.parse(files.get('governance-status.json')!);
    files.set('governance-status.json', JSON.stringify({ ...snapshot, dataAsOf: '2099-01-01T00:00:00.000Z', generatedAt: '2026-11-21T12:42:00.000Z' }));
    expect((await tick(start(), '2026-11-21T12:43:00Z', 1)).outcome).toBe('written');
    expect(JSON.parse(files.get('governance-status.json')!).dataAsOf).toBe('2026-11-21T12:42:00.000Z');
  });
});

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

describe('a standby whose replay is paused (its WAL position as at the last tick)', () => {
  it('publishes its data as of the last tick’s instant, behind by the time since, not as of its last replayed transaction', async () => {
    const data = everyFiveMinutes('2026-11-21T13:00:00Z');
    let now = at('2026-11-21T12:30:00Z');
    let reading = { dataAsOf: now, lsn: 500n };
    const source = createFakeSource(data, { clock: () => ({ now, dataAsOf: reading.dataAsOf, replica: true, lsn: reading.lsn }) });
    const builder = createSnapshotBuilder(source, settings, logger);
    await builder.build(now);
    // paused: WAL arrives, nothing is replayed; its last replayed transaction is from 03:00
    now = at('2026-11-21T12:45:00Z');
    reading = { dataAsOf: at('2026-11-21T03:00:00Z'), lsn: 500n };
    const { snapshot } = await builder.build(now);
    expect(snapshot.dataAsOf).toBe('2026-11-21T12:30:00.000Z');
    expect(snapshot.reasons.map((reason) => reason.code)).toContain('data_behind');
    expect(snapshot.reasons.find((reason) => reason.code === 'data_behind')!.text).toContain('15 minutes behind');
  });
});

describe('repeatsFire', () => {
  const minute = 60_000;
  it('is the same slot again within one interval: a scheduler planned again after a small step back', () => {
    const fired = { slotMs: Date.parse('2026-11-21T12:05:00Z'), monotonicMs: 1_000 };
    expect(repeatsFire(null, fired, minute)).toBe(false);
    expect(repeatsFire(fired, { ...fired, monotonicMs: 3_000 }, minute)).toBe(true); // stepped back 2 s, planned again
    expect(repeatsFire(fired, { slotMs: fired.slotMs + minute, monotonicMs: 61_000 }, minute)).toBe(false); // the next slot
    // stepped back four minutes: the earlier slots fire again, once a real minute, and so, later, does this one
    expect(repeatsFire(fired, { ...fired, monotonicMs: 1_000 + 4 * minute }, minute)).toBe(false);
  });
});
