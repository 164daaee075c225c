// Charter schedules: fires computed from cron + IANA time zone with cron-parser (never the stale
// next_run_at column), the schedule in words, display names, and the interval that sets staleAfter.
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import type { ScheduleError } from './contract.ts';
import { limits } from './constants.ts';
import { publicText } from './redact.ts';
import { zoneClock, zoneFires, type ZoneClock } from './zone-fires.ts';

export type NextRun = { nextRunAt: Date; scheduleError: null } | { nextRunAt: null; scheduleError: ScheduleError };

/** Whether Intl knows the zone: its format, made here, is the one the walk then reads offsets with (zone-fires.ts keeps it). */
export function isValidTimeZone(timezone: string): boolean {
  if (timezone.trim() === '') return false;
  try {
    zoneClock(timezone);
    return true;
  } catch {
    return false;
  }
}

function parseCron(cron: string, timezone: string, after: Date) {
  // cron-parser reads an empty expression as "every minute"; in a schedule row that is a bug, not a cron.
  if (cron.trim() === '') throw new Error('empty cron expression');
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone });
}

/** What is wrong with a schedule, or null when its cron and time zone both parse and it fires. */
export function scheduleErrorOf(cron: string, timezone: string, now: Date): ScheduleError | null {
  return nextRunOf(cron, timezone, now).scheduleError;
}

/** One key per schedule, its time zone and its cron: what its fires depend on (many charters share one). */
export const scheduleKey = (cron: string, timezone: string) => `${timezone}\u0000${cron}`;

/** The first fire strictly after `now`, or which part of the schedule is malformed. */
export function nextRunOf(cron: string, timezone: string, now: Date): NextRun {
  if (!isValidTimeZone(timezone)) return { nextRunAt: null, scheduleError: 'invalid_timezone' };
  if (firesNoMoreAt(cron, timezone, now.getTime() + 1)) return { nextRunAt: null, scheduleError: 'invalid_cron' };
  try {
    const { fires, ended } = collectFires(cron, timezone, zoneClock(timezone), now.getTime() + 1, Number.POSITIVE_INFINITY, 1);
    if (fires[0] !== undefined) return { nextRunAt: new Date(fires[0]), scheduleError: null };
    if (ended) noteFiresNoMore(cron, timezone, now.getTime() + 1);
  } catch {
    // cron-parser refuses the expression
  }
  return { nextRunAt: null, scheduleError: 'invalid_cron' };
}

// Schedules found to fire no more from an instant on, by zone and cron: still so from every later one,
// and finding it again can take cron-parser seconds a call (at Lord Howe's half-hour changes), every
// tick, for one row. Kept like the zones' formats (zone-fires.ts): the most recent, a bounded number.
const firesNoMore = new Map<string, number>();
const keptFiresNoMore = 256;

function firesNoMoreAt(cron: string, timezone: string, at: number): boolean {
  const since = firesNoMore.get(scheduleKey(cron, timezone));
  return since !== undefined && at >= since;
}

