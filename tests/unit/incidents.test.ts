// The incident threshold at its edges (a blip, two in a row, an hour without success, a run still
// in progress, midnight, the 90 days' horizon, ids across the threshold), the system's own incidents,
// and incidents once announced.
import { describe, expect, it } from 'vitest';
import { countedUntil, type ExpectedFire, type RunRecord } from '../../shared/charter-state.ts';
import type { Incident, StatusIncident } from '../../shared/contract.ts';
import { noStreak, toIncident, walkStreak, type StreakState } from '../../shared/history.ts';
import {
  advanceStatusIncidents,
  crossesThreshold,
  keepAnnounced,
  openStreakIsIncident,
  parseStatusIncidentId,
  recalledIncidents,
  resolvedStreakIsIncident,
  statusConditions,
  type IncidentRules,
} from '../../shared/incidents.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const t = (iso: string) => Date.parse(iso);
const rules: IncidentRules = { incidentAfterRuns: 2, incidentAfterMs: hour };
const id = 'governance:engineering';

type Outcome = RunRecord['status'] | null;
const run = (at: number, status: RunRecord['status']): RunRecord => ({
  runId: `r-${at}`,
  status,
  scheduledFor: at,
  startedAt: at + 1_000,
  completedAt: status === 'running' ? null : at + 40_000,
  code: status === 'error' ? 'insufficient_credits' : null,
});

/** A charter firing every `everyMs` from `start`, its fires answered as given (null: no row). */
function ledger(start: number, everyMs: number, outcomes: Outcome[]) {
  const fires: ExpectedFire[] = outcomes.map((status, index) => {
    const at = start + index * everyMs;
    return { at, run: status === null ? null : run(at, status) };
  });
  return fires;
}

/**
 * What a tick at `now` makes of the fires up to now: the walk up to countedUntil (the grace waits
 * for a row; a finished run is known at once), then the open streak judged, or the resolved ones.
 */
function tick(fires: readonly ExpectedFire[], now: number, graceMs = 10 * minute) {
  const due = fires.filter((fire) => fire.at <= now && (fire.run === null || fire.run.startedAt! <= now));
  const runs = due.flatMap((fire) => (fire.run && fire.run.completedAt !== null && fire.run.completedAt > now ? [{ ...fire.run, status: 'running' as const, completedAt: null }] : fire.run ? [fire.run] : []));
  const seen = due.map((fire) => ({ at: fire.at, run: runs.find((candidate) => candidate.scheduledFor === fire.at) ?? null }));
  const walked = walkStreak(noStreak, seen, { knownUntil: countedUntil(now, graceMs, runs) });
  const incidents: Incident[] = walked.resolved.filter((end) => resolvedStreakIsIncident(end, rules)).map((end) => toIncident(id, end.streak, end.resolvedAt));
  if (walked.state.streak && openStreakIsIncident(walked.state, now, rules)) incidents.push(toIncident(id, walked.state.streak, null));
  return { incidents, state: walked.state };
}

