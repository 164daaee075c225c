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

/** What one response says about the offset, or null when it says nothing usable. */
export function offsetFromResponse({ date, age, sentAt, receivedAt }: ResponseTiming): OffsetRange | null {
  const made = date === null ? NaN : Date.parse(date);
  if (!Number.isFinite(made) || receivedAt < sentAt) return null;
  // Age is a whole number of seconds (RFC 9111); anything else is ignored, not trusted.
  const cached = age !== null && /^\s*\d+\s*$/.test(age) ? Number(age) * second : null;
  const onServer = made + (cached ?? 0);
  const roundedDown = second + (cached === null ? 0 : second);
  return { low: onServer - receivedAt, high: onServer + roundedDown - sentAt };
}

/**
 * The ranges of successive responses narrow each other down; a range that does not overlap the
 * last means a clock moved (the reader's was set, or the server's): the newest then wins alone.
 */
export function combineOffsets(known: OffsetRange | null, next: OffsetRange | null): OffsetRange | null {
  if (next === null) return known;
  if (known === null || next.high < known.low || next.low > known.high) return next;
  return { low: Math.max(known.low, next.low), high: Math.min(known.high, next.high) };
}

/** The correction to add to the reader's clock: the middle of what is known, 0 without a server clock. */
export const offsetOf = (range: OffsetRange | null): number => (range === null ? 0 : Math.round((range.low + range.high) / 2));
