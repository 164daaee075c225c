// Watches the worker's wall clock for a step back. node-cron plans each fire by the wall clock and
// sleeps until it: stepped back 4 minutes (NTP correcting a clock that ran ahead), it fired nothing
// for 4 minutes and said nothing, past staleAfter. main.ts plans the schedule again from the new
// time when this says so. A step forward needs nothing: node-cron counts the fires it skipped.
import { clockSteppedBackMs, type ClockReading } from '../shared/clock.ts';

const read = (): ClockReading => ({ wallMs: Date.now(), monotonicMs: performance.now() });

/** Calls onStepBack(ms) when the wall clock went back more than toleranceMs since the last look (every everyMs). */
export function watchClockSteps({ onStepBack, everyMs = 1_000, toleranceMs = 1_000 }: { onStepBack: (ms: number) => void; everyMs?: number; toleranceMs?: number }) {
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    const back = clockSteppedBackMs(last, now);
    last = now;
    if (back > toleranceMs) onStepBack(back);
  }, everyMs).unref();
  return { stop: () => clearInterval(timer) };
}
