// Uptime over a span of UTC days, one definition for the page's 30 and 90 days and any longer span:
// of the expected runs that finished, the share that succeeded. A failed, skipped or missed run
// counts against it; a run still in progress counts neither way; a day with nothing expected, or
// with no data (undefined), adds nothing. Nothing expected at all: null, never 100 %.
import type { DayCounts } from './contract.ts';

export type Uptime = { succeeded: number; judged: number };

export function uptimeOf(days: readonly (DayCounts | undefined)[]): Uptime | null {
  let succeeded = 0;
  let judged = 0;
  for (const day of days) {
    if (!day) continue;
    succeeded += day.succeeded;
    judged += day.succeeded + day.failed + day.skipped + day.missed;
  }
  return judged === 0 ? null : { succeeded, judged };
}

/**
 * "99.2 %": rounded down to a tenth, from the integer counts (no float rounding), so one failed run
 * in ten thousand reads 99.9 %, never 100 %. The space before % does not break.
 */
export function formatUptime({ succeeded, judged }: Uptime): string {
  const tenths = Math.floor((succeeded * 1000) / judged);
  const figure = tenths === 1000 ? '100' : `${Math.floor(tenths / 10)}.${tenths % 10}`;
  return `${figure}\u00a0%`;
}
