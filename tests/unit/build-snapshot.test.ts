// The use case over an in-memory source: the exact snapshot of a broken system, what the worker
// remembers as the window moves (tick after tick, a day closing), a restart, and what is written.
import { describe, expect, it } from 'vitest';
import { limits, parseGovernanceHistory, parseGovernanceStatus } from '../../shared/contract.ts';
import { createSnapshotBuilder, defaultRules, queryFor, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { assertSnapshotIsValid, assertWithinBound } from '../../worker/validate.ts';
import { createLogger } from '../../worker/logger.ts';
import { announcedIn } from '../../worker/side-files.ts';
import { createFakeSource, schedule, type FakeData, type FakeRun } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const now = new Date('2026-11-21T12:34:56.789Z');
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const logger = createLogger(() => {});
const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000, rules: defaultRules };
const at = (iso: string) => new Date(iso);

/** Every fire of `every` minutes from `from` to `to` (exclusive) as runs of one charter. */
function runsOf(id: string, from: string, to: string, everyMinutes: number, status: (time: Date) => FakeRun['status']): FakeRun[] {
  const runs: FakeRun[] = [];
  for (let time = Date.parse(from); time < Date.parse(to); time += everyMinutes * minute) {
    const scheduledFor = new Date(time);
    const chosen = status(scheduledFor);
    runs.push({
      scheduleId: `schedule-${id}`,
      runId: `${id}-${scheduledFor.toISOString()}`,
      status: chosen,
      scheduledFor,
      startedAt: new Date(time + 2_000),
      completedAt: chosen === 'running' ? null : new Date(time + 40_000),
      errorCode: null,
      errorMessage: chosen === 'error' ? 'insufficient_credits' : null,
    });
  }
  return runs;
}

/** Engineering fails every run since 07:00 for want of credits; Community's scheduler stopped after 11:00. */
function brokenSystem(): FakeData {
  return {
    balance: 2_400_000_000n,
    receipts: Array.from({ length: 72 }, (_, index) => ({ at: new Date(now.getTime() - index * hour - 5 * minute), credits: 100_000_000n })),
    schedules: [
      schedule('engineering', '*/30 * * * *'),
      schedule('community', '0 * * * *', 'Europe/Berlin'),
      schedule('govern', 'every day'),
      schedule('sustainability', '0 9 * * 1', 'UTC', { enabled: false }),
    ],
    runs: [
      ...runsOf('engineering', '2026-11-18T00:00:00Z', '2026-11-21T12:31:00Z', 30, (time) => (time >= at('2026-11-21T07:00:00Z') ? 'error' : 'success')),
      ...runsOf('community', '2026-11-18T00:00:00Z', '2026-11-21T11:01:00Z', 60, () => 'success'),
    ],
    threads: [
      { stateKey: 'thread-1', title: 'Weekly\u0007 review', createdAt: at('2026-11-21T10:00:00Z'), updatedAt: at('2026-11-21T12:00:00Z'), runStatus: 'error', scheduleId: 'schedule-engineering' },
      // a status the contract does not know, of a schedule that is no charter: neither is said
      { stateKey: 'thread-2', title: null, createdAt: at('2026-11-21T09:00:00Z'), updatedAt: at('2026-11-21T11:30:00Z'), runStatus: 'exploded', scheduleId: 'schedule-unknown' },
    ],
  };
}

/** The data with a receipt for each of Engineering's runs on the 21st, ten seconds after its slot. */
function chargedOn21st(data: FakeData): FakeData {
  const charged = data.runs.filter((run) => run.scheduleId === 'schedule-engineering' && run.scheduledFor.toISOString().startsWith('2026-11-21'));
  data.receipts.push(...charged.map((run) => ({ at: new Date(run.scheduledFor.getTime() + 10_000), credits: 7n, runId: run.runId, details: { model: 'm', agent: 'a' } })));
  return data;
}

describe('queryFor', () => {
  it('derives every window from the one now, and reads further back only when asked to', () => {
    expect(queryFor(now, settings)).toEqual({
      now,
      principalId: 'p',
      billingAccountId: 'b',
      spendFrom: at('2026-11-20T12:34:56.789Z'),
      hoursFrom: at('2026-11-20T13:00:00.000Z'),
      spendHoursFrom: at('2026-11-20T12:00:00.000Z'),
      runsFrom: at('2026-11-20T12:34:56.789Z'),
      windowStart: at('2026-11-20T12:34:56.789Z'),
      failedFrom: at('2026-11-20T12:34:56.789Z'),
      failedLimit: 10,
      threadsLimit: 10,
    });
    const early = queryFor(now, settings, Date.parse('2026-11-20T00:00:00Z'));
    expect(early.runsFrom).toEqual(at('2026-11-20T00:00:00Z'));
    expect(early.spendHoursFrom).toEqual(at('2026-11-20T00:00:00Z'));
  });
});

