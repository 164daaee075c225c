// Charter schedules: next fire computed live from cron + IANA time zone (never the stale
// next_run_at column), display names, and the interval that sets staleAfter.
import { CronExpressionParser } from 'cron-parser';
import type { ScheduleError } from './contract.ts';

export type NextRun = { nextRunAt: Date; scheduleError: null } | { nextRunAt: null; scheduleError: ScheduleError };

export function isValidTimeZone(timezone: string): boolean {
  if (timezone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
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

/** The first fire strictly after `now`, or which part of the schedule is malformed. */
export function nextRunOf(cron: string, timezone: string, now: Date): NextRun {
  if (!isValidTimeZone(timezone)) return { nextRunAt: null, scheduleError: 'invalid_timezone' };
  try {
    return { nextRunAt: parseCron(cron, timezone, now).next().toDate(), scheduleError: null };
  } catch {
    return { nextRunAt: null, scheduleError: 'invalid_cron' };
  }
}

/** Milliseconds between the next two fires of `cron` after `now` (throws on a bad expression). */
export function cronIntervalMs(cron: string, now: Date, timezone = 'UTC'): number {
  const fires = parseCron(cron, timezone, now).take(2);
  const [first, second] = fires;
  if (!first || !second) throw new Error(`cron expression "${cron}" does not fire twice`);
  return second.getTime() - first.getTime();
}

/** `governance:community` → `Community`. */
export function charterDisplayName(temporalScheduleId: string): string {
  const bare = temporalScheduleId.replace(/^governance:/, '');
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}
