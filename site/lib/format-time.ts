// Human wording for times, in the page's locale (its messages' units and Intl's formats). Every
// function takes `now` as an argument so the page and the tests share one clock; a time of day is in
// the zone the reader chose (undefined: the reader's own), always named.
import { isUtcDate } from '../../shared/archive-files.ts';
import { dateTimeFormat, fill, formatNumber } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';

const secondMs = 1000;
const minuteS = 60;
const hourS = 60 * minuteS;
const dayS = 24 * hourS;

type Unit = 's' | 'min' | 'h' | 'd';
const unit = (m: Messages, name: Unit, value: number) => fill(m.time[name], { n: formatNumber(m.locale, value) });

/** The two largest units, the smaller one null when it reads zero and `dropZero` is set. */
function twoUnits(seconds: number, m: Messages, dropZero: boolean): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < minuteS) return unit(m, 's', s);
  const [big, bigSize, small, smallSize]: [Unit, number, Unit, number] =
    s < hourS ? ['min', minuteS, 's', 1] : s < dayS ? ['h', hourS, 'min', minuteS] : ['d', dayS, 'h', hourS];
  const rest = Math.floor((s % bigSize) / smallSize);
  const head = unit(m, big, Math.floor(s / bigSize));
  return dropZero && rest === 0 ? head : `${head} ${unit(m, small, rest)}`;
}

/** "4 min 12 s", "2 h 5 min", "3 d 4 h": the two largest units, so a ticking value stays short. */
export const formatDuration = (seconds: number, m: Messages): string => twoUnits(seconds, m, false);

/** "3 h", "4 h 10 min", "1 d": how long something lasted, without a unit that reads zero. */
export const formatLasting = (seconds: number, m: Messages): string => twoUnits(seconds, m, true);

/** "in 4 min 12 s". Rounds up, so the countdown reaches zero exactly when the run is due. */
export function formatCountdown(targetMs: number, nowMs: number, m: Messages): string {
  const left = Math.ceil((targetMs - nowMs) / secondMs);
  return left <= 0 ? m.time.due : fill(m.time.in, { time: formatDuration(left, m) });
}

/** "3 h ago": one unit, rounded down, so a value never claims more time passed than did. */
export function formatAgo(pastMs: number, nowMs: number, m: Messages): string {
  const s = Math.floor((nowMs - pastMs) / secondMs);
  if (s < 1) return m.time.justNow;
  const [name, size]: [Unit, number] = s < minuteS ? ['s', 1] : s < hourS ? ['min', minuteS] : s < dayS ? ['h', hourS] : ['d', dayS];
  return fill(m.time.ago, { time: unit(m, name, Math.floor(s / size)) });
}

export interface ZoneOptions {
  locale?: string;
  timeZone?: string | undefined;
}

const clock: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' };
const date: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' };

/** "Nov 21, 07:05 EST", "21. Nov., 13:05 MEZ": the chosen zone, with its abbreviation so the zone is never a guess. */
export function formatLocalTime(ms: number, { locale, timeZone }: ZoneOptions = {}): string {
  return dateTimeFormat(locale, { ...date, ...clock, timeZone }).format(ms);
}

/** "Sun, 04:30 UTC" within six days of `now`, else with the date: when a forecast's end falls. */
export function formatWeekdayTime(ms: number, nowMs: number, { locale, timeZone }: ZoneOptions = {}): string {
  const near = ms - nowMs < 6 * dayS * secondMs;
  return dateTimeFormat(locale, { weekday: 'short', ...(near ? {} : date), ...clock, timeZone }).format(ms);
}

/**
 * A UTC day (2026-11-21) as the locale writes dates; as is where its messages keep ISO dates, and
 * where it is no day (Intl would throw on 2026-13-45, and print 2026-02-30 as March 2).
 */
export function formatDay(date: string, m: Messages): string {
  if (!m.days.format || !isUtcDate(date)) return date;
  return dateTimeFormat(m.locale, { ...m.days.format, timeZone: 'UTC' }).format(Date.parse(`${date}T00:00:00Z`));
}
