// A snapshot past its staleAfter means the worker stopped publishing: the reader must be told,
// because the figures themselves would still look plausible.
import { fill, plural } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';

/** "7 minutes", "3 hours", "2 days": how old the data is, rounded down. */
export function formatAge(generatedAtIso: string, nowMs: number, m: Messages): string {
  const minutes = Math.max(0, Math.floor((nowMs - Date.parse(generatedAtIso)) / 60_000));
  if (minutes < 120) return plural(m.locale, m.time.minutes, minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(m.locale, m.time.hours, hours);
  return plural(m.locale, m.time.days, Math.floor(hours / 24));
}

export function formatStaleMessage(generatedAtIso: string, nowMs: number, m: Messages): string {
  return fill(m.status.stale, { age: formatAge(generatedAtIso, nowMs, m) });
}
