// The one rule for which fires were due around a change of a schedule row (shared/schedule-change.ts),
// at its edges: a run start's own write, a re-sync of the same cron, a real change of cadence, a pause.
import { describe, expect, it } from 'vitest';
import { fireAfter } from '../../shared/schedule.ts';
import { changedAtOf, countsAsExpected, dueFires, dueRuleOf, followedCron, type ScheduleRow } from '../../shared/schedule-change.ts';

const t = (iso: string) => Date.parse(iso);
const hourly = (at: number) => fireAfter('0 * * * *', 'UTC', at);
const row = (extra: Partial<ScheduleRow>): ScheduleRow => ({ enabled: true, cronParses: true, updatedAt: null, lastRunAt: null, slotsBeforeChange: [], ...extra });
const grace = 600_000;

describe('changedAtOf: updated_at, unless it is the write of a run start', () => {
  it('is null without updated_at, and when updated_at follows last_run_at within a minute (and the grace)', () => {
    expect(changedAtOf({ updatedAt: null, lastRunAt: null }, grace)).toBeNull();
    expect(changedAtOf({ updatedAt: t('2026-11-21T12:00:01Z'), lastRunAt: t('2026-11-21T12:00:00Z') }, grace)).toBeNull();
    expect(changedAtOf({ updatedAt: t('2026-11-21T12:01:00Z'), lastRunAt: t('2026-11-21T12:00:00Z') }, grace)).toBeNull();
  });
  it('is updated_at a moment past that minute, before last_run_at, or past a grace shorter than a minute', () => {
    expect(changedAtOf({ updatedAt: t('2026-11-21T12:01:00.001Z'), lastRunAt: t('2026-11-21T12:00:00Z') }, grace)).toBe(t('2026-11-21T12:01:00.001Z'));
    expect(changedAtOf({ updatedAt: t('2026-11-21T11:59:59Z'), lastRunAt: t('2026-11-21T12:00:00Z') }, grace)).toBe(t('2026-11-21T11:59:59Z'));
    expect(changedAtOf({ updatedAt: t('2026-11-21T12:00:31Z'), lastRunAt: t('2026-11-21T12:00:00Z') }, 30_000)).toBe(t('2026-11-21T12:00:31Z'));
  });
});

describe('followedCron: did the runs before a change follow the current cron?', () => {
  const slots = (...times: string[]) => times.map(t);
  it('yes when every run sits on a fire and at least half of the steps are consecutive', () => {
    expect(followedCron(slots('2026-11-21T09:00:00Z', '2026-11-21T10:00:00Z', '2026-11-21T11:00:00Z'), hourly)).toBe(true);
    expect(followedCron(slots('2026-11-21T05:00:00Z', '2026-11-21T10:00:00Z', '2026-11-21T11:00:00Z'), hourly)).toBe(true);
  });
  it('no with fewer than two runs, a run off the cron, or fewer than half the steps consecutive', () => {
    expect(followedCron(slots('2026-11-21T11:00:00Z'), hourly)).toBe(false);
    expect(followedCron(slots('2026-11-21T10:00:00Z', '2026-11-21T10:30:00Z'), hourly)).toBe(false);
    expect(followedCron(slots('2026-11-21T05:00:00Z', '2026-11-21T08:00:00Z', '2026-11-21T11:00:00Z'), hourly)).toBe(false);
  });
});

