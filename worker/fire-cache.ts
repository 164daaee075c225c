// The fires of each schedule, kept between ticks. cron-parser takes 10 to 100 µs per fire (luxon
// time zones), so computing a per-minute charter's day and its 30-day forecast afresh would cost
// seconds of CPU every tick; here the span is computed once, then only its new end each tick.
import { firesBetween, scheduleKey } from '../shared/schedule.ts';

/** A schedule firing more often than this in the span is judged on its first this-many fires. */
export const maxCachedFires = 100_000;

export type FireSpan = {
  /** fires in [from, coveredTo), ascending */
  fires: readonly number[];
  /** where the list ends: `to`, or earlier when the schedule fires more than maxCachedFires times */
  coveredTo: number;
};

type Entry = { fires: number[]; from: number; to: number; used: boolean };

/** The index of the first fire at or after `at` in an ascending list (its length when none). */
export function firstAtOrAfter(fires: readonly number[], at: number): number {
  let low = 0;
  let high = fires.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (fires[middle]! < at) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function createFireCache(limit = maxCachedFires) {
  const entries = new Map<string, Entry>();
  const compute = (cron: string, timezone: string, from: number, to: number, room: number) => {
    const fires = firesBetween(cron, timezone, from, to, room);
    return { fires, to: fires.length >= room ? fires.at(-1)! + 1 : to };
  };
  return {
    /** The fires of a valid schedule in [from, to). Moving `from` forward drops what is older. */
    span(cron: string, timezone: string, from: number, to: number): FireSpan {
      const key = scheduleKey(cron, timezone);
      let entry = entries.get(key);
      if (!entry || from < entry.from || from > entry.to) {
        const fresh = compute(cron, timezone, from, to, limit);
        entry = { fires: fresh.fires, from, to: fresh.to, used: true };
        entries.set(key, entry);
      } else {
        entry.fires.splice(0, firstAtOrAfter(entry.fires, from));
        entry.from = from;
        if (to > entry.to && entry.fires.length < limit) {
          const more = compute(cron, timezone, entry.to, to, limit - entry.fires.length);
          for (const fire of more.fires) entry.fires.push(fire);
          entry.to = more.to;
        }
        entry.used = true;
      }
      const end = firstAtOrAfter(entry.fires, to);
      return { fires: end === entry.fires.length ? entry.fires : entry.fires.slice(0, end), coveredTo: Math.min(entry.to, to) };
    },
    /** Forgets schedules not asked for since the last sweep (a charter deleted or rescheduled). */
    sweep() {
      for (const [key, entry] of entries) {
        if (!entry.used) entries.delete(key);
        else entry.used = false;
      }
    },
    get size() {
      return entries.size;
    },
  };
}

export type FireCache = ReturnType<typeof createFireCache>;
