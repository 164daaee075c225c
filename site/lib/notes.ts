// Which operator notes (site/content.config.ts) belong to which incident: a note names one incident
// by its id, or a time span (and optionally a charter) and then belongs to every incident of it that
// overlaps the span. Every note is in the page's list of notes; one that belongs to no incident of
// the 90 days is only there.
import type { Incident } from '../../shared/contract.ts';

/** What the page knows of a note without its text (the text is static HTML, rendered at build). */
export type NoteMeta = { slug: string; title: string; incident?: string; charter?: string; from?: string; to?: string };

/** What a note is matched against: a charter's incident or the system's own (no charter). */
type Spanned = Pick<Incident, 'id' | 'startedAt' | 'resolvedAt'> & { charterId: string | null };

export function noteBelongsTo(note: NoteMeta, incident: Spanned): boolean {
  if (note.incident !== undefined) return note.incident === incident.id;
  if (note.from === undefined || note.to === undefined) return false;
  if (note.charter !== undefined && note.charter !== incident.charterId) return false;
  const start = Date.parse(incident.startedAt);
  const end = incident.resolvedAt === null ? Number.POSITIVE_INFINITY : Date.parse(incident.resolvedAt);
  return start <= Date.parse(note.to) && end >= Date.parse(note.from);
}

/** The notes of each incident that has any. */
export function notesByIncident(notes: readonly NoteMeta[], incidents: readonly Spanned[]): Map<string, NoteMeta[]> {
  const byIncident = new Map<string, NoteMeta[]>();
  for (const incident of incidents) {
    const own = notes.filter((note) => noteBelongsTo(note, incident));
    if (own.length > 0) byIncident.set(incident.id, own);
  }
  return byIncident;
}
