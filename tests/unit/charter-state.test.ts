// The charter rules with fixed clocks: fires from cron-parser in the charter's own time zone, runs
// answering them in their slot, and every state in its precedence.
import { describe, expect, it } from 'vitest';
import { expectedFires, judgeCharter, type CharterInput, type RunRecord } from '../../shared/charter-state.ts';
import { fireAfter, firesBetween } from '../../shared/schedule.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const rules = { graceMs: 10 * minute, stuckAfterMs: hour, recoveringMs: hour };

function run(scheduledFor: number, status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    runId: `run-${new Date(scheduledFor).toISOString()}`,
    status,
    scheduledFor,
    startedAt: scheduledFor + 1_000,
    completedAt: status === 'pending' || status === 'running' ? null : scheduledFor + 30_000,
    code: status === 'error' ? 'insufficient_credits' : null,
    ...extra,
  };
}

/** A charter on `cron` in `timezone` judged at `now`, with the runs given and nothing earlier unless said. */
function judge(cron: string, timezone: string, now: number, runs: RunRecord[], overrides: Partial<CharterInput> = {}) {
  const fires = firesBetween(cron, timezone, now - 2 * day, now + day);
  return judgeCharter({
    now,
    enabled: true,
    scheduleError: null,
    rule: { quiet: null },
    fires,
    fireAfter: (at) => fireAfter(cron, timezone, at),
    runs,
    earlier: { firstRunAt: now - 30 * day, lastFinished: null, lastSuccess: null },
    rules,
    ...overrides,
  });
}

/** Every fire of `cron` in (now - 24 h, until], each answered by a run of `status`. */
function runsFor(cron: string, timezone: string, now: number, status: (fire: number, index: number) => RunRecord['status'] | null, until = now) {
  return firesBetween(cron, timezone, now - day + 1, until + 1).flatMap((fire, index) => {
    const chosen = status(fire, index);
    return chosen === null ? [] : [run(fire, chosen)];
  });
}

