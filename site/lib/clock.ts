// The page's one clock: the reader's, corrected by the server's (server-clock.ts), read by the few
// parts that show a time relative to now. It ticks once a second only while something listens, and
// each listener re-renders only when its own words change (components/use-clock.ts), so a
// countdown ticks without the rest of the page.
import { steadyNow } from '../../shared/clock.ts';
import { combineOffsets, offsetOf, type OffsetRange, type OffsetState } from './server-clock.ts';

let known: OffsetState = { known: null, pending: null };
/** how far the reader's clock ran ahead of the monotonic one when the known range was measured: a step forward since explains a lower one */
let driftAtKnown = 0;
let offset = 0;
let current = 0;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

let last: { nowMs: number; monotonicMs: number } | null = null;

/** The reader's clock, never set back while the page is open (shared/clock.ts steadyNow): every offset is measured against it. */
export function readerNow(): number {
  const monotonicMs = performance.now();
  last = { nowMs: steadyNow(last, { wallMs: Date.now(), monotonicMs }), monotonicMs };
  return last.nowMs;
}

/** Now by the server's clock as far as it is known (the reader's clock until then), ms. */
export const correctedNow = () => readerNow() + offset;

function tick(): void {
  current = correctedNow();
  for (const listener of listeners) listener();
}

/** A response's view of the server's clock; null (no Date header) changes nothing. */
export function noteServerClock(range: OffsetRange | null): void {
  const drift = readerNow() - performance.now();
  const before = known.known;
  known = combineOffsets(known, range, drift - driftAtKnown);
  if (known.known !== before) driftAtKnown = drift;
  const next = offsetOf(known.known);
  if (next === offset) return;
  offset = next;
  tick();
}

export function subscribeClock(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    current = correctedNow();
    timer = setInterval(tick, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) clearInterval(timer);
  };
}

/** The time of the latest tick: the same value for every reader until the next one. */
export function clockTime(): number {
  if (current === 0) current = correctedNow();
  return current;
}

/** For tests: forget the server's clock. */
export function resetClock(): void {
  known = { known: null, pending: null };
  driftAtKnown = 0;
  offset = 0;
  last = null;
}
