// How a schedule meets a change of its time zone's offset, as Temporal runs the application's
// schedules: an instant fires when its wall time matches the cron (temporalio/temporal,
// service/worker/scheduler/calendar.go and its tests, TestCalendarNextDST). So a wall time the clocks
// skip never fires, and one they repeat fires in each copy. cron-parser differs near a change: it
// moves a skipped wall time an hour on (New York), gives a repeated one once, and in a half-hour
// zone (Lord Howe) drops fires or gives up. So the walk is cron-parser's where the offset is steady,
// which is all but a few hours a year, and near a change it is Temporal's rule itself: every whole
// second the cron names, minute by minute, whose wall time matches.
import type { CronExpression } from 'cron-parser';

/** A change of offset moves the clocks by less than this, and two changes are more than three times it apart. */
const nearMs = 6 * 60 * 60 * 1000;
const minuteMs = 60 * 1000;
const hourMs = 60 * minuteMs;
/** How far ahead of its walk cron-parser can give up at a change: a yearly schedule's next fire, a leap year's day. */
const giveUpReachMs = 4 * 366 * 24 * hourMs;

const formats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds (Intl's "GMT+05:30" read as a number). */
function offsetReader(timezone: string): (at: number) => number {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    formats.set(timezone, format);
  }
  const zone = format;
  return (at) => {
    const name = zone.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';
    const [, sign, hours, minutes, seconds] = /^GMT([+-])(\d\d):(\d\d)(?::(\d\d))?$/.exec(name) ?? [];
    if (!sign) return 0; // "GMT": UTC itself
    const ms = ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds ?? 0)) * 1000;
    return sign === '-' ? -ms : ms;
  };
}

export interface ZoneClock {
  offsetAt(at: number): number;
  /** No change of offset within a few hours of `at`: cron-parser's fires there are Temporal's. */
  steadyNear(at: number): boolean;
}

/** A time zone's offsets, remembering the last span found steady so a walk asks Intl a few times a day, not per fire. */
export function zoneClock(timezone: string): ZoneClock {
  const offsetAt = offsetReader(timezone);
  let steady = { from: 0, to: -1 };
  return {
    offsetAt,
    steadyNear(at) {
      if (at - nearMs >= steady.from && at + nearMs <= steady.to) return true;
      if (offsetAt(at - nearMs) !== offsetAt(at + 2 * nearMs)) return false;
      steady = { from: at - nearMs, to: at + 2 * nearMs };
      return true;
    },
  };
}

/**
 * The fires at and after `from`, ascending, as Temporal fires them; `parse(after)` is the schedule's
 * cron-parser expression whose first fire is after `after`. Returns true when cron-parser gave up (it
 * throws: no fire ever again) with no change of offset near to explain it.
 */
export function* zoneFires(parse: (after: number) => CronExpression, zone: ZoneClock, from: number): Generator<number, boolean> {
  const matcher = parse(from);
  let at = from; // the first instant not yet walked
  if (!zone.steadyNear(at)) at = yield* byMinute(matcher, at, steadyAfter(zone, at));
  for (;;) {
    const walk = parse(at - 1); // cron-parser's currentDate is exclusive
    for (;;) {
      let fire: number;
      try {
        fire = walk.next().getTime();
      } catch {
        // It gives up at the first change it cannot cross on its way to the next fire, which for a
        // weekly or yearly schedule lies that far ahead; a fire before that change it would have given.
        const near = changeWithin(zone, at, giveUpReachMs);
        if (near === null) return true;
        at = yield* byMinute(matcher, Math.max(at, near - 2 * nearMs), steadyAfter(zone, near));
        break;
      }
      if (!zone.steadyNear(fire)) {
        // what cron-parser gave or passed over near this change is walked again, Temporal's way
        at = yield* byMinute(matcher, Math.max(at, fire - 2 * nearMs), steadyAfter(zone, fire));
        break;
      }
      yield fire;
      at = fire + 1;
    }
  }
}

/** Every whole second the cron names in [from, to), minute by minute, whose wall time matches; returns `to`. */
function* byMinute(matcher: CronExpression, from: number, to: number): Generator<number, number> {
  const seconds = matcher.fields.second.values.map((second) => Number(second) * 1000);
  for (let minute = Math.floor(from / minuteMs) * minuteMs; minute < to; minute += minuteMs) {
    for (const second of seconds) {
      const at = minute + second;
      if (at >= from && at < to && matcher.includesDate(new Date(at))) yield at;
    }
  }
  return to;
}

/** The first whole hour after `at` from which the zone's offset is steady again. */
function steadyAfter(zone: ZoneClock, at: number): number {
  let after = Math.floor(at / hourMs) * hourMs + hourMs;
  while (!zone.steadyNear(after)) after += hourMs;
  return after;
}

/** An instant within `span` after `at` near a change of offset, or null. */
function changeWithin(zone: ZoneClock, at: number, span: number): number | null {
  for (let probe = at; probe <= at + span; probe += nearMs) if (!zone.steadyNear(probe)) return probe;
  return null;
}
