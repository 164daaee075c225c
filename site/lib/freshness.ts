// How fresh the data is, by the server's clock (lib/clock.ts): "Updated 15 s ago", and a snapshot
// made after now is shown as what it is (the worker's clock is ahead), never as "just now". A reader
// whose own clock is off sees what everyone sees: nothing about the data changes with it.
import { formatAgo, formatLasting } from './format-time.ts';

/** The Date header's whole seconds and the request's time leave about a second of doubt. */
const doubtMs = 2_000;

export function describeFreshness(generatedAt: number, now: number): string {
  const ahead = generatedAt - now;
  if (ahead <= doubtMs) return `Updated ${formatAgo(generatedAt, now)}`;
  return `Made ${formatLasting(ahead / 1000)} after now by the server's clock: the status worker's clock is ahead.`;
}
