// How fresh the data is, by the server's clock (lib/clock.ts): "Updated 15 s ago", and a snapshot
// made after now is shown as what it is (the worker's clock is ahead), never as "just now". A reader
// whose own clock is off sees what everyone sees: nothing about the data changes with it.
import { fill } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';
import { formatAgo, formatLasting } from './format-time.ts';

/** The Date header's whole seconds and the request's time leave about a second of doubt. */
const doubtMs = 2_000;

export function describeFreshness(generatedAt: number, now: number, m: Messages): string {
  const ahead = generatedAt - now;
  if (ahead <= doubtMs) return fill(m.status.updated, { ago: formatAgo(generatedAt, now, m) });
  return fill(m.status.ahead, { lasting: formatLasting(ahead / 1000, m) });
}
