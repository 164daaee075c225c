// The reader's clock, corrected by the server's: a wrong clock on the reader's device must neither
// call fresh data stale nor vouch for stale data. Each response's Date header (whole seconds, the
// moment the answer was made) plus its Age (whole seconds it then spent in a cache) says what time
// it was on the server while the request was under way, so the offset (server minus reader) lies
// in a range: from the latest the answer can have been made (its Date, the moment it arrived) to the
// earliest (the Date's second run out, plus Age's, the moment the request left).

/** Server time minus the reader's clock, in ms: somewhere from low to high. */
export type OffsetRange = { low: number; high: number };

export type ResponseTiming = {
  /** the Date header, or null when the response has none (or CORS does not expose it) */
  date: string | null;
  age: string | null;
  /** the reader's clock when the request was sent and when its headers arrived, ms */
  sentAt: number;
  receivedAt: number;
};

const second = 1000;

const imfFixdate = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;
const months = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/**
 * An HTTP-date in the form every sender must use (RFC 9110 IMF-fixdate, "Sat, 21 Nov 2026 12:00:40
 * GMT"), in ms; null for anything else: the obsolete forms, a date without its zone (which Date.parse
 * reads as the reader's local time), one that does not exist or names the wrong weekday.
 */
export function parseHttpDate(value: string): number | null {
  const match = imfFixdate.exec(value);
  if (!match) return null;
  const [, day, , year, hour, minute, seconds] = match.map(Number) as number[];
  const at = Date.UTC(year!, months.indexOf(match[2]!) / 3, day, hour, minute, seconds);
  // rolled over (31 Nov, 24:00) or another weekday: not the instant it names
  return new Date(at).toUTCString() === value ? at : null;
}

/** What one response says about the offset, or null when it says nothing usable (no IMF-fixdate Date). A device clock years off (a dead battery) is corrected like one minutes off. */
export function offsetFromResponse({ date, age, sentAt, receivedAt }: ResponseTiming): OffsetRange | null {
  const made = date === null ? null : parseHttpDate(date);
  if (made === null || receivedAt < sentAt) return null;
  // Age is a whole number of seconds (RFC 9111); anything else is ignored, not trusted.
  const cached = age !== null && /^\s*\d+\s*$/.test(age) ? Number(age) * second : null;
  const onServer = made + (cached ?? 0);
  const roundedDown = second + (cached === null ? 0 : second);
  return { low: onServer - receivedAt, high: onServer + roundedDown - sentAt };
}

/** What the page knows of the offset, and a lower range waiting for a second answer to agree with it. */
export type OffsetState = { known: OffsetRange | null; pending: OffsetRange | null };

const overlap = (a: OffsetRange, b: OffsetRange) => a.low <= b.high && b.low <= a.high;
const both = (a: OffsetRange, b: OffsetRange): OffsetRange => ({ low: Math.max(a.low, b.low), high: Math.min(a.high, b.high) });

/**
 * The ranges of successive responses narrow each other down. One that does not overlap what is known
 * means a clock moved. Above it (the server's clock ahead of what was thought) it is taken at once:
 * data can only read older. Below it, it is taken at once if the reader's own clock was set forward by
 * as much (`readerStepMs`), and otherwise only once a second answer agrees with it: a cache's old copy
 * without an Age header (RFC 9111 asks for one, not every cache sends it, and some serve stale copies
 * while their origin is down) would set the page's clock back by the copy's age and show stale data as
 * fresh, and every answer of such a copy lies lower still, so no two agree; a server's clock set back
 * gives answers that do.
 */
export function combineOffsets(state: OffsetState, next: OffsetRange | null, readerStepMs = 0): OffsetState {
  const { known, pending } = state;
  if (next === null) return state;
  if (known === null || next.low > known.high) return { known: next, pending: null };
  if (overlap(known, next)) return { known: both(known, next), pending: null };
  if (readerStepMs >= known.low - next.high) return { known: next, pending: null };
  return pending !== null && overlap(pending, next) ? { known: both(pending, next), pending: null } : { known, pending: next };
}

/** The correction to add to the reader's clock: the middle of what is known, 0 without a server clock. */
export const offsetOf = (range: OffsetRange | null): number => (range === null ? 0 : Math.round((range.low + range.high) / 2));
