// A snapshot past its staleAfter means the worker stopped publishing: the reader must be told,
// because the figures themselves would still look plausible.
import { plural } from './describe-runs.ts';

export function isStale(staleAfterIso: string, nowMs: number): boolean {
  return nowMs > Date.parse(staleAfterIso);
}

/** "7 minutes", "3 hours", "2 days": how old the data is, rounded down. */
export function formatAge(generatedAtIso: string, nowMs: number): string {
  const minutes = Math.max(0, Math.floor((nowMs - Date.parse(generatedAtIso)) / 60_000));
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

export function formatStaleMessage(generatedAtIso: string, nowMs: number): string {
  return `This data is ${formatAge(generatedAtIso, nowMs)} old: the status worker may be down.`;
}