describe('a snapshot of a broken system', () => {
  it('says failing, with the reasons that make it so, and never says healthy', async () => {
    const built = await createSnapshotBuilder(createFakeSource(brokenSystem()), settings, logger).build(now);
    const { snapshot } = built;
    expect(parseGovernanceStatus(snapshot).success).toBe(true);
    expect(snapshot.status).toBe('failing');
    expect(snapshot.reasons.map((reason) => [reason.severity, reason.code, reason.charterId])).toEqual([
      ['failing', 'all_charters_down', null],
      ['degraded', 'runway_low', null],
      ['degraded', 'funding_ends_soon', null],
      ['degraded', 'charter_missed', 'governance:community'],
      ['degraded', 'charter_failing', 'governance:engineering'],
      ['degraded', 'schedule_invalid', 'governance:govern'],
      ['notice', 'charter_paused', 'governance:sustainability'],
    ]);
    expect(snapshot.reasons.find((reason) => reason.code === 'charter_failing')!.text).toBe(
      'Engineering has failed 12 runs in a row since 07:00 UTC: insufficient_credits',
    );
    expect(snapshot.reasons.find((reason) => reason.code === 'charter_missed')!.text).toBe(
      'Community missed its run due at 12:00 UTC: no run was recorded for it.',
    );
    expect(JSON.stringify(snapshot)).not.toContain('Healthy');

    const engineering = snapshot.charters.find((charter) => charter.id === 'governance:engineering')!;
    expect(engineering).toMatchObject({
      name: 'Engineering',
      scheduleText: 'Every 30 minutes',
      state: 'failing',
      stateSince: '2026-11-21T07:00:00.000Z',
      lastSuccessAt: '2026-11-21T06:30:40.000Z',
      lastRun: { runId: 'engineering-2026-11-21T12:30:00.000Z', status: 'error', scheduledFor: '2026-11-21T12:30:00.000Z', startedAt: '2026-11-21T12:30:02.000Z', finishedAt: '2026-11-21T12:30:40.000Z' },
      // (12:34:56 yesterday, 12:30]: 13:00 .. 12:30, 48 fires, 12 of them failed (07:00 .. 12:30); the 12:30 run,
      // inside the grace, has finished: it counts at once, on the card as in the reason and the failed runs
      runs24h: { expected: 48, succeeded: 36, failed: 12, skipped: 0, missed: 0, running: 0 },
    });
    expect(snapshot.charters.find((charter) => charter.id === 'governance:community')).toMatchObject({
      state: 'missed',
      stateSince: '2026-11-21T12:00:00.000Z',
      runs24h: { expected: 24, succeeded: 23, failed: 0, skipped: 0, missed: 1, running: 0 },
    });
    expect(snapshot.charters.find((charter) => charter.id === 'governance:govern')).toMatchObject({ state: 'invalid_schedule', scheduleError: 'invalid_cron', scheduleText: 'Not a valid cron expression' });
    expect(snapshot.failedRunsTotal).toBe(12);
    expect(snapshot.failedRuns).toHaveLength(10);
    expect(snapshot.failedRuns[0]).toEqual({
      charter: 'Engineering',
      charterId: 'governance:engineering',
      runId: 'engineering-2026-11-21T12:30:00.000Z',
      scheduledFor: '2026-11-21T12:30:00.000Z',
      errorCode: 'insufficient_credits',
      errorMessage: 'insufficient_credits',
    });
    expect(snapshot.missedRuns).toEqual([{ charter: 'Community', charterId: 'governance:community', expectedAt: '2026-11-21T12:00:00.000Z' }]);
    expect(snapshot.missedRunsTotal).toBe(1);
    // Community's one missed run (34 minutes ago) is a blip so far: counted, not an incident
    expect(snapshot.openIncidents).toEqual(['governance:engineering@2026-11-21T07:00:00.000Z']);
    expect(snapshot.recentRuns).toEqual([
      { id: 'thread-1', title: 'Weekly review', startedAt: '2026-11-21T10:00:00.000Z', lastActivity: '2026-11-21T12:00:00.000Z', outcome: 'error', charterId: 'governance:engineering' },
      { id: 'thread-2', title: null, startedAt: '2026-11-21T09:00:00.000Z', lastActivity: '2026-11-21T11:30:00.000Z', outcome: null, charterId: null },
    ]);

    // 71 runs started in 24 h (48 Engineering, 23 Community) for 2.4e9 credits: 33,802,817 a run, 70 runs
    // funded; three fires an hour, so fire 71 is at 12:00 tomorrow, where both charters fire (ids break the tie)
    expect(snapshot.forecast).toEqual({
      creditsPerRun: '33802817',
      fundedRuns: '70',
      fundedUntil: '2026-11-22T12:00:00.000Z',
      firstUnfundedRun: { charterId: 'governance:engineering', at: '2026-11-22T12:00:00.000Z' },
      // the receipts name no run: no charter has a cost of its own, each is priced at the average run
      charters: [
        { charterId: 'governance:community', creditsPerRun: '33802817', basis: 'average' },
        { charterId: 'governance:engineering', creditsPerRun: '33802817', basis: 'average' },
      ],
    });
    expect(snapshot.reasons.find((reason) => reason.code === 'funding_ends_soon')!.text).toBe(
      'The balance pays for about 70 more runs, until Sun 12:00 UTC (an estimate from the average run).',
    );
  });

  it('keeps history: days of the last 90 with counts, and the incidents with stable ids', async () => {
    const { history } = await createSnapshotBuilder(createFakeSource(brokenSystem()), settings, logger).build(now);
    expect(parseGovernanceHistory(history).success).toBe(true);
    expect(history.from).toBe('2026-08-24');
    expect(history.to).toBe('2026-11-21');
    expect(history.days).toHaveLength(90);
    expect(history.days[0]!.date).toBe('2026-08-24');
    expect(history.days.at(-1)!.date).toBe('2026-11-21');
    // Engineering and Community had no data before the 18th: no charter has an entry on those days, never "ok"
    expect(history.days.filter((entry) => Object.keys(entry.charters).length > 0).map((entry) => entry.date)).toEqual([
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
      '2026-11-21',
    ]);
    expect(history.days.at(-5)!.spent).toBe('0'); // the receipts go back three days
    expect(history.days.at(-3)).toMatchObject({
      date: '2026-11-19',
      spent: '2400000000',
      charters: {
        'governance:engineering': { expected: 48, succeeded: 48, failed: 0, skipped: 0, missed: 0 },
        'governance:community': { expected: 24, succeeded: 24, failed: 0, skipped: 0, missed: 0 },
      },
    });
    // the 12:30 failure inside the grace is known already: the day counts it, as the card and the incident do
    expect(history.days.at(-1)!.charters['governance:engineering']).toEqual({ expected: 26, succeeded: 14, failed: 12, skipped: 0, missed: 0 });
    expect(history.incidents.map((incident) => [incident.id, incident.kind, incident.runs, incident.resolvedAt])).toEqual([
      ['governance:engineering@2026-11-21T07:00:00.000Z', 'failed', 12, null],
    ]);
    expect(history.days.at(-1)!.charters['governance:community']).toMatchObject({ missed: 1 }); // the blip, counted in its day
    expect(history.statusIncidents).toEqual([]);
  });
});