function noteFiresNoMore(cron: string, timezone: string, at: number) {
  const key = scheduleKey(cron, timezone);
  if (!firesNoMore.has(key) && firesNoMore.size >= keptFiresNoMore) firesNoMore.delete(firesNoMore.keys().next().value!);
  firesNoMore.set(key, Math.min(at, firesNoMore.get(key) ?? at));
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * The fires of a valid schedule in [from, to), ascending, as epoch milliseconds, at most `limit` of
 * them (the earliest), as Temporal fires them: a wall time the clocks skip never fires, one they
 * repeat fires twice (shared/zone-fires.ts). Spans of days of a schedule that fires at the same wall
 * times every day are counted a day at a time (firesByDay).
 */
export function firesBetween(cron: string, timezone: string, from: number, to: number, limit = Number.POSITIVE_INFINITY): number[] {
  if (!(from < to) || firesNoMoreAt(cron, timezone, from)) return [];
  const zone = zoneClock(timezone);
  if (Number.isFinite(to) && to - from > 2 * dayMs && takesEveryDay(parseCron(cron, timezone, new Date(from)).fields)) {
    return firesByDay(cron, timezone, zone, from, to, limit);
  }
  return collectFires(cron, timezone, zone, from, to, limit).fires;
}

/** `ended`: cron-parser found no further fire at all (e.g. a date that never comes again), or gave up. */
function collectFires(cron: string, timezone: string, zone: ZoneClock, from: number, to: number, limit: number): { fires: number[]; ended: boolean } {
  // the present, only to know from when on the zone's rules repeat: it moves no fire
  const walk = zoneFires((after) => parseCron(cron, timezone, new Date(after)), zone, from, to, Date.now());
  const fires: number[] = [];
  while (fires.length < limit) {
    const step = walk.next();
    if (step.done) return { fires, ended: step.value };
    if (step.value >= to) break;
    fires.push(step.value);
  }
  return { fires, ended: false };
}

/**
 * Each of the day of the month, the month and the day of the week takes every value, so every day
 * fires at the same wall times, read either way: node-cron (SNAPSHOT_CRON's ticks) needs both day
 * fields to match, cron-parser (the charters' fires) either. A month's last day (L) stands for the
 * 31st: every 31st is one, and each of the 28th to the 30th is not in some month (1-30,L is every day).
 */
function takesEveryDay({ dayOfMonth, month, dayOfWeek }: ReturnType<typeof parseCron>['fields']): boolean {
  const takesAll = (values: readonly unknown[], from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index).every((value) => values.includes(value));
  const days = dayOfMonth.values.map((value) => (value === 'L' ? 31 : value));
  const weekdays = dayOfWeek.values.map((value) => (value === 7 ? 0 : value)); // 7 is Sunday too
  // '*#2' lists every weekday but takes only each one's second in the month
  return takesAll(days, 1, 31) && takesAll(month.values, 1, 12) && takesAll(weekdays, 0, 6) && dayOfWeek.nthDay === 0;
}

/**
 * firesBetween for a schedule that fires at the same wall times every day, one UTC day at a time:
 * where the time zone's offset is the same from the start of the day before to the end of this one,
 * this day's fires are the day before's a day later (cron-parser walks a per-minute schedule at
 * 10 to 100 µs a fire); any other day (a DST change near it) is walked.
 */
function firesByDay(cron: string, timezone: string, zone: ZoneClock, from: number, to: number, limit: number): number[] {
  const fires: number[] = [];
  let before: { offset: number; fires: number[] } | null = null;
  for (let start = Math.floor(from / dayMs) * dayMs; start < to && fires.length < limit; start += dayMs) {
    const [offset, endOffset] = [zone.offsetAt(start), zone.offsetAt(start + dayMs)];
    const day: { fires: number[]; ended: boolean } = before && before.offset === offset && offset === endOffset
      ? { fires: before.fires.map((fire) => fire + dayMs), ended: false }
      : collectFires(cron, timezone, zone, Math.max(start, from), start + dayMs, Number.POSITIVE_INFINITY);
    for (const fire of day.fires) if (fire < to && fires.length < limit) fires.push(fire);
    if (day.ended) break; // as the fire-by-fire walk would: nothing after cron-parser gives up
    // No pattern for the next day from a day begun at `from` (the first, cut), which holds only part
    // of it, nor from one begun just after a change, which may hold a repeated wall time's second copy.
    before = start >= from && zone.steadyNear(start) ? { offset, fires: day.fires } : null;
  }
  return fires;
}

/** The first fire of a valid schedule after `at`, however long ago `at` was (null: none ever). */
export function fireAfter(cron: string, timezone: string, at: number): number | null {
  return firesBetween(cron, timezone, at + 1, Number.POSITIVE_INFINITY, 1)[0] ?? null;
}

/**
 * The instant after which `cron` (UTC) next fires more than `limitMs` later, counted from `from`
 * itself, or null: a schedule's first long pause (office hours only, once a day). For a schedule that
 * fires at the same times every day (firesEveryDay: the config refuses any other first), so it is
 * read from the hours, minutes and seconds alone, a day's pauses repeating every day: no walk through
 * the days, which cost the worker's start about 10 MB of memory (throws on a bad expression).
 */
export function pauseLongerThan(cron: string, from: Date, limitMs: number): Date | null {
  const { hour, second, minute } = parseCron(cron, 'UTC', from).fields;
  const offsets = secondsIntoHour(minute.values, second.values);
  const hours = hour.values.map(Number).sort((a, b) => a - b);
  // [start, end) in seconds of the day: after each fire, to the next (an hour's last: the next hour's first)
  const pauses: Array<[number, number]> = [];
  hours.forEach((h, index) => offsets.forEach((offset, k) => {
    const next = offsets[k + 1] ?? ((hours[index + 1] ?? hours[0]! + 24) - h) * 3600 + offsets[0]!;
    if ((next - offset) * 1000 > limitMs) pauses.push([h * 3600 + offset, h * 3600 + next]);
  }));
  const at = from.getTime();
  const today = Math.floor(at / dayMs) * dayMs;
  // a pause is a day long at most: one begun yesterday may still be under way
  for (const day of [today - dayMs, today, today + dayMs]) {
    for (const [start, end] of pauses.map(([s, e]) => [day + s * 1000, day + e * 1000] as const)) {
      if (end <= at) continue;
      if (start >= at) return new Date(start);
      if (end - at > limitMs) return from; // `from` is inside it, with more than limitMs to go
    }
  }
  return null;
}

/** Each fire's seconds into its hour, ascending: the same in every hour the cron fires in. */
function secondsIntoHour(minutes: readonly unknown[], seconds: readonly unknown[]): number[] {
  return minutes.flatMap((m) => seconds.map((s) => Number(m) * 60 + Number(s))).sort((a, b) => a - b);
}

/** Why cron-parser, which every fire is computed with, cannot read `cron`, or null. */
export function cronParseProblem(cron: string): string | null {
  try {
    parseCron(cron, 'UTC', new Date(0));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Whether `cron` (UTC) fires on every day, as node-cron reads it as well as cron-parser: node-cron,
 * which fires SNAPSHOT_CRON's ticks, needs both the day of the month and the day of the week to match,
 * where cron-parser (the intervals, the charters' fires) takes either when both are set, so
 * '* * 1-31 * 1-5' is weekdays only to the one and every day to the other. Each of the day of the
 * month, the month and the day of the week must take every value (throws on a bad expression).
 */
export function firesEveryDay(cron: string): boolean {
  return takesEveryDay(parseCron(cron, 'UTC', new Date(0)).fields);
}

/** Milliseconds between the next two fires of `cron` after `now` (throws on a bad expression). */
export function cronIntervalMs(cron: string, now: Date, timezone = 'UTC'): number {
  const fires = parseCron(cron, timezone, now).take(2);
  const [first, second] = fires;
  if (!first || !second) throw new Error(`cron expression "${cron}" does not fire twice`);
  return second.getTime() - first.getTime();
}

/**
 * The interval a snapshot read at `now` (the worker's clock, which fires the ticks) stands for, 3 of
 * which are its staleAfter: from the fire at or before `now` to the next one, or the one after it when
 * that is longer. The next two fires alone are wrong at an irregular schedule: at '0,5 * * * *' the
 * 12:05 snapshot would read as current for 3 x 5 minutes, the next coming at 13:00. The one after
 * counts too in case `now` comes just before the slot that fired. Not the database's now: a clock
 * behind by more than a burst's spacing ('* 0-4 * * * *') would put the burst's last tick in its
 * 1-second intervals, not the 55 minutes it stands for.
 */
export function snapshotIntervalMs(cron: string, now: Date): number {
  const [next, after] = parseCron(cron, 'UTC', now).take(2).map((fire) => fire.getTime());
  if (next === undefined || after === undefined) throw new Error(`cron expression "${cron}" does not fire twice`);
  const previous = parseCron(cron, 'UTC', new Date(now.getTime() + 1)).prev().getTime();
  return Math.max(next - previous, after - next);
}

/**
 * The shortest time between two fires of `cron` (throws on a bad expression), from its seconds and
 * minutes alone: SNAPSHOT_CRON pauses for an hour at most, so it fires in every hour, and alike (an
 * hour or a day it skipped could only make an interval longer). Counted from the fires after now, it
 * would miss one late in a busy hour, and answer by the minute the worker started.
 */
export function shortestIntervalMs(cron: string): number {
  const { second, minute } = parseCron(cron, 'UTC', new Date(0)).fields;
  const offsets = secondsIntoHour(minute.values, second.values);
  // the hour's last fire is followed by the next hour's first
  const gaps = offsets.map((offset, index) => (offsets[index + 1] ?? offsets[0]! + 3600) - offset);
  return Math.min(...gaps) * 1000;
}

/** "Every 15 minutes", "At 06:00, only on Monday": the cron in words, from cronstrue. */
export function describeCron(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true });
  } catch {
    return 'Not a valid cron expression';
  }
}

/** `governance:community` → `Community`. */
export function charterDisplayName(temporalScheduleId: string): string {
  const bare = temporalScheduleId.replace(/^governance:/, '');
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/**
 * A charter's public name from its public id (already cleaned): what the snapshot lists, and what the
 * feeds call a charter the history no longer lists (deleted, renamed), so a published entry's title
 * stays the same. An id that leaves no name (`governance:` alone) is its own name: a sentence always names its charter.
 */
export function charterName(id: string): string {
  return publicText(charterDisplayName(id), limits.nameLength) || id;
}
