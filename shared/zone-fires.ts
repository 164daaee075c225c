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
/**
 * How far ahead of its walk cron-parser can give up at a change: a yearly schedule's next fire, a leap
 * year's day; and how long a walk finds no fire before the schedule is taken to fire never again.
 */
const giveUpReachMs = 4 * 366 * 24 * hourMs;

// A format per time zone as rows spell it, the most recently made kept: a row's zone is data, and
// Intl takes any casing of a name (america/new_york), so spellings are bounded only by this.
const formats = new Map<string, Intl.DateTimeFormat>();
export const keptZoneFormats = 256;

/** How many zones' formats are kept now (at most keptZoneFormats). */
export const zoneFormatsKept = () => formats.size;

/** The zone's offset from UTC at an instant, in milliseconds (Intl's "GMT+05:30" read as a number). */
function offsetReader(timezone: string): (at: number) => number {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    if (formats.size >= keptZoneFormats) formats.delete(formats.keys().next().value!);
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
 * cron-parser expression whose first fire is after `after`. The walk stops at `to` (false): the
 * caller drops a fire at or past it, which it may still give. Returns true when no fire ever comes
 * again: cron-parser gave up (it throws) with no change of offset near to explain it, or every fire it
 * gave for years after `present` fell in wall times the clocks skip ('30 2 * 3 0L' in Berlin). Years
 * without a fire before `present` prove nothing: a country may have changed its rules since (Mexico
 * City's 02:30 on April's first Sunday, skipped until 2022, exists from 2023); after it, the time zone
 * database's rules repeat year on year.
 */
export function* zoneFires(parse: (after: number) => CronExpression, zone: ZoneClock, from: number, to = Number.POSITIVE_INFINITY, present = from): Generator<number, boolean> {
  // cron-parser's currentDate is exclusive; what a minute matches (includesDate) does not depend on
  // where the expression stands, so the first walk is the matcher too
  const matcher = parse(from - 1);
  let walk: CronExpression | null = matcher; // null: walk again from `at`
  let at = from; // the first instant not yet walked
  let lastFire = from; // cron-parser giving up again and again, with no fire found between, ends the walk
  const fireless = (until: number) => until - Math.max(lastFire, present) > giveUpReachMs;
  /** Temporal's way, minute by minute, from `start` to where the offset is steady again after `change`. */
  function* nearChange(start: number, change: number): Generator<number> {
    const end = steadyAfter(zone, change);
    for (const fire of byMinute(matcher, zone, start, end)) yield (lastFire = fire);
    [at, walk] = [end, null];
  }
  if (!zone.steadyNear(at)) yield* nearChange(at, at);
  for (;;) {
    if (at >= to) return false; // a walk near a change may pass the span's end without a fire in it
    walk ??= parse(at - 1);
    let fire: number;
    try {
      fire = walk.next().getTime();
    } catch {
      // It gives up at the first change it cannot cross on its way to the next fire, which for a
      // weekly or yearly schedule lies that far ahead; a fire before that change it would have given.
      const near = changeWithin(zone, at, giveUpReachMs);
      if (near === null || fireless(near)) return true;
      yield* nearChange(Math.max(at, near - 2 * nearMs), near);
      continue;
    }
    if (zone.steadyNear(fire)) {
      yield (lastFire = fire);
      at = fire + 1;
    } else {
      // what cron-parser gave or passed over near this change is walked again, Temporal's way
      yield* nearChange(Math.max(at, fire - 2 * nearMs), fire);
      // none of its fires for years matched a wall time that exists: it would give the next year's for ever
      if (fireless(at)) return true;
    }
  }
}

/**
 * Every whole second the cron names in [from, to), minute by minute, whose wall time matches. A minute is checked against the cron once, and only when its wall minute and hour are named:
 * with an offset of whole minutes every second of it has the same wall minute, hour and day.
 */
function* byMinute(matcher: CronExpression, zone: ZoneClock, from: number, to: number): Generator<number> {
  const seconds = matcher.fields.second.values.map((second) => Number(second) * 1000);
  const [minutes, hours] = [new Set(matcher.fields.minute.values.map(Number)), new Set(matcher.fields.hour.values.map(Number))];
  const named = (wall: number) => minutes.has(wallField(wall, minuteMs, 60)) && hours.has(wallField(wall, hourMs, 24));
  const offsetAt = offsetsByHour(zone);
  for (let minute = Math.floor(from / minuteMs) * minuteMs; minute < to; minute += minuteMs) {
    const offset = offsetAt(minute);
    const whole = offset % minuteMs === 0;
    if (!named(minute + offset) && (whole || !named(minute + offset + minuteMs - 1))) continue;
    if (whole && !matcher.includesDate(new Date(minute + seconds[0]!))) continue;
    for (const at of seconds.map((ms) => minute + ms)) {
      if (at >= from && at < to && (whole || matcher.includesDate(new Date(at)))) yield at;
    }
  }
}

/** A wall time's minute of the hour (unit a minute, 60) or hour of the day (unit an hour, 24). */
function wallField(wall: number, unit: number, count: number): number {
  return ((Math.floor(wall / unit) % count) + count) % count;
}

/** The zone's offset at instants in ascending order, asking Intl once an hour where the hour's two ends agree. */
function offsetsByHour(zone: ZoneClock): (at: number) => number {
  let hour = Number.NaN;
  let offset: number | null = null; // the hour's offset, null while the hour holds a change
  return (at) => {
    if (Math.floor(at / hourMs) * hourMs !== hour) {
      hour = Math.floor(at / hourMs) * hourMs;
      const start = zone.offsetAt(hour);
      offset = start === zone.offsetAt(hour + hourMs) ? start : null;
    }
    return offset ?? zone.offsetAt(at);
  };
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