describe('what the worker remembers between ticks', () => {
  it('keeps the last success of a charter failing for longer than the window, and closes a day while it runs', async () => {
    // Engineering's runs of the 21st are charged: the day it closes, its usage names the charter
    const data = chargedOn21st(brokenSystem());
    const source = createFakeSource(data);
    const builder = createSnapshotBuilder(source, settings, logger);
    let built = await builder.build(now);
    const firstCalls = source.calls.length;
    // A day later, with Engineering still failing every run: its last success is older than the window.
    for (let tick = 1; tick <= 26; tick++) {
      const later = new Date(now.getTime() + tick * hour);
      data.runs.push(...runsOf('engineering', new Date(later.getTime() - hour).toISOString(), later.toISOString(), 30, () => 'error'));
      built = await builder.build(later);
    }
    const engineering = built.snapshot.charters.find((charter) => charter.id === 'governance:engineering')!;
    expect(engineering.lastSuccessAt).toBe('2026-11-21T06:30:40.000Z');
    expect(engineering.state).toBe('failing');
    expect(engineering.stateSince).toBeNull(); // the streak began before the window
    // 2026-11-21 closed at 00:10 on the 22nd: its counts are final
    expect(built.history.days.find((entry) => entry.date === '2026-11-21')!.charters['governance:engineering']).toEqual({
      expected: 48,
      succeeded: 14,
      failed: 34,
      skipped: 0,
      missed: 0,
    });

    // the day that closed on a tick had its usage read once, not its runs again: the tick holds them
    expect(source.calls.slice(firstCalls).filter((call) => call !== 'facts')).toEqual(['usage 2026-11-21']);
    const closed = built.history.days.find((entry) => entry.date === '2026-11-21')!;
    expect(closed.usage?.charters.map(([id]) => id)).toContain('governance:engineering');

    // Community has missed two runs since 13:34 on the 21st, Engineering fails: no charter works
    expect(built.snapshot.openIncidents[0]).toBe('status:all_charters_down@2026-11-21T13:34:56.789Z');
    // A restart reads the same rows, and the history as published, and derives the same history and the same incident ids.
    const announced = async () => announcedIn(built.historyBody, null, logger);
    const restarted = await createSnapshotBuilder(createFakeSource(data), settings, logger, { announced }).build(new Date(now.getTime() + 26 * hour));
    expect(restarted.history.days).toEqual(built.history.days);
    expect(restarted.history.incidents).toEqual(built.history.incidents);
    expect(restarted.snapshot.charters).toEqual(built.snapshot.charters);
    expect(restarted.snapshot.openIncidents).toEqual(built.snapshot.openIncidents);
  });

  it('a day whose usage cannot be read does not close: the next tick closes it with its usage', async () => {
    const data = chargedOn21st(brokenSystem());
    const source = createFakeSource(data);
    const builder = createSnapshotBuilder(source, settings, logger);
    await builder.build(now);
    const readDayUsage = source.readDayUsage.bind(source);
    source.readDayUsage = async () => {
      throw new Error('canceling statement due to statement timeout');
    };
    const afterMidnight = new Date('2026-11-22T00:20:00Z');
    await expect(builder.build(afterMidnight)).rejects.toThrow('statement timeout');
    source.readDayUsage = readDayUsage;
    const { history } = await builder.build(new Date(afterMidnight.getTime() + minute));
    expect(history.days.find((day) => day.date === '2026-11-21')!.usage?.charters.map(([id]) => id)).toContain('governance:engineering');
  });

  it('an incident keeps its id when a fire without a row, still inside the grace, comes before a finished failure', async () => {
    const data: FakeData = {
      ...brokenSystem(),
      schedules: [schedule('fast', '*/5 * * * *')],
      runs: [
        ...runsOf('fast', '2026-11-20T00:00:00Z', '2026-11-21T12:01:00Z', 5, () => 'success'),
        // 12:05 never got a row; 12:10 failed and finished at 12:10:40
        ...runsOf('fast', '2026-11-21T12:10:00Z', '2026-11-21T12:11:00Z', 5, () => 'error'),
      ],
    };
    const builder = createSnapshotBuilder(createFakeSource(data), settings, logger);
    // at 12:12 the 12:05 fire is inside its grace, but the 12:10 run shows the scheduler moved past it
    // two runs in a row (12:05 missed, 12:10 failed): an incident; the only charter in one, so no charter works either
    const early = await builder.build(at('2026-11-21T12:12:00Z'));
    expect(early.snapshot.openIncidents).toEqual(['status:all_charters_down@2026-11-21T12:12:00.000Z', 'governance:fast@2026-11-21T12:05:00.000Z']);
    const later = await builder.build(at('2026-11-21T12:16:00Z'));
    expect(later.snapshot.openIncidents).toEqual(early.snapshot.openIncidents);
    const restarted = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(at('2026-11-21T12:16:00Z'));
    expect(restarted.history.incidents).toEqual(later.history.incidents);
    expect(later.history.incidents[0]).toMatchObject({ kind: 'failed', runs: 2, resolvedAt: null });
  });

  it('a day that closes while one of its runs is still running waits for its outcome, as a restart would see it', async () => {
    const data: FakeData = {
      ...brokenSystem(),
      schedules: [schedule('night', '*/30 * * * *')],
      runs: [
        ...runsOf('night', '2026-11-19T00:00:00Z', '2026-11-21T23:01:00Z', 30, () => 'success'),
        ...runsOf('night', '2026-11-21T23:30:00Z', '2026-11-21T23:31:00Z', 30, () => 'running'),
        ...runsOf('night', '2026-11-22T00:00:00Z', '2026-11-22T00:31:00Z', 30, () => 'success'),
      ],
    };
    // one failed run is a blip by default; with INCIDENT_AFTER_RUNS=1 it is an incident, whose outcome arrives late
    const everyRun: SnapshotSettings = { ...settings, rules: { ...defaultRules, incidentAfterRuns: 1 } };
    const builder = createSnapshotBuilder(createFakeSource(data), everyRun, logger);
    await builder.build(at('2026-11-22T00:05:00Z'));
    await builder.build(at('2026-11-22T00:15:00Z')); // the 21st's grace is over, its 23:30 run still running
    const atQuarterPast = await builder.build(at('2026-11-22T00:15:00Z'));
    const startedWhileRunning = createSnapshotBuilder(createFakeSource(data), everyRun, logger);
    // its first tick reads the waiting day whole, as the running worker does (generatedAt aside: it moves only when the content does)
    const { generatedAt: _, ...content } = atQuarterPast.history;
    expect((await startedWhileRunning.build(at('2026-11-22T00:15:00Z'))).history).toMatchObject(content);
    // at 00:40 the 23:30 run has failed
    const late = data.runs.find((row) => row.runId === 'night-2026-11-21T23:30:00.000Z')!;
    Object.assign(late, { status: 'error', completedAt: at('2026-11-22T00:38:00Z'), errorMessage: 'insufficient_credits' });
    const running = await builder.build(at('2026-11-22T00:40:00Z'));
    const restarted = await createSnapshotBuilder(createFakeSource(data), everyRun, logger).build(at('2026-11-22T00:40:00Z'));
    const dayOf = (built: typeof running, date: string) => built.history.days.find((entry) => entry.date === date)!.charters['governance:night'];
    expect(dayOf(running, '2026-11-21')).toEqual({ expected: 48, succeeded: 47, failed: 1, skipped: 0, missed: 0 });
    expect(running.history.days).toEqual(restarted.history.days);
    expect((await startedWhileRunning.build(at('2026-11-22T00:40:00Z'))).history).toEqual(running.history);
    expect(running.history.incidents).toEqual(restarted.history.incidents);
    expect(running.history.incidents.map((incident) => [incident.id, incident.runs, incident.errorCodes])).toEqual([
      ['governance:night@2026-11-21T23:30:00.000Z', 1, ['insufficient_credits']],
    ]);
    // once the next day closes, the 21st is closed whatever its runs do
    const nextDay = await builder.build(at('2026-11-23T00:15:00Z'));
    expect(dayOf(nextDay, '2026-11-21')).toEqual(dayOf(running, '2026-11-21'));
  });

  it('a day waits for a run in progress only until that run is stuck, so the read grows by at most STUCK_AFTER_SECONDS', async () => {
    const data: FakeData = {
      ...brokenSystem(),
      schedules: [schedule('hung', '*/30 * * * *')],
      runs: [
        ...runsOf('hung', '2026-11-19T00:00:00Z', '2026-11-21T23:01:00Z', 30, () => 'success'),
        ...runsOf('hung', '2026-11-21T23:30:00Z', '2026-11-21T23:31:00Z', 30, () => 'running'), // never finishes
        ...runsOf('hung', '2026-11-22T00:00:00Z', '2026-11-22T03:01:00Z', 30, () => 'success'),
      ],
    };
    const source = createFakeSource(data);
    const reads: string[] = [];
    const read = source.readGovernanceFacts.bind(source);
    source.readGovernanceFacts = async (query) => {
      reads.push(query.runsFrom.toISOString());
      return read(query);
    };
    const builder = createSnapshotBuilder(source, settings, logger);
    await builder.build(at('2026-11-22T00:15:00Z'));
    await builder.build(at('2026-11-22T00:20:00Z')); // the 23:30 run started 50 minutes ago: the 21st waits
    await builder.build(at('2026-11-22T00:35:00Z')); // stuck now (an hour): the 21st closes
    await builder.build(at('2026-11-22T00:40:00Z'));
    expect(reads.slice(-3)).toEqual(['2026-11-21T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-21T00:40:00.000Z']);
  });

  it('an incident keeps its id across midnight when a fire without a row before it is followed by a finished failure after it', async () => {
    const data: FakeData = {
      ...brokenSystem(),
      schedules: [schedule('fast', '*/5 * * * *')],
      runs: [
        ...runsOf('fast', '2026-11-20T00:00:00Z', '2026-11-21T23:51:00Z', 5, () => 'success'),
        // 23:55 never got a row; 00:00 failed and finished at 00:00:40
        ...runsOf('fast', '2026-11-22T00:00:00Z', '2026-11-22T00:01:00Z', 5, () => 'error'),
      ],
    };
    const builder = createSnapshotBuilder(createFakeSource(data), settings, logger);
    await builder.build(at('2026-11-21T23:58:00Z'));
    const early = await builder.build(at('2026-11-22T00:02:00Z'));
    const later = await builder.build(at('2026-11-22T00:06:00Z'));
    expect(early.snapshot.openIncidents).toEqual(['status:all_charters_down@2026-11-22T00:02:00.000Z', 'governance:fast@2026-11-21T23:55:00.000Z']);
    expect(later.snapshot.openIncidents).toEqual(early.snapshot.openIncidents);
  });

  it('resuming a paused charter never turns the pause into missed runs', async () => {
    const data: FakeData = {
      ...brokenSystem(),
      // hourly, paused after its Nov 20 06:00 run, resumed at Nov 21 10:05, run again at 11:00 and 12:00
      schedules: [schedule('resumed', '0 * * * *', 'UTC', { updatedAt: at('2026-11-21T10:05:00Z') })],
      runs: [
        ...runsOf('resumed', '2026-11-01T00:00:00Z', '2026-11-20T06:01:00Z', 60, () => 'success'),
        ...runsOf('resumed', '2026-11-21T11:00:00Z', '2026-11-21T12:01:00Z', 60, () => 'success'),
      ],
    };
    for (const time of ['2026-11-21T10:30:00Z', '2026-11-21T12:34:56Z']) {
      const { snapshot, history } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(at(time));
      expect(snapshot.charters[0]!.runs24h.missed).toBe(0);
      expect(snapshot.charters[0]!.state).not.toBe('missed');
      expect(history.incidents).toEqual([]);
    }
  });

  it('a cron changed minutes after a run started is a change: the new cron’s earlier fires are not missed', async () => {
    const data: FakeData = {
      ...brokenSystem(),
      // daily at 12:00 until 12:05 today, when it became every 15 minutes
      schedules: [schedule('review', '*/15 * * * *', 'UTC', { lastRunAt: at('2026-11-21T12:00:00Z'), updatedAt: at('2026-11-21T12:05:00Z') })],
      runs: [...runsOf('review', '2026-11-10T12:00:00Z', '2026-11-21T12:01:00Z', 24 * 60, () => 'success'), ...runsOf('review', '2026-11-21T12:15:00Z', '2026-11-21T12:31:00Z', 15, () => 'success')],
    };
    const { snapshot, history } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
    const review = snapshot.charters.find((charter) => charter.id === 'governance:review')!;
    expect(review.state).toBe('ok');
    expect(review.runs24h).toMatchObject({ expected: 3, missed: 0, succeeded: 3 }); // 12:00, 12:15 and 12:30 (inside the grace, finished)
    expect(snapshot.missedRunsTotal).toBe(0);
    expect(history.incidents).toEqual([]);
    // the application's own write when a run starts (last_run_at and updated_at a second apart) is no change
    const steady: FakeData = {
      ...data,
      schedules: [schedule('review', '*/15 * * * *', 'UTC', { lastRunAt: at('2026-11-21T12:30:00Z'), updatedAt: at('2026-11-21T12:30:01Z') })],
      runs: runsOf('review', '2026-11-19T00:00:00Z', '2026-11-21T12:31:00Z', 15, () => 'success').filter((row) => row.scheduledFor.getTime() !== at('2026-11-21T12:15:00Z').getTime()),
    };
    const again = await createSnapshotBuilder(createFakeSource(steady), settings, logger).build(now);
    expect(again.snapshot.charters[0]!.runs24h.missed).toBe(1); // the 12:15 fire, before that write, still counts as missed
  });

  describe('a schedule row bumped or paused after an outage keeps the outage in the history', () => {
    // hourly, with the scheduler down on Nov 10 from 06:00 to 10:59 (no rows for five fires)
    const outage = (row: ReturnType<typeof schedule>, until = '2026-11-21T12:01:00Z'): FakeData => ({
      ...brokenSystem(),
      schedules: [row],
      runs: runsOf('hourly', '2026-10-01T00:00:00Z', until, 60, () => 'success').filter(
        (run) => !(run.scheduledFor >= at('2026-11-10T06:00:00Z') && run.scheduledFor < at('2026-11-10T11:00:00Z')),
      ),
    });
    const nov10 = (history: { days: Array<{ date: string; charters: Record<string, unknown> }> }) =>
      history.days.find((entry) => entry.date === '2026-11-10')!.charters['governance:hourly'];
    const outageIncident = {
      id: 'governance:hourly@2026-11-10T06:00:00.000Z',
      charterId: 'governance:hourly',
      kind: 'missed',
      startedAt: '2026-11-10T06:00:00.000Z',
      resolvedAt: '2026-11-10T11:00:40.000Z',
      runs: 5,
      errorCodes: [],
    };

    it('a deploy that re-syncs the same cron (updated_at bumped): the running worker and a restart both keep it', async () => {
      const data = outage(schedule('hourly', '0 * * * *'));
      const builder = createSnapshotBuilder(createFakeSource(data), settings, logger);
      await builder.build(now);
      data.schedules[0] = { ...data.schedules[0]!, updatedAt: at('2026-11-21T12:20:00Z') };
      const running = await builder.build(new Date(now.getTime() + minute));
      const restarted = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(new Date(now.getTime() + minute));
      for (const built of [running, restarted]) {
        expect(nov10(built.history)).toEqual({ expected: 24, succeeded: 19, failed: 0, skipped: 0, missed: 5 });
        expect(built.history.incidents).toEqual([outageIncident]);
      }
      expect(restarted.history.days).toEqual(running.history.days);
    });

    it('a pause: due by its cron up to its last run, nothing after', async () => {
      const data = outage(schedule('hourly', '0 * * * *', 'UTC', { enabled: false, updatedAt: at('2026-11-21T09:30:00Z') }), '2026-11-21T09:01:00Z');
      const { snapshot, history } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
      // the card counts the last 24 hours by the same rule as the history: 13:00 yesterday to 09:00 today
      expect(snapshot.charters[0]).toMatchObject({ state: 'paused', runs24h: { expected: 21, succeeded: 21, failed: 0, skipped: 0, missed: 0, running: 0 } });
      expect(nov10(history)).toEqual({ expected: 24, succeeded: 19, failed: 0, skipped: 0, missed: 5 });
      expect(history.incidents).toEqual([outageIncident]);
      // today: due up to the 09:00 run, then paused: nothing missed after it
      expect(history.days.at(-1)!.charters['governance:hourly']).toEqual({ expected: 10, succeeded: 10, failed: 0, skipped: 0, missed: 0 });
    });

    it('a real change of cadence (hourly, now every 15 minutes) still never reads the new cron’s earlier fires as missed', async () => {
      const data = outage(schedule('hourly', '*/15 * * * *', 'UTC', { updatedAt: at('2026-11-21T12:05:00Z') }));
      const { history } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
      // the hourly runs sit on fires of */15, but not on consecutive ones: another cadence, so only answered fires count
      expect(nov10(history)).toEqual({ expected: 19, succeeded: 19, failed: 0, skipped: 0, missed: 0 });
    });
  });

  it('a streak open before the 90 days keeps its start even when the first of the 90 days has no fire', async () => {
    // Wednesdays at 12:00; the last success on Jul 1, every run failing since Jul 8. The 90 days begin
    // on Monday Aug 24, which has no fire: the streak's start must wait for the first fire, Aug 26.
    const data: FakeData = {
      ...brokenSystem(),
      schedules: [schedule('weekly', '0 12 * * 3')],
      runs: runsOf('weekly', '2026-06-03T12:00:00Z', '2026-11-21T00:00:00Z', 7 * 24 * 60, (time) => (time > at('2026-07-01T12:00:00Z') ? 'error' : 'success')),
    };
    const { history, snapshot } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
    expect(history.from).toBe('2026-08-24');
    expect(history.incidents.map((incident) => [incident.id, incident.resolvedAt])).toEqual([['governance:weekly@2026-07-08T12:00:00.000Z', null]]);
    expect(snapshot.openIncidents).toEqual(['status:all_charters_down@2026-11-21T12:34:56.789Z', 'governance:weekly@2026-07-08T12:00:00.000Z']);
  });

  it('gives reasons and open incidents only for the charters the snapshot lists', async () => {
    // 120 charters failing and 30 fine: the snapshot lists 100, the failing first by name, and names no
    // other; the rows come last name first, so the unlisted failing charters' incidents come first
    const ids = Array.from({ length: 150 }, (_, index) => `c${String(index).padStart(3, '0')}`);
    const data: FakeData = {
      ...brokenSystem(),
      schedules: ids.map((id) => schedule(id, '0 * * * *')).reverse(),
      runs: ids.flatMap((id, index) => runsOf(id, '2026-11-21T00:00:00Z', '2026-11-21T12:01:00Z', 60, () => (index < 120 ? 'error' : 'success'))),
    };
    const { snapshot } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
    const listed = new Set(snapshot.charters.map((charter) => charter.id));
    expect(listed.size).toBe(limits.charters);
    const named = snapshot.reasons.flatMap((reason) => (reason.charterId === null ? [] : [reason.charterId]));
    expect(named).toHaveLength(limits.charters);
    expect(named.every((id) => listed.has(id))).toBe(true);
    const incidentCharters = snapshot.openIncidents.filter((id) => !id.startsWith('status:')).map((id) => id.slice(0, id.lastIndexOf('@')));
    expect(incidentCharters).toHaveLength(limits.charters);
    expect(incidentCharters.every((id) => listed.has(id))).toBe(true);
  });

  it('reads the earlier facts and 90 days once, then only the window', async () => {
    const source = createFakeSource(brokenSystem());
    const builder = createSnapshotBuilder(source, settings, logger);
    await builder.build(now);
    const firstCalls = source.calls.length;
    expect(source.calls.filter((call) => call.startsWith('history'))).toHaveLength(89); // the 89 closed days; today is live
    await builder.build(new Date(now.getTime() + minute));
    await builder.build(new Date(now.getTime() + 2 * minute));
    expect(source.calls.slice(firstCalls)).toEqual(['facts', 'facts']);
    builder.reset(); // a replica that stopped leading forgets, and reads again when it leads
    await builder.build(new Date(now.getTime() + 3 * minute));
    expect(source.calls.slice(firstCalls + 2)).toContain('earlier');
  });

  it('reads only the newest minutes of usage each tick, and the whole window again after a failed tick and after reset()', async () => {
    const source = createFakeSource(brokenSystem());
    const readFacts = source.readGovernanceFacts.bind(source);
    const ranges: Array<'whole' | 'part'> = [];
    let failNext = false;
    source.readGovernanceFacts = async (query) => {
      ranges.push(query.usageRanges?.length === 1 && query.usageRanges[0]!.from.getTime() === query.spendFrom.getTime() ? 'whole' : 'part');
      if (failNext) {
        failNext = false;
        throw new Error('connection terminated');
      }
      return readFacts(query);
    };
    const builder = createSnapshotBuilder(source, settings, logger);
    const tick = (minutes: number) => builder.build(new Date(now.getTime() + minutes * minute));
    await tick(0);
    await tick(1);
    failNext = true;
    await expect(tick(2)).rejects.toThrow('connection terminated');
    await tick(3); // after the failed tick
    await tick(4);
    builder.reset(); // a replica that stopped leading, leading again
    await tick(5);
    expect(ranges).toEqual(['whole', 'part', 'part', 'whole', 'part', 'whole']);
  });

  it('a rebuild cut short by the tick’s timeout goes on where it stopped at the next tick', async () => {
    const source = createFakeSource(brokenSystem());
    const controller = new AbortController();
    const readHistory = source.readHistory.bind(source);
    source.readHistory = async (query) => {
      if (source.calls.length >= 31) controller.abort(new Error('snapshot timed out after 30000 ms'));
      return readHistory(query);
    };
    const builder = createSnapshotBuilder(source, settings, logger);
    await expect(builder.build(now, controller.signal)).rejects.toThrow('snapshot timed out');
    const resumed = await builder.build(now);
    expect(source.calls.filter((call) => call === 'earlier')).toHaveLength(1);
    expect(source.calls.filter((call) => call.startsWith('history'))).toHaveLength(89); // each day read once
    const whole = await createSnapshotBuilder(createFakeSource(brokenSystem()), settings, logger).build(now);
    expect(resumed.history).toEqual(whole.history);
    expect(resumed.snapshot).toEqual(whole.snapshot);
  });

  it('judges whether the 90 days are still current by the database’s clock, as last measured, not by the worker’s', async () => {
    // the worker's clock runs 4 minutes ahead (within the limit): a tick 11 h 58 min after the last is
    // 12 h 2 min after it by the worker's clock, past the keeper's 12 h gap; by the database's it is not
    const source = createFakeSource(brokenSystem(), { clock: (workerNow) => ({ now: new Date(workerNow.getTime() - 4 * minute) }) });
    const builder = createSnapshotBuilder(source, settings, logger);
    const first = new Date(now.getTime() + 4 * minute);
    await builder.build(first);
    const firstCalls = source.calls.length;
    const built = await builder.build(new Date(first.getTime() + 12 * hour - 2 * minute));
    expect(built.skewMs).toBeGreaterThanOrEqual(4 * minute);
    expect(source.calls.slice(firstCalls)).not.toContain('earlier');
  });

  it('after reset() the history file is built anew, with the new snapshot’s generatedAt, even when its days are the same', async () => {
    const builder = createSnapshotBuilder(createFakeSource(brokenSystem()), settings, logger);
    await builder.build(now);
    builder.reset();
    const again = await builder.build(new Date(now.getTime() + minute));
    expect(again.history.generatedAt).toBe(again.snapshot.generatedAt);
  });

  it('forgets a deleted charter and judges a re-enabled one from its change, not from the weeks it was paused', async () => {
    const data = brokenSystem();
    const builder = createSnapshotBuilder(createFakeSource(data), settings, logger);
    await builder.build(now);
    data.schedules = data.schedules.filter((row) => row.scheduleId !== 'schedule-community');
    data.schedules.find((row) => row.scheduleId === 'schedule-sustainability')!.enabled = true;
    data.schedules.find((row) => row.scheduleId === 'schedule-sustainability')!.updatedAt = new Date(now.getTime() + minute);
    const { snapshot } = await builder.build(new Date(now.getTime() + 2 * minute));
    expect(snapshot.charters.map((charter) => charter.id)).not.toContain('governance:community');
    expect(snapshot.openIncidents).not.toContain('governance:community@2026-11-21T12:00:00.000Z');
    expect(snapshot.charters.find((charter) => charter.id === 'governance:sustainability')).toMatchObject({ state: 'no_runs', enabled: true });
  });
});

