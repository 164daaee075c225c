// How long to wait before the next fetch: the normal cadence, doubled per consecutive failure so a
// broken CDN or worker is not hammered by every open tab, capped so recovery is noticed soon; and
// sooner than the cadence when the snapshot shown would go stale before it (a schedule faster than
// the cadence: the demo's every 5 s leaves each snapshot current for 15 s), so the page asks for a
// newer one before it would call a worker that publishes "may be down".
export const pollIntervalMs = 30_000;
export const maxRetryDelayMs = 5 * 60_000;
/** How long before the snapshot shown goes stale the page asks for a newer one: a request's time, and then some. */
export const staleLeadMs = 3_000;
/** The soonest the page asks again after a good answer, however soon the snapshot shown goes stale. */
export const minPollDelayMs = 2_000;

/** `untilStaleMs`: how long the snapshot shown still reads as current (null: none shown; past: the worker is behind, asked at the cadence). */
export function computePollDelay(consecutiveFailures: number, untilStaleMs: number | null = null): number {
  if (consecutiveFailures > 0) return Math.min(maxRetryDelayMs, pollIntervalMs * 2 ** (consecutiveFailures - 1));
  if (untilStaleMs === null || untilStaleMs <= 0) return pollIntervalMs;
  return Math.min(pollIntervalMs, Math.max(minPollDelayMs, untilStaleMs - staleLeadMs));
}
