// What the history keeper keeps between ticks (worker/history-keeper.ts): the start of a streak open
// at the 90 days' horizon, the incidents it recalled from the published file, and what reset() forgets.
import { describe, expect, it } from 'vitest';
import { createHistoryKeeper, horizonOf, type CountedCharter, type KeeperRules } from '../../worker/history-keeper.ts';

const hour = 3_600_000;
const day = 24 * hour;
const rules: KeeperRules = { graceMs: 600_000, stuckAfterMs: hour, recoveringMs: hour, incidentAfterRuns: 2, incidentAfterMs: hour };
const now = Date.parse('2026-03-10T12:00:00Z');
const horizon = horizonOf(now);

/** A charter that fires twice on the horizon's second day only, and never ran then: two missed fires. */
const charter: CountedCharter = {
  id: 'governance:weekly',
  name: 'Weekly',
  rule: { quiet: null },
  fires: [horizon + day + 9 * hour, horizon + day + 10 * hour],
  runs: [],
  firstRunAt: horizon - 30 * day,
};
/** A streak open at the horizon began five days before it (the first fire after its last success). */
const openedAt = horizon - 5 * day;

/** A tick's count, as worker/build-snapshot.ts makes it: close what the rows hold whole, then count the open days. */
function counted(keeper: ReturnType<typeof createHistoryKeeper>, charters: CountedCharter[] = [charter]) {
  keeper.closeDays(now, charters, new Map(), new Map());
  return keeper.count(now, charters, new Map());
}

/** Rebuilds the keeper as worker/history-rebuild.ts does: begin at the horizon, close each day, finish. */
function rebuilt(keeper = createHistoryKeeper(rules), charters: CountedCharter[] = [charter], opened = new Map(charters.map((each) => [each.id, openedAt]))) {
  keeper.begin(horizon, opened);
  for (let dayStart = horizon; dayStart + day + rules.graceMs <= now; dayStart += day) keeper.closeDay(charters, dayStart, 0n, now);
  keeper.finish(now);
  return keeper;
}