describe('the threshold', () => {
  it('is INCIDENT_AFTER_RUNS runs, or longer than INCIDENT_AFTER_SECONDS, whichever comes first', () => {
    expect(crossesThreshold(1, 0, hour, rules)).toBe(false);
    expect(crossesThreshold(1, 0, hour + 1, rules)).toBe(true);
    expect(crossesThreshold(2, 0, 0, rules)).toBe(true);
    expect(crossesThreshold(1, 0, 0, { incidentAfterRuns: 1, incidentAfterMs: hour })).toBe(true);
  });

  it('one failure, then a success: a blip (never an incident, at no tick)', () => {
    // every 30 minutes: 12:00 failed, 12:30 succeeded
    const fires = ledger(t('2026-11-21T11:30:00Z'), 30 * minute, ['success', 'error', 'success']);
    for (let now = t('2026-11-21T12:00:00Z'); now <= t('2026-11-21T13:30:00Z'); now += minute) expect(tick(fires, now).incidents).toEqual([]);
  });

  it('an hourly charter’s one failure is a blip too: the streak lasted exactly an hour, not longer', () => {
    const fires = ledger(t('2026-11-21T11:15:00Z'), hour, ['success', 'error', 'success']);
    for (let now = t('2026-11-21T12:15:00Z'); now <= t('2026-11-21T14:00:00Z'); now += minute) expect(tick(fires, now).incidents).toEqual([]);
  });

  it('even while the run that ends it is still running past the hour: what is not settled is not counted', () => {
    // the 13:15 run runs for 20 minutes: at 13:16 the streak is 61 minutes old, but the run may still succeed
    const fires = ledger(t('2026-11-21T11:15:00Z'), hour, ['success', 'error', 'success']);
    const slow = fires.map((fire) => (fire.at === t('2026-11-21T13:15:00Z') ? { ...fire, run: { ...fire.run!, completedAt: fire.at + 20 * minute } } : fire));
    expect(tick(slow, t('2026-11-21T13:16:00Z')).state.unsettledAt).toBe(t('2026-11-21T13:15:00Z'));
    for (let now = t('2026-11-21T12:15:00Z'); now <= t('2026-11-21T14:00:00Z'); now += minute) expect(tick(slow, now).incidents).toEqual([]);
  });

  it('two in a row: an incident from the first, opened at the tick the second is known', () => {
    const fires = ledger(t('2026-11-21T11:30:00Z'), 30 * minute, ['success', 'error', 'error', 'success']);
    expect(tick(fires, t('2026-11-21T12:20:00Z')).incidents).toEqual([]);
    // the 12:30 run finished at 12:30:40: known at once, inside the grace
    expect(tick(fires, t('2026-11-21T12:31:00Z')).incidents).toEqual([
      { id: `${id}@2026-11-21T12:00:00.000Z`, charterId: id, kind: 'failed', startedAt: '2026-11-21T12:00:00.000Z', resolvedAt: null, runs: 2, errorCodes: ['insufficient_credits'] },
    ]);
    expect(tick(fires, t('2026-11-21T13:05:00Z')).incidents).toEqual([expect.objectContaining({ id: `${id}@2026-11-21T12:00:00.000Z`, resolvedAt: '2026-11-21T13:00:40.000Z' })]);
  });

  it('an hour of a daily charter’s missed run: one missed fire, still unanswered an hour later, is an incident', () => {
    const fires = ledger(t('2026-11-20T06:00:00Z'), day, ['success', null]);
    expect(tick(fires, t('2026-11-21T06:05:00Z')).state.streak).toBeNull(); // inside the grace: not yet missed
    expect(tick(fires, t('2026-11-21T06:20:00Z')).incidents).toEqual([]); // missed, a blip so far
    expect(tick(fires, t('2026-11-21T07:00:00Z')).incidents).toEqual([]); // an hour exactly
    expect(tick(fires, t('2026-11-21T07:01:00Z')).incidents).toEqual([
      { id: `${id}@2026-11-21T06:00:00.000Z`, charterId: id, kind: 'missed', startedAt: '2026-11-21T06:00:00.000Z', resolvedAt: null, runs: 1, errorCodes: [] },
    ]);
  });

  it('keeps one id across the threshold: the tick it crosses, every later tick, its resolution and a restart name the same', () => {
    // every 10 minutes: 12:00 failed, 12:10 missed, 12:20 failed, 12:30 succeeded
    const fires = ledger(t('2026-11-21T11:50:00Z'), 10 * minute, ['success', 'error', null, 'error', 'success']);
    const ids = new Map<number, string[]>();
    for (let now = t('2026-11-21T12:00:00Z'); now <= t('2026-11-21T13:00:00Z'); now += minute) ids.set(now, tick(fires, now).incidents.map((incident) => incident.id));
    const seen = [...ids.values()].flat();
    expect(new Set(seen)).toEqual(new Set([`${id}@2026-11-21T12:00:00.000Z`]));
    const first = [...ids].find(([, list]) => list.length > 0)![0];
    expect(new Date(first).toISOString()).toBe('2026-11-21T12:20:00.000Z'); // the 12:10 fire counts missed once its grace is over
    // never gone again once it appeared: the same derivation a restart makes
    expect([...ids].filter(([now]) => now >= first).every(([, list]) => list.length === 1)).toBe(true);
  });

  it('a streak open across midnight is one incident, whatever day the walk is cut at', () => {
    const fires = ledger(t('2026-11-21T23:00:00Z'), 30 * minute, ['success', 'error', 'error', 'error', 'success']);
    const before = walkStreak(noStreak, fires.filter((fire) => fire.at < t('2026-11-22T00:00:00Z')));
    const after = walkStreak(before.state, fires.filter((fire) => fire.at >= t('2026-11-22T00:00:00Z')));
    const whole = walkStreak(noStreak, fires);
    expect(after.resolved).toEqual(whole.resolved);
    expect(toIncident(id, after.resolved[0]!.streak, after.resolved[0]!.resolvedAt)).toMatchObject({ id: `${id}@2026-11-21T23:30:00.000Z`, runs: 3 });
  });

  it('a streak open across the 90 days’ horizon keeps its start, and is measured from it', () => {
    // the last success before the horizon was at 23:00; the horizon's first fire, 00:00, failed and 00:30 succeeded
    const horizon = t('2026-08-24T00:00:00Z');
    const fires = ledger(horizon, 30 * minute, ['error', 'success']);
    const walked = walkStreak(noStreak, fires, { openedAt: horizon - 30 * minute });
    expect(toIncident(id, walked.resolved[0]!.streak, walked.resolved[0]!.resolvedAt).id).toBe(`${id}@2026-08-23T23:30:00.000Z`);
    expect(resolvedStreakIsIncident(walked.resolved[0]!, rules)).toBe(false); // 1 run, 60 minutes: a blip
    const long = walkStreak(noStreak, fires, { openedAt: horizon - 3 * hour });
    expect(resolvedStreakIsIncident(long.resolved[0]!, rules)).toBe(true); // 1 run read, but 3 h 30 min without success
    const open: StreakState = walkStreak(noStreak, fires.slice(0, 1), { openedAt: horizon - 3 * hour }).state;
    expect(openStreakIsIncident(open, horizon + minute, rules)).toBe(true);
  });
});