describe('createPublisher', () => {
  it('writes the snapshot and every file beside it, then only what changed or went missing', async () => {
    const { store, files } = createMemoryStore();
    const publish = createPublisher({ source: createFakeSource(brokenSystem()), store, clock: () => now, logger }, settings, {
      feeds: { pageUrl: 'https://status.example.org/', atomUrl: 'https://status.example.org/governance-feed.xml', jsonUrl: 'https://status.example.org/governance-feed.json' },
    });
    const first = await publish();
    expect(first.written.sort()).toEqual(
      [
        'governance-badge.json',
        'governance-badge.svg',
        'governance-feed.json',
        'governance-feed.xml',
        'governance-history.json',
        'governance-history.schema.json',
        'governance-status.json',
        'governance-status.schema.json',
        'summary.json',
        'governance-archive-day.schema.json',
        'governance-archive.schema.json',
        'governance-archive-recent.schema.json',
      ].sort(),
    );
    expect(JSON.parse(files.get('governance-badge.json')!)).toEqual({ schemaVersion: 1, label: 'governance', message: 'failing', color: 'red' });
    expect(files.get('governance-badge.svg')).toContain('<title>governance: failing</title>');
    expect((await publish()).written).toEqual(['governance-status.json']);
    files.delete('governance-status.schema.json');
    files.delete('governance-badge.svg');
    expect((await publish()).written.sort()).toEqual(['governance-badge.svg', 'governance-status.json', 'governance-status.schema.json']);
  });

  it('a history that cannot hold every charter’s 90 days leaves the least severe out, says so, and every file is still written', { timeout: 30_000 }, async () => {
    // 150 charters with 100-character ids, each run daily for 90 days: ~2.4 MB of history, over the 1 MiB bound
    const letters = (index: number) => String.fromCharCode(97 + Math.floor(index / 26), 97 + (index % 26));
    const ids = Array.from({ length: 150 }, (_, index) => `${letters(index)}-${'charter-of-the-dao-'.repeat(5)}`);
    const data: FakeData = {
      ...brokenSystem(),
      schedules: ids.map((id) => schedule(id, '0 12 * * *')),
      runs: ids.flatMap((id, index) => runsOf(id, '2026-08-20T12:00:00Z', '2026-11-21T12:01:00Z', 24 * 60, (time) => (index === 149 && time >= at('2026-11-20T00:00:00Z') ? 'error' : 'success'))),
    };
    const lines: string[] = [];
    const { store, files } = createMemoryStore();
    const publish = createPublisher({ source: createFakeSource(data), store, clock: () => now, logger: createLogger((line) => lines.push(line)) }, settings);
    const first = await publish();
    expect(first.written).toContain('governance-history.json');
    expect(first.written).toContain('governance-badge.svg');
    const body = files.get('governance-history.json')!;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limits.historyBytes);
    const history = parseGovernanceHistory(JSON.parse(body));
    expect(history.success).toBe(true);
    const listed = history.data!.charters.map((charter) => charter.id);
    expect(history.data!.chartersTotal).toBe(150);
    expect(listed.length).toBeGreaterThan(40);
    expect(listed.length).toBeLessThan(100);
    // the failing charter is the most severe: listed first, with its incident
    expect(listed[0]).toMatch(/^governance:ft-charter-of/);
    expect(history.data!.incidents.map((incident) => incident.charterId)).toEqual([listed[0]]);
    for (const day of history.data!.days) expect(Object.keys(day.charters).every((id) => listed.includes(id))).toBe(true);
    expect(lines.filter((line) => line.includes('history_trimmed'))).toHaveLength(1);
    await publish(); // the next tick trims the same way, and says nothing new
    expect(lines.filter((line) => line.includes('history_trimmed'))).toHaveLength(1);
  });

  it('never writes a snapshot that breaks the contract, nor one over its size bound, and a failed read keeps the last good one', async () => {
    const { snapshot } = await createSnapshotBuilder(createFakeSource(brokenSystem()), settings, logger).build(now);
    expect(() => assertSnapshotIsValid({ ...snapshot, charters: [{ ...snapshot.charters[0]!, state: 'exploded' }] })).toThrow(
      /snapshot breaks the contract: charters\.0\.state: /,
    );
    const source = createFakeSource(brokenSystem());
    const { store, files } = createMemoryStore();
    const publish = createPublisher({ source, store, clock: () => now, logger }, settings);
    await publish();
    const good = files.get('governance-status.json');
    source.readGovernanceFacts = async () => {
      throw new Error('connection refused');
    };
    await expect(publish()).rejects.toThrow('connection refused');
    expect(files.get('governance-status.json')).toBe(good);
    expect(() => assertWithinBound('governance-status.json', 'x'.repeat(300_000), 262_144)).toThrow(
      'governance-status.json would be 300000 bytes, over its bound of 262144: not written',
    );
  });
});