describe('expected fires across DST in the charter’s own time zone', () => {
  // America/New_York 2026: spring forward Sun 8 March 02:00 -> 03:00, fall back Sun 1 November 02:00 -> 01:00.
  it('counts 23 hourly fires on the spring-forward day and 25 on the fall-back day (New York)', () => {
    const springDay = firesBetween('0 * * * *', 'America/New_York', t('2026-03-08T05:00:00Z'), t('2026-03-09T04:00:00Z'));
    expect(springDay).toHaveLength(23);
    const fallDay = firesBetween('0 * * * *', 'America/New_York', t('2026-11-01T04:00:00Z'), t('2026-11-02T05:00:00Z'));
    expect(fallDay).toHaveLength(25);
  });

  it('keeps a daily 09:00 local fire at 09:00 local on both sides of the change (Berlin)', () => {
    // Europe/Berlin 2026: summer time from Sun 29 March, back on Sun 25 October.
    const fires = firesBetween('0 9 * * *', 'Europe/Berlin', t('2026-03-27T00:00:00Z'), t('2026-03-31T00:00:00Z')).map((f) => iso(f));
    expect(fires).toEqual(['2026-03-27T08:00:00.000Z', '2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    const autumn = firesBetween('0 9 * * *', 'Europe/Berlin', t('2026-10-24T00:00:00Z'), t('2026-10-27T00:00:00Z')).map((f) => iso(f));
    expect(autumn).toEqual(['2026-10-24T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  it('judges a charter on the fall-back night by its real fires: the repeated hour is expected twice (Berlin)', () => {
    const now = t('2026-10-25T06:00:00Z');
    const runs = runsFor('0 * * * *', 'Europe/Berlin', now, () => 'success');
    const judged = judge('0 * * * *', 'Europe/Berlin', now, runs);
    // every UTC hour fires, 02:00 CEST (00:00Z) and 02:00 CET (01:00Z) both: (06:00 the day before, 06:00] holds 24
    // (the 06:00 run, inside the grace, has finished: it counts at once)
    expect(judged.expected.map((fire) => iso(fire.at))).toEqual(expect.arrayContaining(['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z']));
    expect(judged.runs24h).toEqual({ expected: 24, succeeded: 24, failed: 0, skipped: 0, missed: 0, running: 0 });
    expect(judged.state).toBe('ok');
  });

  it('judges a daily 02:30 New York charter on the spring-forward morning as ok: 8 March has no 02:30, and Temporal does not run it', () => {
    // Temporal ran it at 02:30 EST on the 7th and will at 02:30 EDT on the 9th; nothing was due in between
    const now = t('2026-03-08T12:00:00Z');
    const judged = judge('30 2 * * *', 'America/New_York', now, [run(t('2026-03-07T07:30:00Z'), 'success')]);
    expect(judged.runs24h).toEqual({ expected: 0, succeeded: 0, failed: 0, skipped: 0, missed: 0, running: 0 });
    expect(judged.state).toBe('ok');
  });

  it('judges a daily 01:30 New York charter on the fall-back night by both its runs: a failure at the second 01:30 shows', () => {
    const now = t('2026-11-01T12:00:00Z');
    const runs = [run(t('2026-10-31T05:30:00Z'), 'success'), run(t('2026-11-01T05:30:00Z'), 'success'), run(t('2026-11-01T06:30:00Z'), 'error')];
    const judged = judge('30 1 * * *', 'America/New_York', now, runs);
    expect(judged.runs24h).toEqual({ expected: 2, succeeded: 1, failed: 1, skipped: 0, missed: 0, running: 0 });
    expect(judged.state).toBe('failing');
  });

  it('judges a daily New York charter across spring forward: the fire after the change is at 13:00 UTC, not 14:00', () => {
    const now = t('2026-03-08T13:05:00Z');
    const early = judge('0 9 * * *', 'America/New_York', now, [run(t('2026-03-07T14:00:00Z'), 'success')]);
    expect(early.expected.map((fire) => iso(fire.at))).toEqual(['2026-03-07T14:00:00.000Z']); // 13:00 today is inside the grace
    expect(early.state).toBe('ok');
    const after = judge('0 9 * * *', 'America/New_York', t('2026-03-08T13:45:00Z'), [run(t('2026-03-07T14:00:00Z'), 'success')]);
    expect(after.expected.map((fire) => [iso(fire.at), fire.run?.status ?? 'missed'])).toEqual([
      ['2026-03-07T14:00:00.000Z', 'success'],
      ['2026-03-08T13:00:00.000Z', 'missed'],
    ]);
    expect(after.state).toBe('missed');
  });
});

describe('answering a fire in its slot', () => {
  const now = t('2026-11-21T12:30:00Z');
  const fires = firesBetween('0 * * * *', 'UTC', now - 2 * day, now + day);

  it('a run anywhere from its fire up to the next fire answers it; the latest run in a slot wins', () => {
    const runs = [run(t('2026-11-21T10:00:00Z'), 'error'), run(t('2026-11-21T10:59:59Z'), 'success'), run(t('2026-11-21T11:05:00Z'), 'success')];
    const expected = expectedFires({ fires, runs, quiet: null, firstRunAt: now - 30 * day }, t('2026-11-21T09:30:00Z'), now - rules.graceMs);
    expect(expected.map((fire) => [iso(fire.at), fire.run?.runId ?? null])).toEqual([
      ['2026-11-21T10:00:00.000Z', 'run-2026-11-21T10:59:59.000Z'],
      ['2026-11-21T11:00:00.000Z', 'run-2026-11-21T11:05:00.000Z'],
      ['2026-11-21T12:00:00.000Z', null],
    ]);
  });

  it('a run before its fire answers the previous slot, not the next one', () => {
    const runs = [run(t('2026-11-21T11:59:00Z'), 'success')];
    const expected = expectedFires({ fires, runs, quiet: null, firstRunAt: now - 30 * day }, t('2026-11-21T10:30:00Z'), now - rules.graceMs);
    expect(expected.map((fire) => [iso(fire.at), fire.run?.status ?? 'missed'])).toEqual([
      ['2026-11-21T11:00:00.000Z', 'success'],
      ['2026-11-21T12:00:00.000Z', 'missed'],
    ]);
  });

  it('nothing is due before the fire the first recorded run answered', () => {
    const runs = [run(t('2026-11-21T09:00:10Z'), 'success')];
    const expected = expectedFires({ fires, runs, quiet: null, firstRunAt: runs[0]!.scheduledFor }, now - day, now - rules.graceMs);
    expect(expected.map((fire) => iso(fire.at))).toEqual(['2026-11-21T09:00:00.000Z', '2026-11-21T10:00:00.000Z', '2026-11-21T11:00:00.000Z', '2026-11-21T12:00:00.000Z']);
  });

  it('before the schedule changed, only answered fires count: nothing before it is missed', () => {
    const runs = [run(t('2026-11-21T08:00:00Z'), 'success'), run(t('2026-11-21T11:00:00Z'), 'success')];
    const expected = expectedFires({ fires, runs, quiet: { from: Number.NEGATIVE_INFINITY, until: t('2026-11-21T10:30:00Z') }, firstRunAt: now - 30 * day }, t('2026-11-21T06:30:00Z'), now - rules.graceMs);
    expect(expected.map((fire) => [iso(fire.at), fire.run?.status ?? 'missed'])).toEqual([
      ['2026-11-21T08:00:00.000Z', 'success'],
      ['2026-11-21T11:00:00.000Z', 'success'],
      ['2026-11-21T12:00:00.000Z', 'missed'],
    ]);
  });
});

describe('charter states', () => {
  const now = t('2026-11-21T12:34:00Z');
  const cron = '*/15 * * * *';

  it('ok: every fire answered by a success; stateSince unknown when nothing went wrong in 24 h', () => {
    const judged = judge(cron, 'UTC', now, runsFor(cron, 'UTC', now, () => 'success'));
    expect(judged.state).toBe('ok');
    expect(judged.stateSince).toBeNull();
    // the 12:30 run, inside the grace, has finished: it counts at once, and as the last success
    expect(judged.runs24h).toEqual({ expected: 96, succeeded: 96, failed: 0, skipped: 0, missed: 0, running: 0 });
    expect(iso(judged.lastSuccessAt)).toBe('2026-11-21T12:30:30.000Z');
  });

  it('missed: the scheduler stopped an hour ago; no row is written and the charter says so, since the first missed fire', () => {
    const runs = runsFor(cron, 'UTC', now, () => 'success', t('2026-11-21T11:30:00Z'));
    const judged = judge(cron, 'UTC', now, runs);
    expect(judged.state).toBe('missed');
    expect(iso(judged.stateSince)).toBe('2026-11-21T11:45:00.000Z');
    expect(judged.streak.count).toBe(3); // 11:45, 12:00, 12:15; 12:30 is inside the grace
    expect(judged.runs24h.missed).toBe(3);
    expect(iso(judged.lastRun!.scheduledFor)).toBe('2026-11-21T11:30:00.000Z');
  });

  it('missed for the whole window: began before it, so stateSince is null', () => {
    const judged = judge(cron, 'UTC', now, [], { earlier: { firstRunAt: now - 30 * day, lastFinished: run(now - 2 * day, 'success'), lastSuccess: run(now - 2 * day, 'success') } });
    expect(judged.state).toBe('missed');
    expect(judged.stateSince).toBeNull();
    // (12:34 yesterday, 12:24 today]: the fires from 12:45 yesterday to 12:15 today
    expect(judged.runs24h.expected).toBe(95);
    expect(judged.runs24h.missed).toBe(95);
  });

  it('missed since the first fire after a change of the schedule inside the window: the streak began there', () => {
    const lastWeek = run(now - 7 * day, 'success');
    const changed = { quiet: { from: Number.NEGATIVE_INFINITY, until: t('2026-11-21T09:05:00Z') } };
    const judged = judge(cron, 'UTC', now, [], { rule: changed, earlier: { firstRunAt: now - 30 * day, lastFinished: lastWeek, lastSuccess: lastWeek } });
    expect(judged.state).toBe('missed');
    expect(iso(judged.stateSince)).toBe('2026-11-21T09:15:00.000Z');
    expect(judged.streak.count).toBe(13); // 09:15 to 12:15; before the change nothing unanswered counts
  });

  it('missed since the first fire of the window when the run before it answered the fire before (a daily charter that ran yesterday)', () => {
    const daily = '0 12 * * *';
    const at = t('2026-11-21T12:40:00Z');
    const yesterday = run(t('2026-11-20T12:00:00Z'), 'success');
    const judged = judge(daily, 'UTC', at, [], { earlier: { firstRunAt: at - 30 * day, lastFinished: yesterday, lastSuccess: yesterday } });
    expect(judged.state).toBe('missed');
    expect(iso(judged.stateSince)).toBe('2026-11-21T12:00:00.000Z');
    expect(judged.streak.count).toBe(1);
    // the same charter whose run before that was two days ago: the streak reaches back before the window
    const older = run(t('2026-11-19T12:00:00Z'), 'success');
    expect(judge(daily, 'UTC', at, [], { earlier: { firstRunAt: at - 30 * day, lastFinished: older, lastSuccess: older } }).stateSince).toBeNull();
    // an hourly charter whose last run, just before the window, answered the fire before the window's first
    const hourly = judge('0 * * * *', 'UTC', at, [], { earlier: { firstRunAt: at - 30 * day, lastFinished: run(t('2026-11-20T12:00:00Z'), 'error'), lastSuccess: null } });
    expect(hourly.state).toBe('missed');
    expect(iso(hourly.stateSince)).toBe('2026-11-20T13:00:00.000Z');
  });

  it('no_runs, never missed, for a charter whose ledger holds no run at all', () => {
    const judged = judge(cron, 'UTC', now, [], { earlier: { firstRunAt: null, lastFinished: null, lastSuccess: null } });
    expect(judged.state).toBe('no_runs');
    expect(judged.runs24h.expected).toBe(0);
    expect(judged.expected).toEqual([]);
  });

  it('skipped: a grant revoked mid-window turns every later run into skipped', () => {
    const revokedAt = t('2026-11-21T09:00:00Z');
    const runs = runsFor(cron, 'UTC', now, (fire) => (fire < revokedAt ? 'success' : 'skipped'));
    const judged = judge(cron, 'UTC', now, runs);
    expect(judged.state).toBe('skipped');
    expect(iso(judged.stateSince)).toBe('2026-11-21T09:00:00.000Z');
    // 09:00 .. 12:30: the 12:30 run is inside the grace but finished, so the card counts it as the reason does
    expect(judged.streak.count).toBe(15);
    expect(judged.runs24h.skipped).toBe(15);
  });

  it('failing: the latest finished run failed; the streak counts back to the last success', () => {
    const runs = runsFor(cron, 'UTC', now, (fire) => (fire < t('2026-11-21T07:00:00Z') ? 'success' : 'error'));
    const judged = judge(cron, 'UTC', now, runs);
    expect(judged.state).toBe('failing');
    expect(iso(judged.stateSince)).toBe('2026-11-21T07:00:00.000Z');
    expect(judged.streak).toEqual({ count: 23, codes: ['insufficient_credits'] });
  });

  it('failing for weeks: the last success is the remembered one, 30 days old, and stateSince is null', () => {
    const lastSuccess = run(now - 30 * day, 'success');
    const judged = judge(cron, 'UTC', now, runsFor(cron, 'UTC', now, () => 'error'), {
      earlier: { firstRunAt: now - 60 * day, lastFinished: run(now - day - hour, 'error'), lastSuccess },
    });
    expect(judged.state).toBe('failing');
    expect(judged.stateSince).toBeNull();
    expect(judged.lastSuccessAt).toBe(lastSuccess.completedAt);
  });

  it('recovering, not flip-flopping: a charter that fails every other run stays in one state tick after tick', () => {
    const states = new Set<string>();
    for (let tick = 0; tick < 8; tick++) {
      const at = now + tick * 15 * minute;
      const runs = runsFor(cron, 'UTC', at, (_, index) => (index % 2 === 0 ? 'error' : 'success'), at - rules.graceMs);
      states.add(judge(cron, 'UTC', at, runs).state);
    }
    // the latest finished run alternates between error and success: failing or recovering, never ok
    expect(states.has('ok')).toBe(false);
    expect([...states].every((state) => state === 'failing' || state === 'recovering')).toBe(true);
  });

  it('recovering for an hour after a failure, then ok since the end of that hour', () => {
    const failedAt = t('2026-11-21T11:45:00Z');
    const runs = runsFor(cron, 'UTC', now, (fire) => (fire === failedAt ? 'error' : 'success'));
    const recovering = judge(cron, 'UTC', now, runs);
    expect(recovering.state).toBe('recovering');
    expect(iso(recovering.stateSince)).toBe('2026-11-21T12:00:00.000Z');
    const later = now + hour;
    const ok = judge(cron, 'UTC', later, runsFor(cron, 'UTC', later, (fire) => (fire === failedAt ? 'error' : 'success')));
    expect(ok.state).toBe('ok');
    expect(iso(ok.stateSince)).toBe('2026-11-21T12:45:00.000Z'); // an hour after the failure
  });

  it('stuck: a run in progress for longer than stuckAfter, even when its charter keeps firing', () => {
    const stuckRun = run(t('2026-11-21T11:00:00Z'), 'running');
    const runs = runsFor(cron, 'UTC', now, (fire) => (fire === stuckRun.scheduledFor ? null : 'success'));
    const judged = judge(cron, 'UTC', now, [...runs, stuckRun].sort((a, b) => a.scheduledFor - b.scheduledFor));
    expect(judged.state).toBe('stuck');
    expect(iso(judged.stateSince)).toBe('2026-11-21T11:00:01.000Z');
  });

  it('running: the latest expected fire is answered by a run still in progress, for less than stuckAfter', () => {
    // the 12:30 fire, inside the grace, has no row yet
    const runs = runsFor(cron, 'UTC', now, (fire) => (fire === t('2026-11-21T12:15:00Z') ? 'running' : 'success'), t('2026-11-21T12:15:00Z'));
    expect(judge(cron, 'UTC', now, runs).state).toBe('running');
  });

  it('paused precedes everything, and a broken schedule comes next', () => {
    const failing = runsFor(cron, 'UTC', now, () => 'error');
    expect(judge(cron, 'UTC', now, failing, { enabled: false, scheduleError: 'invalid_cron' }).state).toBe('paused');
    expect(judge(cron, 'UTC', now, failing, { scheduleError: 'invalid_timezone' }).state).toBe('invalid_schedule');
  });

  it('missed precedes stuck, stuck precedes failing, failing precedes recovering', () => {
    const stuckRun = run(t('2026-11-21T10:00:00Z'), 'running');
    const missedLatest = [...runsFor(cron, 'UTC', now, () => 'error', t('2026-11-21T11:30:00Z')), stuckRun].sort((a, b) => a.scheduledFor - b.scheduledFor);
    expect(judge(cron, 'UTC', now, missedLatest).state).toBe('missed');
    const withStuck = [...runsFor(cron, 'UTC', now, (fire) => (fire === stuckRun.scheduledFor ? null : 'error')), stuckRun].sort((a, b) => a.scheduledFor - b.scheduledFor);
    expect(judge(cron, 'UTC', now, withStuck).state).toBe('stuck');
    expect(judge(cron, 'UTC', now, runsFor(cron, 'UTC', now, () => 'error')).state).toBe('failing');
  });

  it('a charter without its fires (paused) counts what its runs did and misses nothing', () => {
    const runs = runsFor(cron, 'UTC', now, (_, index) => (index < 4 ? 'success' : null));
    const judged = judgeCharter({
      now,
      enabled: false,
      scheduleError: null,
      rule: { quiet: null },
      fires: runs.map((r) => r.scheduledFor),
      fireAfter: () => null,
      runs,
      earlier: { firstRunAt: null, lastFinished: null, lastSuccess: null },
      rules,
    });
    expect(judged.state).toBe('paused');
    expect(judged.runs24h).toEqual({ expected: 4, succeeded: 4, failed: 0, skipped: 0, missed: 0, running: 0 });
  });
});