describe('incidents once announced', () => {
  const announced: Incident = { id: `${id}@2026-11-21T06:00:00.000Z`, charterId: id, kind: 'missed', startedAt: '2026-11-21T06:00:00.000Z', resolvedAt: null, runs: 1, errorCodes: [] };

  it('stay when the ledger no longer shows them, resolved when the worker saw them end', () => {
    expect(keepAnnounced([], [announced], t('2026-11-21T09:00:00Z'))).toEqual([{ ...announced, resolvedAt: '2026-11-21T09:00:00.000Z' }]);
    const resolved = { ...announced, resolvedAt: '2026-11-21T08:00:00.000Z' };
    expect(keepAnnounced([], [resolved], t('2026-11-21T09:00:00Z'))).toEqual([resolved]);
  });

  it('closed, not recovered, when their charter is gone (its row deleted, or no longer a governance charter); a published end stays as it is', () => {
    const at = t('2026-11-21T09:00:00Z');
    const exist = (...ids: string[]) => ({ streaks: [], announcedAt: at - 60_000, charters: new Set(ids) });
    expect(keepAnnounced([], [announced], at, exist('governance:community'))).toEqual([{ ...announced, resolvedAt: '2026-11-21T09:00:00.000Z', resolution: 'charter_removed' }]);
    // its charter still exists: rows written late answered its fires
    expect(keepAnnounced([], [announced], at, exist(id))).toEqual([{ ...announced, resolvedAt: '2026-11-21T09:00:00.000Z' }]);
    const recovered = { ...announced, resolvedAt: '2026-11-21T08:00:00.000Z' };
    expect(keepAnnounced([], [recovered], at, exist())).toEqual([recovered]);
    const closed = { ...recovered, resolution: 'charter_removed' as const };
    expect(keepAnnounced([{ ...recovered, runs: 2 }], [closed], at, exist(id))).toEqual([closed]);
  });

  it('give way to what the ledger derives under the same id', () => {
    const derived = { ...announced, runs: 3 };
    expect(keepAnnounced([derived], [announced], t('2026-11-21T09:00:00Z'))).toEqual([derived]);
  });

  it('keep a published resolution: the ledger read again (a changed cron, a charter back) neither moves it, changes its runs nor reopens it', () => {
    const resolved = { ...announced, runs: 6, resolvedAt: '2026-11-21T08:30:30.000Z' };
    expect(keepAnnounced([{ ...resolved, runs: 3, resolvedAt: '2026-11-21T08:45:30.000Z' }], [resolved], t('2026-11-21T09:00:00Z'))).toEqual([resolved]);
    // the ledger's streak going on under the same id (its charter removed, then back): the published
    // resolution stays, and what goes on past it is an incident of its own, open, from that resolution
    const goingOn = { ...resolved, resolvedAt: null, runs: 8 };
    const after = { ...goingOn, id: `${id}@2026-11-21T08:30:30.000Z`, startedAt: '2026-11-21T08:30:30.000Z', runs: 2 };
    const first = keepAnnounced([goingOn], [resolved], t('2026-11-21T09:00:00Z'));
    expect(first).toEqual([resolved, after]);
    expect(keepAnnounced([goingOn], first, t('2026-11-21T09:15:00Z'))).toEqual(first);
    // it resolves when the streak does; never announced, a later end of the streak is only the published one
    const ended = { ...goingOn, runs: 9, resolvedAt: '2026-11-21T09:20:30.000Z' };
    expect(keepAnnounced([ended], first, t('2026-11-21T09:21:00Z'))).toEqual([resolved, { ...after, runs: 3, resolvedAt: '2026-11-21T09:20:30.000Z' }]);
    expect(keepAnnounced([ended], [resolved], t('2026-11-21T09:21:00Z'))).toEqual([resolved]);
  });

  describe('whose first fire a row written late answered', () => {
    // 06:00 missed and 06:15 missed were published as one incident; then 06:00's row arrived (a success,
    // or a run still in progress): the ledger's streak now starts at 06:15
    const later = (startedAt: string, runs: number, resolvedAt: string | null = null): Incident => ({ ...announced, id: `${id}@${startedAt}`, startedAt, runs, resolvedAt });
    const now = t('2026-11-21T06:31:00Z');
    /** the charters' open streaks, the announced incidents last published a tick (a minute) before */
    const going = (streaks: Incident[], announcedAt = now - 60_000) => ({ streaks, announcedAt });

    it('go on, open, as the charter’s next streak, a blip too: the charter never recovered', () => {
      expect(keepAnnounced([], [announced], now, going([later('2026-11-21T06:15:00.000Z', 1)]))).toEqual([{ ...announced, runs: 1 }]);
      expect(keepAnnounced([later('2026-11-21T06:15:00.000Z', 3)], [announced], now, going([later('2026-11-21T06:15:00.000Z', 3)]))).toEqual([{ ...announced, runs: 3 }]);
    });

    it('end when that streak ends, and stay so on every later tick (and after a restart)', () => {
      const ended = later('2026-11-21T06:15:00.000Z', 3, '2026-11-21T07:00:30.000Z');
      const first = keepAnnounced([ended], [announced], t('2026-11-21T07:01:00Z'), going([], t('2026-11-21T07:00:00Z')));
      expect(first).toEqual([{ ...announced, runs: 3, resolvedAt: '2026-11-21T07:00:30.000Z' }]);
      expect(keepAnnounced([ended], first, t('2026-11-21T07:16:00Z'), going([], t('2026-11-21T07:15:00Z')))).toEqual(first);
    });

    it('resolve, not go on, when the charter’s streak began after they were last published: a recovery no tick saw may lie between', () => {
      // published open at 06:30; the worker down until 08:45; late rows answered 06:00 and 06:15, every
      // run until 08:15 succeeded, 08:30 failed once (a blip)
      const blip = later('2026-11-21T08:30:00.000Z', 1);
      const at = t('2026-11-21T08:45:00Z');
      expect(keepAnnounced([], [announced], at, going([blip], t('2026-11-21T06:30:00Z')))).toEqual([{ ...announced, resolvedAt: '2026-11-21T08:45:00.000Z' }]);
      // the same blip, begun before the last publication, is the same outage going on
      expect(keepAnnounced([], [announced], at, going([blip], t('2026-11-21T08:44:00Z')))).toEqual([{ ...announced, runs: 1 }]);
    });

    it('leave a streak of their charter that was announced itself, or began before them, or another charter’s, alone', () => {
      const own = later('2026-11-21T06:15:00.000Z', 2);
      expect(keepAnnounced([own], [announced, own], now)).toEqual([own, { ...announced, resolvedAt: '2026-11-21T06:31:00.000Z' }]);
      const before = later('2026-11-21T05:00:00.000Z', 2);
      expect(keepAnnounced([], [announced], now, going([before]))).toEqual([{ ...announced, resolvedAt: '2026-11-21T06:31:00.000Z' }]);
      const other = { ...later('2026-11-21T06:15:00.000Z', 2), charterId: 'governance:community', id: 'governance:community@2026-11-21T06:15:00.000Z' };
      expect(keepAnnounced([other], [announced], now, going([other]))).toEqual([other, { ...announced, resolvedAt: '2026-11-21T06:31:00.000Z' }]);
    });
  });
});