describe('the history keeper', () => {
  it('starts a streak open at the horizon where it began, even when the horizon’s first day has no fire', () => {
    const { open, content } = counted(rebuilt());
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ charterId: charter.id, startedAt: new Date(openedAt).toISOString(), resolvedAt: null, runs: 2, kind: 'missed' });
    expect(content.incidents).toEqual(open);
  });

  it('keeps the incidents recalled before a rebuild began: a published incident is never taken back', () => {
    const [published] = counted(rebuilt()).content.incidents;
    const keeper = createHistoryKeeper(rules);
    keeper.recall({ incidents: [published!], statusIncidents: [] });
    // the charter is gone: only what was recalled can bring its incident back, closed now, not recovered
    const { content } = counted(rebuilt(keeper, []), []);
    expect(content.incidents).toEqual([{ ...published, resolvedAt: new Date(now).toISOString(), resolution: 'charter_removed' }]);
  });

  it('goes on with a recalled open incident as the streak begun by when it was last announced open, and otherwise resolves it', () => {
    // published open from an hour before the charter's first fire, which a row written late answered
    const iso = (ms: number) => new Date(ms).toISOString();
    const firstFire = charter.fires[0]!;
    const published = { id: `${charter.id}@${iso(firstFire - hour)}`, charterId: charter.id, kind: 'missed' as const, startedAt: iso(firstFire - hour), resolvedAt: null, runs: 1, errorCodes: [] };
    const incidentsAfter = (announcedAt: number) => {
      const keeper = createHistoryKeeper(rules);
      keeper.recall({ incidents: [published], statusIncidents: [], announcedAt: iso(announcedAt) });
      return counted(rebuilt(keeper, [charter], new Map())).content.incidents;
    };
    // the ledger's streak (the two missed fires) began before it was last announced: the same outage
    expect(incidentsAfter(firstFire + hour)).toEqual([{ ...published, runs: 2 }]);
    // it began after: a recovery no tick saw may lie between, so the published one ends and the streak is its own
    expect(incidentsAfter(firstFire - 1)).toEqual([expect.objectContaining({ id: `${charter.id}@${iso(firstFire)}`, resolvedAt: null }), { ...published, resolvedAt: iso(now) }]);
  });

  describe('a published incident resolved by a success whose completed_at lies decades away', () => {
    // six failed fires from 08:00, every 15 minutes, then a success at 09:30 whose row says it completed at `completedAt`
    const minute = 60_000;
    const fires = Array.from({ length: 7 }, (_, index) => now - 4 * hour + index * 15 * minute);
    const failing = { ...charter, id: 'governance:govern', name: 'Govern', fires, firstRunAt: fires[0]! };
    const failed = fires.slice(0, 6).map((at) => ({ runId: `r-${at}`, status: 'error' as const, scheduledFor: at, startedAt: at, completedAt: at + minute, code: 'insufficient_credits' }));
    const success = (completedAt: number) => ({ runId: 'r-ok', status: 'success' as const, scheduledFor: fires[6]!, startedAt: fires[6]!, completedAt, code: null });
    /** tick 1 (09:35, the success not written yet) publishes the incident open; tick 2 (12:00) sees the success */
    const afterRecovery = (completedAt: number) => {
      const keeper = rebuilt(createHistoryKeeper(rules), [failing], new Map());
      const first = keeper.count(fires[6]! + 5 * minute, [{ ...failing, runs: failed }], new Map()).content.incidents;
      expect(first).toEqual([expect.objectContaining({ id: `governance:govern@${new Date(fires[0]!).toISOString()}`, resolvedAt: null, runs: 6 })]);
      return { first: first[0]!, second: counted(keeper, [{ ...failing, runs: [...failed, success(completedAt)] }]).content.incidents };
    };

    it('one of 2000 does not take it back: it resolves at the success’s slot', () => {
      const { first, second } = afterRecovery(Date.parse('2000-01-01T00:00:00Z'));
      expect(second).toEqual([{ ...first, resolvedAt: new Date(fires[6]!).toISOString() }]);
    });

    it('one of 2100 does not resolve it in 2100: it resolves at the success’s slot, which does not move with each tick', () => {
      const { first, second } = afterRecovery(Date.parse('2100-01-01T00:00:00Z'));
      expect(second).toEqual([{ ...first, resolvedAt: new Date(fires[6]!).toISOString() }]);
    });
  });

  it('keeps a recalled incident whose published resolvedAt lies before its start (2000): it is not taken back', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const startedAt = iso(now - 2 * day);
    const published = { id: `${charter.id}@${startedAt}`, charterId: charter.id, kind: 'failed' as const, startedAt, resolvedAt: '2000-01-01T00:00:00.000Z', runs: 6, errorCodes: [] };
    const keeper = createHistoryKeeper(rules);
    keeper.recall({ incidents: [published], statusIncidents: [] });
    expect(counted(rebuilt(keeper, []), []).content.incidents).toEqual([published]);
  });

  it('forgets on reset what it recalled, and is not ready until rebuilt again', () => {
    const [published] = counted(rebuilt()).content.incidents;
    const keeper = rebuilt();
    keeper.recall({ incidents: [published!], statusIncidents: [{ id: 'all_charters_down@x', code: 'all_charters_down', startedAt: new Date(now - hour).toISOString(), resolvedAt: null }] });
    expect(keeper.ready(now)).toBe(true);
    keeper.reset();
    expect(keeper.ready(now)).toBe(false);
    expect(() => counted(keeper, [])).toThrow('history read before it was rebuilt');
    expect(keeper.observeStatus(now, new Set())).toEqual([]);
    expect(counted(rebuilt(keeper, []), []).content.incidents).toEqual([]);
  });
});