describe('odd rows', () => {
  it('a malformed schedule, an infinite timestamp or control characters never fail the snapshot', async () => {
    const data = brokenSystem();
    data.schedules.push(schedule('odd', '0 9 * * *\u0000\n', 'Mars/Base'), schedule('x\u202e\u0007evil', '*/5 * * * *'));
    data.runs.push({ scheduleId: 'schedule-odd', runId: 'r-inf', status: 'success', scheduledFor: new Date(Number.POSITIVE_INFINITY) });
    data.threads.push({ stateKey: 'odd', title: 't', createdAt: new Date(Number.NEGATIVE_INFINITY), updatedAt: at('2026-11-21T11:00:00Z'), runStatus: null, scheduleId: null });
    const { snapshot } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
    expect(snapshot.charters.find((charter) => charter.id === 'governance:odd')).toMatchObject({ scheduleError: 'invalid_timezone', cron: '0 9 * * *', state: 'invalid_schedule' });
    expect(snapshot.charters.map((charter) => charter.id)).toContain('governance:x evil');
    expect(snapshot.recentRuns.map((run) => run.id)).toEqual(['thread-1', 'thread-2']);
  });

  it('a last run whose finish cannot be (years ahead) publishes none, and its lastSuccessAt is its slot; a start that can be stays', async () => {
    const data = brokenSystem();
    const last = data.runs.findLast((run) => run.scheduleId === 'schedule-community')!;
    Object.assign(last, { completedAt: at('2100-01-01T00:00:00Z') });
    const { snapshot } = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
    const slot = '2026-11-21T11:00:00.000Z';
    expect(snapshot.charters.find((charter) => charter.id === 'governance:community')).toMatchObject({
      lastSuccessAt: slot,
      lastRun: { status: 'success', scheduledFor: slot, startedAt: '2026-11-21T11:00:02.000Z', finishedAt: null },
    });
    Object.assign(last, { startedAt: at('2099-01-01T00:00:00Z'), completedAt: at('2026-11-21T10:59:00Z') });
    const before = await createSnapshotBuilder(createFakeSource(data), settings, logger).build(now);
    expect(before.snapshot.charters.find((charter) => charter.id === 'governance:community')!.lastRun).toMatchObject({ startedAt: null, finishedAt: null });
  });
});