describe('the system’s own incidents', () => {
  const charters = [
    { id: 'a', enabled: true, state: 'failing' as const },
    { id: 'b', enabled: true, state: 'missed' as const },
    { id: 'c', enabled: false, state: 'paused' as const },
  ];
  const reasons = (...codes: string[]) => codes.map((code) => ({ code })) as Array<{ code: 'credits_exhausted' }>;

  it('a worker that starts recalls those the published snapshot names open when the history is gone, or does not hold them', () => {
    const open = 'status:credits_exhausted@2026-11-21T07:00:00.000Z';
    const named = [open, 'governance:engineering@2026-11-21T06:00:00.000Z', 'status:nonsense@x'];
    const snapshot = { generatedAt: '2026-11-21T08:30:00.000Z', ids: named };
    expect(recalledIncidents(null, snapshot)).toEqual({ incidents: [], announcedAt: null, statusIncidents: [{ id: open, code: 'credits_exhausted', startedAt: '2026-11-21T07:00:00.000Z', resolvedAt: null }] });
    // the history says more (it was resolved, or opened it): it wins
    const resolved = { id: open, code: 'credits_exhausted' as const, startedAt: '2026-11-21T07:00:00.000Z', resolvedAt: '2026-11-21T08:00:00.000Z' };
    expect(recalledIncidents({ incidents: [], statusIncidents: [resolved], generatedAt: '2026-11-21T08:00:00.000Z' }, snapshot).statusIncidents).toEqual([resolved]);
  });

  it('were last announced open when the newer snapshot still named every open one, else when the history was written', () => {
    // the history's generatedAt moves only when its content does: the snapshot, written every tick, knows later
    const engineering: Incident = { id: 'governance:engineering@2026-11-21T06:00:00.000Z', charterId: 'governance:engineering', kind: 'missed', startedAt: '2026-11-21T06:00:00.000Z', resolvedAt: null, runs: 2, errorCodes: [] };
    const history = { incidents: [engineering], statusIncidents: [], generatedAt: '2026-11-21T06:31:00.000Z' };
    expect(recalledIncidents(history, { generatedAt: '2026-11-21T06:44:00.000Z', ids: [engineering.id] }).announcedAt).toBe('2026-11-21T06:44:00.000Z');
    // not named open any more (it ended after the history was written), an older snapshot, or none: the history's instant
    expect(recalledIncidents(history, { generatedAt: '2026-11-21T06:44:00.000Z', ids: [] }).announcedAt).toBe('2026-11-21T06:31:00.000Z');
    expect(recalledIncidents(history, { generatedAt: '2026-11-21T06:20:00.000Z', ids: [engineering.id] }).announcedAt).toBe('2026-11-21T06:31:00.000Z');
    expect(recalledIncidents(history, { generatedAt: null, ids: [] }).announcedAt).toBe('2026-11-21T06:31:00.000Z');
  });

  it('an id says its code and start, and only a system incident’s id does', () => {
    expect(parseStatusIncidentId('status:credits_exhausted@2026-11-21T07:00:00.000Z')).toEqual({ code: 'credits_exhausted', startedAt: '2026-11-21T07:00:00.000Z' });
    expect(parseStatusIncidentId('status:all_charters_down@2026-11-21T07:00:00.000Z')?.code).toBe('all_charters_down');
    expect(parseStatusIncidentId('status:no_such_code@2026-11-21T07:00:00.000Z')).toBeNull();
    expect(parseStatusIncidentId('status:credits_exhausted@yesterday')).toBeNull();
    expect(parseStatusIncidentId('status:credits_exhausted@2026-11-21T07:00:00Z')).toBeNull();
    expect(parseStatusIncidentId('governance:engineering@2026-11-21T07:00:00.000Z')).toBeNull();
  });

  it('a zero balance opens one at once, and a top-up resolves it', () => {
    const now = t('2026-11-21T07:00:00Z');
    const opened = advanceStatusIncidents([], statusConditions(reasons('credits_exhausted'), [], new Set()), now, now - 90 * day);
    expect(opened).toEqual([{ id: 'status:credits_exhausted@2026-11-21T07:00:00.000Z', code: 'credits_exhausted', startedAt: '2026-11-21T07:00:00.000Z', resolvedAt: null }]);
    expect(advanceStatusIncidents(opened, statusConditions(reasons('credits_exhausted'), [], new Set()), now + minute, now)).toEqual(opened);
    expect(advanceStatusIncidents(opened, new Set(), now + hour, now)).toEqual([{ ...opened[0], resolvedAt: '2026-11-21T08:00:00.000Z' }]);
  });

  it('a runway that runs out holds its runway_critical incident open until the credits are back', () => {
    const now = t('2026-11-21T07:00:00Z');
    const critical = advanceStatusIncidents([], statusConditions(reasons('runway_critical'), [], new Set()), now, 0);
    const exhausted = advanceStatusIncidents(critical, statusConditions(reasons('credits_exhausted'), [], new Set()), now + hour, 0);
    expect(exhausted.map((incident: StatusIncident) => [incident.code, incident.resolvedAt])).toEqual([
      ['credits_exhausted', null],
      ['runway_critical', null],
    ]);
    expect(advanceStatusIncidents(exhausted, new Set(), now + 2 * hour, 0).every((incident) => incident.resolvedAt === '2026-11-21T09:00:00.000Z')).toBe(true);
  });

  it('all charters down is one only when every charter it speaks of is in an incident (or stuck), never for blips', () => {
    expect(statusConditions(reasons('all_charters_down'), charters, new Set(['a']))).toEqual(new Set());
    expect(statusConditions(reasons('all_charters_down'), charters, new Set(['a', 'b']))).toEqual(new Set(['all_charters_down']));
    expect(statusConditions(reasons('all_charters_down'), [charters[0]!, { id: 'b', enabled: true, state: 'stuck' }], new Set(['a']))).toEqual(new Set(['all_charters_down']));
    expect(statusConditions(reasons(), charters, new Set(['a', 'b']))).toEqual(new Set());
  });

  it('those resolved before the 90 days leave; open ones stay', () => {
    const old = [
      { id: 'status:credits_exhausted@2026-01-01T00:00:00.000Z', code: 'credits_exhausted' as const, startedAt: '2026-01-01T00:00:00.000Z', resolvedAt: '2026-01-02T00:00:00.000Z' },
      { id: 'status:runway_critical@2026-01-01T00:00:00.000Z', code: 'runway_critical' as const, startedAt: '2026-01-01T00:00:00.000Z', resolvedAt: null },
    ];
    const now = t('2026-11-21T00:00:00Z');
    expect(advanceStatusIncidents(old, new Set(['runway_critical']), now, now - 89 * day).map((incident) => incident.code)).toEqual(['runway_critical']);
  });
});
