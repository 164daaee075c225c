// What a reader may believe of a snapshot whose parts disagree: its status never reads better than
// its own details, it stops vouching for itself within its freshness window of being first seen, and
// an older copy never replaces a newer one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PublishedStatus, Reason } from '../../shared/contract.ts';
import { freshnessWindowMs, maxFreshnessMs } from '../../shared/constants.ts';
import { cronIntervalMs, snapshotIntervalMs } from '../../shared/schedule.ts';
import { claimedStatus, isOlderSnapshot, readerCharterState, readerCredits, readerStatus, staleAtOf } from '../../shared/snapshot-trust.ts';
import { createSnapshotBuilder, defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createFakeSource } from '../support/fake-source.ts';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/snapshots/${name}.json`, import.meta.url), 'utf8')) as PublishedStatus;
const reason = (severity: Reason['severity']): Reason => ({ code: 'charter_failing', severity, charterId: null, since: null, text: 'x' });
const minute = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('readerStatus', () => {
  const healthy = read('healthy');
  const quiet = { ...healthy, reasons: [] };

  it("is every fixture's own status: the worker's files never contradict themselves", () => {
    for (const name of ['healthy', 'degraded', 'failing', 'empty', 'demo', 'hostile', 'hostile-page', 'legacy-v1']) {
      expect(readerStatus(read(name)), name).toBe(read(name).status);
    }
  });

  it('never reads better than the reasons a file lists', () => {
    expect(readerStatus({ ...healthy, reasons: [reason('degraded')] })).toBe('degraded');
    expect(readerStatus({ ...healthy, status: 'degraded', reasons: [reason('failing')] })).toBe('failing');
    expect(readerStatus({ ...quiet, status: 'failing' })).toBe('failing');
    expect(claimedStatus({ status: 'healthy', reasons: [reason('notice')] })).toBe('healthy');
  });

  it("never reads better than a charter's state: a degraded state is degraded, a notice is none", () => {
    const withState = (state: 'failing' | 'paused' | 'running') => ({ ...quiet, charters: quiet.charters.map((charter, index) => (index === 1 ? { ...charter, state } : charter)) });
    expect(readerStatus(withState('failing'))).toBe('degraded');
    expect(readerStatus(withState('paused'))).toBe('healthy');
    expect(readerStatus(withState('running'))).toBe('healthy');
  });

  it("never reads better than a charter's own last run: an enabled charter whose last finished run failed or was skipped is not ok", () => {
    const lastRun = (status: 'error' | 'skipped' | 'cancelled' | 'success') => ({ runId: 'r', status, scheduledFor: quiet.generatedAt, startedAt: quiet.generatedAt, finishedAt: quiet.generatedAt });
    const withLast = (status: 'error' | 'skipped' | 'cancelled' | 'success', state: 'ok' | 'running' | 'recovering' | 'no_runs' | 'missed', enabled = true) =>
      ({ ...quiet, charters: quiet.charters.map((charter, index) => (index === 1 ? { ...charter, enabled, state, lastRun: lastRun(status) } : charter)) });
    expect(readerStatus(withLast('error', 'ok'))).toBe('degraded');
    expect(readerStatus(withLast('cancelled', 'running'))).toBe('degraded');
    expect(readerStatus(withLast('skipped', 'no_runs'))).toBe('degraded');
    expect(readerCharterState(withLast('error', 'recovering').charters[1]!)).toBe('failing');
    expect(readerCharterState(withLast('skipped', 'ok').charters[1]!)).toBe('skipped');
    // a state that already says so, a success, a paused charter: as stated
    expect(readerCharterState(withLast('error', 'missed').charters[1]!)).toBe('missed');
    expect(readerStatus(withLast('success', 'ok'))).toBe('healthy');
    expect(readerCharterState({ ...withLast('error', 'ok', false).charters[1]!, state: 'paused' })).toBe('paused');
  });

  it("never reads better than a charter's schedule: an enabled charter with a schedule error is invalid_schedule, whatever it states", () => {
    const broken = (state: 'ok' | 'running' | 'failing' | undefined, enabled = true) =>
      ({ ...quiet, charters: quiet.charters.map((charter, index) => (index === 1 ? { ...charter, enabled, state, scheduleError: 'invalid_cron' as const } : charter)) });
    expect(readerCharterState(broken('ok').charters[1]!)).toBe('invalid_schedule');
    expect(readerStatus(broken('ok'))).toBe('degraded');
    expect(readerCharterState(broken('running').charters[1]!)).toBe('invalid_schedule');
    expect(readerCharterState(broken(undefined).charters[1]!)).toBe('invalid_schedule');
    // by the worker's order a broken schedule comes before the runs, and a paused charter before both
    expect(readerCharterState(broken('failing').charters[1]!)).toBe('invalid_schedule');
    expect(readerCharterState(broken(undefined, false).charters[1]!)).toBe('paused');
    // a disabled charter is paused whatever the file states: it does not count as one that works
    expect(readerCharterState(broken('ok', false).charters[1]!)).toBe('paused');
  });

  it('judges a file that states no states (an older one) by its charters\' facts: failed last runs are failing, all of them all_charters_down', () => {
    const lastRun = (status: 'error' | 'skipped' | 'success') => ({ status, scheduledFor: quiet.generatedAt, finishedAt: quiet.generatedAt });
    const stateless = (status: 'error' | 'skipped' | 'success') => ({
      ...quiet,
      charters: quiet.charters.map(({ state: _, ...charter }, index) => ({ ...charter, enabled: index !== 0, lastRun: index === 0 ? null : lastRun(status) })),
    });
    expect(stateless('error').charters.map(readerCharterState)).toEqual(['paused', 'failing', 'failing', 'failing', 'failing']);
    expect(readerStatus(stateless('error'))).toBe('failing');
    expect(stateless('skipped').charters.map(readerCharterState)).toEqual(['paused', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(readerStatus(stateless('skipped'))).toBe('failing');
    // succeeded: nothing implied, the status the file carries
    expect(stateless('success').charters.map(readerCharterState)).toEqual(['paused', undefined, undefined, undefined, undefined]);
    expect(readerStatus(stateless('success'))).toBe('healthy');
  });

  it('is failing when every charter that should run is down, as the worker judges all_charters_down, unless some are not listed', () => {
    const down = { ...quiet, status: 'degraded' as const, charters: quiet.charters.map((charter) => ({ ...charter, state: charter.enabled ? ('failing' as const) : ('paused' as const) })) };
    expect(readerStatus(down)).toBe('failing');
    expect(readerStatus({ ...down, chartersTotal: down.charters.length + 1 })).toBe('degraded');
    expect(readerStatus({ ...down, charters: down.charters.map((charter, index) => (index === 0 ? { ...charter, enabled: true, state: 'ok' as const } : charter)) })).toBe('degraded');
  });

  it('never reads better than the credits: none left or red is failing, yellow degraded', () => {
    expect(readerStatus({ ...quiet, credits: { ...quiet.credits, balance: '0' } })).toBe('failing');
    expect(readerStatus({ ...quiet, credits: { ...quiet.credits, balance: '-5' } })).toBe('failing');
    expect(readerStatus({ ...quiet, credits: { ...quiet.credits, health: 'red' } })).toBe('failing');
    expect(readerStatus({ ...quiet, credits: { ...quiet.credits, health: 'yellow' } })).toBe('degraded');
    // a health the file's own runway contradicts: the runway's, by the worker's one rule (shared/credits.ts)
    expect(readerStatus({ ...quiet, credits: { ...quiet.credits, health: 'green', runwayHours: 3 } })).toBe('failing');
    expect(readerStatus({ ...quiet, credits: { ...quiet.credits, health: 'green', runwayHours: 20 } })).toBe('degraded');
  });

  it("never reads better than its credits' own arithmetic: a runway its balance and spend contradict", () => {
    // 1e10 credits, spending 2.4e11 a day: 1e10 an hour, one hour left, whatever runway and health it states
    const spending = { ...quiet.credits, balance: '10000000000', spentLast24h: '240000000000', runwayHours: 2756.2, health: 'green' as const };
    expect(readerStatus({ ...quiet, credits: spending })).toBe('failing');
    expect(readerStatus({ ...quiet, credits: { ...spending, spentLast24h: '24000000000' } })).toBe('degraded');
  });

  it("never reads better than a reason's own code: each code has the one severity the worker gives it", () => {
    const funding = { code: 'funding_ends_soon', severity: 'notice', charterId: null, since: null, text: 'The balance pays for about 3 more runs, until 14:00 UTC.' } as const;
    expect(readerStatus({ ...healthy, reasons: [funding] })).toBe('degraded');
    expect(readerStatus({ ...healthy, reasons: [{ ...funding, code: 'all_charters_down' }] })).toBe('failing');
    expect(readerStatus({ ...healthy, reasons: [{ ...funding, code: 'charter_no_runs' }] })).toBe('healthy');
    // what the file claims of itself stays its own
    expect(claimedStatus({ status: 'healthy', reasons: [funding] })).toBe('healthy');
  });

  it('is degraded when its forecast runs out of funding within a day, as the worker judges funding_ends_soon', () => {
    const generatedAt = Date.parse(quiet.generatedAt);
    const ending = (at: number) => ({ ...quiet, forecast: { ...quiet.forecast!, firstUnfundedRun: { charterId: 'governance:community', at: iso(at) } } });
    expect(readerStatus(ending(generatedAt + 24 * 60 * minute))).toBe('degraded');
    expect(readerStatus(ending(generatedAt + 24 * 60 * minute + 1))).toBe('healthy');
    // read from a replica 2 minutes behind (within the grace): the day counts from its data, as the worker counts it
    const behind = (at: number) => ({ ...ending(at), dataAsOf: iso(generatedAt - 2 * minute) });
    expect(readerStatus(behind(generatedAt - 2 * minute + 24 * 60 * minute))).toBe('degraded');
    expect(readerStatus(behind(generatedAt - 2 * minute + 24 * 60 * minute + minute))).toBe('healthy');
  });

  it('is degraded when its data lags its instant by more than the grace, as the worker judges data_behind', () => {
    const generatedAt = Date.parse(quiet.generatedAt);
    const grace = quiet.rules!.graceSeconds * 1000;
    expect(readerStatus({ ...quiet, dataAsOf: iso(generatedAt - grace) })).toBe('healthy');
    expect(readerStatus({ ...quiet, dataAsOf: iso(generatedAt - grace - 1) })).toBe('degraded');
    // a file from before dataAsOf and rules says nothing about its lag
    expect(readerStatus({ ...quiet, dataAsOf: iso(generatedAt - 2 * grace), rules: undefined })).toBe('healthy');
  });
});

describe('readerCredits', () => {
  const { credits } = read('healthy');

  it("is every fixture's own credits: the worker's figures agree with its rules", () => {
    for (const name of ['healthy', 'degraded', 'failing', 'empty', 'demo', 'hostile', 'hostile-page', 'legacy-v1']) {
      expect(readerCredits(read(name).credits), name).toEqual(read(name).credits);
    }
  });

  it('shows no figure its balance and spend contradict, and never a runway or health better than stated', () => {
    // a "$0.00" under a balance of 987,654 USD, and a burn that is not the spend's
    expect(readerCredits({ ...credits, balanceUsd: '0.00', burnPerHour: '0' })).toEqual(credits);
    const spending = { ...credits, balance: '10000000000', spentLast24h: '240000000000' };
    expect(readerCredits(spending)).toEqual({ ...spending, balanceUsd: '1000.00', burnPerHour: '10000000000', runwayHours: 1, health: 'red' });
    expect(readerCredits({ ...credits, runwayHours: 3 })).toMatchObject({ runwayHours: 3, health: 'red' });
    expect(readerCredits({ ...credits, spentLast24h: '0', burnPerHour: '0', runwayHours: 20 })).toMatchObject({ runwayHours: 20, health: 'yellow' });
    expect(readerCredits({ ...credits, health: 'yellow' })).toMatchObject({ runwayHours: credits.runwayHours, health: 'yellow' });
  });
});

describe('staleAtOf', () => {
  const made = Date.parse('2026-11-21T12:00:30.000Z');
  const snapshot = { generatedAt: iso(made), staleAfter: iso(made + 3 * minute) };

  it('is staleAfter for a snapshot made before it was seen', () => {
    expect(staleAtOf(snapshot, made + 20_000)).toBe(made + 3 * minute);
    expect(staleAtOf(snapshot, made + 10 * minute)).toBe(made + 3 * minute);
  });

  it('counts the freshness window of a snapshot from the future from when it was first seen', () => {
    const ahead = { generatedAt: iso(made + 24 * 60 * minute), staleAfter: iso(made + 24 * 60 * minute + 3 * minute) };
    expect(staleAtOf(ahead, made)).toBe(made + 3 * minute);
  });

  it('vouches for no longer than the slowest schedule the worker accepts allows, whatever staleAfter a file claims', () => {
    const hour = 60 * minute;
    const yearsAhead = { generatedAt: iso(made), staleAfter: iso(made + 5 * 365 * 24 * hour) };
    expect(maxFreshnessMs).toBe(3 * hour);
    expect(staleAtOf(yearsAhead, made + 20_000)).toBe(made + maxFreshnessMs);
    // from the future too: counted from when it was first seen
    const aheadAndLong = { generatedAt: iso(made + 24 * hour), staleAfter: iso(made + 24 * hour + 400 * hour) };
    expect(staleAtOf(aheadAndLong, made)).toBe(made + maxFreshnessMs);
    // an honest window at the slowest schedule stands as it is
    expect(staleAtOf({ generatedAt: iso(made), staleAfter: iso(made + maxFreshnessMs) }, made)).toBe(made + maxFreshnessMs);
  });

  it('is what the worker writes: 3 times the interval it was made in, at most the reader’s bound (a schedule with an overnight gap)', () => {
    expect(freshnessWindowMs(snapshotIntervalMs('* * * * *', new Date(made)))).toBe(3 * minute);
    expect(freshnessWindowMs(snapshotIntervalMs('* * * * *', new Date(made + 50)))).toBe(3 * minute);
    expect(freshnessWindowMs(snapshotIntervalMs('0 * * * *', new Date('2026-11-21T12:00:00Z')))).toBe(maxFreshnessMs);
    expect(freshnessWindowMs(snapshotIntervalMs('* * * * * *', new Date('2026-11-21T12:00:00.050Z')))).toBe(3_000);
    // office hours only: at 17:50 the next two fires are 17:55 and 09:00 the next morning, 15 hours apart
    // (were the 17:55 tick to fail, the 17:50 snapshot would vouch for itself until two days later)
    const evening = new Date('2026-11-21T17:50:00Z');
    expect(cronIntervalMs('*/5 9-17 * * *', evening)).toBe(15 * 60 * minute + 5 * minute);
    expect(freshnessWindowMs(snapshotIntervalMs('*/5 9-17 * * *', evening))).toBe(maxFreshnessMs);
  });

  // the interval between the next two fires would be 5 minutes at 12:05, and 10 s at :10: stale long before the next snapshot
  it.each([
    ['0,5 * * * *', '2026-11-21T12:05:00.050Z', 55 * minute],
    ['0,5 * * * *', '2026-11-21T12:00:00.050Z', 55 * minute], // the one after: a 12:05 tick that fails leaves it current until 12:15 at least
    ['0,10 * * * * *', '2026-11-21T12:00:10.050Z', 50_000],
    ['0,10 * * * * *', '2026-11-21T12:00:09.000Z', 50_000], // a second before the :10 fire (a timer a little early)
  ])('at an irregular schedule (%s) stands for the longer of the interval it was made in and the next (made %s)', (cron, at, interval) => {
    expect(snapshotIntervalMs(cron, new Date(at))).toBe(interval);
  });

  // '* 0-4 * * * *': every second for 5 minutes, then 55 minutes without one. A database clock 1.5 s
  // behind the worker's puts the 12:04:59 tick at 12:04:57.5, between two fires a second apart: that
  // snapshot must still stand until 13:00, when the worker's clock fires the next one.
  it.each([0, -1_500, 1_500])('is the interval the worker’s clock fired the tick in, whatever the database’s clock says (%i ms)', async (offset) => {
    const cron = '* 0-4 * * * *';
    const source = createFakeSource({ balance: 0n, receipts: [], schedules: [], runs: [], threads: [] }, { clock: (workerNow) => ({ now: new Date(workerNow.getTime() + offset) }) });
    const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: (at) => freshnessWindowMs(snapshotIntervalMs(cron, at)), rules: defaultRules };
    const { snapshot } = await createSnapshotBuilder(source, settings, createLogger(() => {})).build(new Date('2026-11-21T12:04:59.000Z'));
    expect(Date.parse(snapshot.staleAfter) - Date.parse(snapshot.generatedAt)).toBe(3 * (55 * minute + 1_000));
  });

  it('is staleAfter when that comes before generatedAt', () => {
    expect(staleAtOf({ generatedAt: iso(made), staleAfter: iso(made - minute) }, made + 1_000)).toBe(made - minute);
  });
});

describe('isOlderSnapshot', () => {
  const shown = { generatedAt: '2026-11-21T12:01:30.000Z' };
  const now = Date.parse('2026-11-21T12:02:00.000Z');

  it('refuses a copy made before the one shown, and takes the same or a newer one', () => {
    expect(isOlderSnapshot({ generatedAt: '2026-11-21T12:00:30.000Z' }, shown, now)).toBe(true);
    expect(isOlderSnapshot({ generatedAt: '2026-11-21T12:01:29.999Z' }, shown, now)).toBe(true);
    expect(isOlderSnapshot(shown, shown, now)).toBe(false);
    expect(isOlderSnapshot({ generatedAt: '2026-11-21T12:02:30.000Z' }, shown, now)).toBe(false);
  });

  it('takes an older one when the one shown is from the future, by the rule the worker writes over it', () => {
    const ahead = { generatedAt: '2026-11-22T12:00:00.000Z' };
    expect(isOlderSnapshot({ generatedAt: '2026-11-21T12:01:30.000Z' }, ahead, now)).toBe(false);
    expect(isOlderSnapshot({ generatedAt: '2026-11-21T12:01:30.000Z' }, { generatedAt: '2026-11-21T12:02:59.000Z' }, now)).toBe(true);
  });
});