describe('dueRuleOf: which fires were due', () => {
  const followed = [t('2026-11-21T09:00:00Z'), t('2026-11-21T10:00:00Z'), t('2026-11-21T11:00:00Z')];
  it('an untouched schedule: every fire is due, none is quiet', () => {
    expect(dueRuleOf(row({}), hourly, grace)).toEqual({ byCron: true, dueUntil: Number.POSITIVE_INFINITY, quiet: null });
  });
  it('a re-sync of the same cron (a deploy): fires up to the latest run before it stay due, only those after it are quiet', () => {
    const rule = dueRuleOf(row({ updatedAt: t('2026-11-21T12:20:00Z'), slotsBeforeChange: followed }), hourly, grace);
    expect(rule.quiet).toEqual({ from: t('2026-11-21T11:00:00Z'), until: t('2026-11-21T12:20:00Z') });
    expect(countsAsExpected(rule, t('2026-11-21T11:00:00Z'), false)).toBe(true);
    expect(countsAsExpected(rule, t('2026-11-21T12:00:00Z'), false)).toBe(false);
    expect(countsAsExpected(rule, t('2026-11-21T12:00:00Z'), true)).toBe(true);
    expect(countsAsExpected(rule, t('2026-11-21T13:00:00Z'), false)).toBe(true);
  });
  it('a change of cadence (runs that do not follow today’s cron): every unanswered fire before the change is quiet', () => {
    const daily = [t('2026-11-19T12:00:00Z'), t('2026-11-20T12:00:00Z'), t('2026-11-21T12:00:00Z')];
    const rule = dueRuleOf(row({ updatedAt: t('2026-11-21T12:05:00Z'), slotsBeforeChange: daily }), hourly, grace);
    expect(rule.quiet).toEqual({ from: Number.NEGATIVE_INFINITY, until: t('2026-11-21T12:05:00Z') });
    expect(countsAsExpected(rule, t('2026-11-01T00:00:00Z'), false)).toBe(false);
  });
  it('a run start’s own write is no change: nothing is quiet', () => {
    const rule = dueRuleOf(row({ updatedAt: t('2026-11-21T12:00:01Z'), lastRunAt: t('2026-11-21T12:00:00Z'), slotsBeforeChange: followed }), hourly, grace);
    expect(rule).toMatchObject({ quiet: null });
  });
  it('a pause: due by the cron up to its latest run before it; without such a run, or with a broken cron, by its runs only', () => {
    const paused = dueRuleOf(row({ enabled: false, updatedAt: t('2026-11-21T12:20:00Z'), slotsBeforeChange: followed }), hourly, grace);
    expect(paused).toMatchObject({ byCron: true, dueUntil: t('2026-11-21T11:00:00Z') });
    expect(dueRuleOf(row({ enabled: false, updatedAt: t('2026-11-21T12:20:00Z') }), hourly, grace)).toMatchObject({ byCron: false, quiet: null });
    expect(dueRuleOf(row({ cronParses: false, updatedAt: t('2026-11-21T12:20:00Z'), slotsBeforeChange: followed }), hourly, grace)).toMatchObject({ byCron: false, quiet: null });
  });
});

describe('dueFires', () => {
  const cron = [t('2026-11-21T09:00:00Z'), t('2026-11-21T10:00:00Z'), t('2026-11-21T11:00:00Z'), t('2026-11-21T12:00:00Z')];
  const slots = [t('2026-11-21T10:30:00Z'), t('2026-11-21T12:30:00Z')];
  it('the cron’s fires while it is enabled; up to dueUntil, with the runs’ own slots, while paused; only the slots without a cron', () => {
    expect(dueFires({ byCron: true, dueUntil: Number.POSITIVE_INFINITY, quiet: null }, cron, slots)).toBe(cron);
    expect(dueFires({ byCron: true, dueUntil: t('2026-11-21T10:00:00Z'), quiet: null }, cron, slots)).toEqual([cron[0], cron[1], ...slots]);
    expect(dueFires({ byCron: false, dueUntil: Number.NEGATIVE_INFINITY, quiet: null }, cron, [...slots, slots[0]!])).toEqual(slots);
  });
});

describe('followedCron, as the use case met it', () => {
  const after = (cron: string) => (at: number) => fireAfter(cron, 'UTC', at);
  const slots = (...times: string[]) => times.map((time) => Date.parse(time));
  it('yes: on its fires, most of them consecutive (a gap in between is an outage, not another cron)', () => {
    expect(followedCron(slots('2026-11-21T09:00:00Z', '2026-11-21T10:00:00Z', '2026-11-21T11:00:00Z'), after('0 * * * *'))).toBe(true);
    expect(followedCron(slots('2026-11-21T05:00:00Z', '2026-11-21T09:00:00Z', '2026-11-21T10:00:00Z'), after('0 * * * *'))).toBe(true);
  });
  it('no: on fires but not consecutive ones (daily runs under */15), off its fires, or too few runs to tell', () => {
    expect(followedCron(slots('2026-11-19T12:00:00Z', '2026-11-20T12:00:00Z', '2026-11-21T12:00:00Z'), after('*/15 * * * *'))).toBe(false);
    expect(followedCron(slots('2026-11-21T09:20:00Z', '2026-11-21T09:40:00Z', '2026-11-21T10:00:00Z'), after('*/15 * * * *'))).toBe(false);
    expect(followedCron(slots('2026-11-21T11:00:00Z'), after('0 * * * *'))).toBe(false);
    expect(followedCron([], after('0 * * * *'))).toBe(false);
  });
});
