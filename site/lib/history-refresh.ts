// When to ask for governance-history.json again. Its closed days change once a day; what a reader
// must not miss is an incident opening or closing, and the snapshot names the open ones. So: at once
// when the snapshot's open incidents differ from those at the last fetch, and otherwise when the
// snapshot has moved on by five minutes (today's bar stays at most that far behind). Every fetch is
// conditional (If-None-Match), so an unchanged file costs a 304.
import type { PublishedStatus } from '../../shared/contract.ts';

export const historyRefreshMs = 5 * 60_000;

export type HistoryMark = { generatedAt: number; openIncidents: string };

export const markOf = (snapshot: PublishedStatus): HistoryMark => ({
  generatedAt: Date.parse(snapshot.generatedAt),
  openIncidents: (snapshot.openIncidents ?? []).join('\n'),
});

export function shouldFetchHistory(last: HistoryMark | null, snapshot: PublishedStatus): boolean {
  if (last === null) return true;
  const next = markOf(snapshot);
  return next.openIncidents !== last.openIncidents || next.generatedAt - last.generatedAt >= historyRefreshMs;
}
