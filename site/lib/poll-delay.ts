// How long to wait before the next fetch: the normal cadence, doubled per consecutive failure so a
// broken CDN or worker is not hammered by every open tab, capped so recovery is noticed soon.
export const pollIntervalMs = 30_000;
export const maxRetryDelayMs = 5 * 60_000;

export function computePollDelay(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return pollIntervalMs;
  return Math.min(maxRetryDelayMs, pollIntervalMs * 2 ** (consecutiveFailures - 1));
}
