// When a run in progress began (shared/charter-state.ts runStartedAt): a started_at that cannot be
// (after now, or before its slot) gives way to the slot, for every rule that asks: stuck, the
// charter's stateSince, and whether a history day waits open for the run (worker/history-keeper.ts).
import { describe, expect, it } from 'vitest';
import { isStuck, judgeCharter, runFinishedAt, runStartedAt, type RunRecord } from '../../shared/charter-state.ts';
import { fireAfter, firesBetween } from '../../shared/schedule.ts';
import { createHistoryKeeper } from '../../worker/history-keeper.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const rules = { graceMs: 10 * minute, stuckAfterMs: hour, recoveringMs: hour };
const now = Date.parse('2026-03-10T12:00:00Z');
const tenYears = 10 * 365 * day;
/** a daily charter whose latest fire, 14:00 yesterday, was 22 hours ago */
const cron = '0 14 * * *';
const slot = Date.parse('2026-03-09T14:00:00Z');

const running = (startedAt: number | null, scheduledFor = slot): RunRecord => ({
  runId: 'run-1', status: 'running', scheduledFor, startedAt, completedAt: null, code: null,
});

function judge(run: RunRecord) {
  const before: RunRecord = { runId: 'run-0', status: 'success', scheduledFor: slot - day, startedAt: slot - day + 1_000, completedAt: slot - day + 30_000, code: null };
  return judgeCharter({
    now,
    enabled: true,
    scheduleError: null,
    rule: { quiet: null },
    fires: firesBetween(cron, 'UTC', now - 2 * day, now + day),
    fireAfter: (at) => fireAfter(cron, 'UTC', at),
    runs: [run],
    earlier: { firstRunAt: now - 30 * day, lastFinished: before, lastSuccess: before },
    rules,
  });
}

describe('runStartedAt', () => {
  it('is the started_at when it lies between the slot and now, its ends included', () => {
    expect(runStartedAt(running(slot + 5 * minute), now)).toBe(slot + 5 * minute);
    expect(runStartedAt(running(slot), now)).toBe(slot);
    expect(runStartedAt(running(now), now)).toBe(now);
  });
  it('is the slot when the run has not started, or says it started after now or before its slot', () => {
    expect(runStartedAt(running(null), now)).toBe(slot);
    expect(runStartedAt(running(now + tenYears), now)).toBe(slot);
    expect(runStartedAt(running(now + 1), now)).toBe(slot);
    expect(runStartedAt(running(slot - tenYears), now)).toBe(slot);
  });
});

describe('a run in progress that says it started in the future', () => {
  it('is stuck by its slot, as if it said it started then', () => {
    expect(isStuck(running(now + tenYears), now, rules)).toBe(true);
    expect(isStuck(running(slot), now, rules)).toBe(true);
    expect(isStuck(running(now - 30 * minute), now, rules)).toBe(false); // a believable late start is still believed
  });

  it('makes its charter stuck since the slot, not running since 2036', () => {
    for (const startedAt of [now + tenYears, slot]) {
      const judged = judge(running(startedAt));
      expect(judged.state).toBe('stuck');
      expect(judged.stateSince).toBe(slot);
    }
  });

  it('gives a charter still rightly running its slot as stateSince, never a time after now', () => {
    const recent = Date.parse('2026-03-10T11:30:00Z'); // an hourly charter's 11:30 fire: running for 30 min
    const judged = judgeCharter({
      now,
      enabled: true,
      scheduleError: null,
      rule: { quiet: null },
      fires: firesBetween('30 * * * *', 'UTC', now - 2 * day, now + day),
      fireAfter: (at) => fireAfter('30 * * * *', 'UTC', at),
      runs: [running(now + 5 * minute, recent)],
      earlier: { firstRunAt: recent, lastFinished: null, lastSuccess: null },
      rules,
    });
    expect(judged.state).toBe('running');
    expect(judged.stateSince).toBe(recent);
  });

  it('does not keep its UTC day waiting open in the history', () => {
    const keeper = createHistoryKeeper({ ...rules, incidentAfterRuns: 2, incidentAfterMs: hour });
    const charter = (run: RunRecord) => ({ id: 'governance:daily', name: 'Daily', rule: { quiet: null }, fires: [slot], runs: [run], firstRunAt: slot - 30 * day });
    const yesterday = Date.parse('2026-03-09T00:00:00Z');
    expect(keeper.mayWait([charter(running(now + tenYears))], yesterday, now)).toBe(false);
    expect(keeper.mayWait([charter(running(slot))], yesterday, now)).toBe(false);
    expect(keeper.mayWait([charter(running(now - 30 * minute))], yesterday, now)).toBe(true); // in progress, and believed: the day waits
  });
});

describe('runFinishedAt: when a run finished, for the last success and an incident alike', () => {
  const success = (completedAt: number | null): RunRecord => ({ runId: 'run-1', status: 'success', scheduledFor: slot, startedAt: slot, completedAt, code: null });
  it('is the completed_at when it lies between the slot and now, else the slot, which stays put', () => {
    expect(runFinishedAt(success(slot + 5 * minute), now)).toBe(slot + 5 * minute);
    expect(runFinishedAt(success(now + tenYears), now)).toBe(slot);
    expect(runFinishedAt(success(slot - tenYears), now)).toBe(slot);
    expect(runFinishedAt(success(null), now)).toBe(slot);
  });
  it('gives the charter no last success in the future, nor one that reads "just now" at every tick', () => {
    expect(judge(success(now + tenYears)).lastSuccessAt).toBe(slot);
  });
});
