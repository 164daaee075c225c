// Operator notes find their incidents: by id, or by a span (with or without a charter) that overlaps
// the incident; a note that finds none is listed on its own.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/contract.ts';
import { noteBelongsTo, notesByIncident, type NoteMeta } from '../../site/lib/notes.ts';

const incident = (charterId: string, startedAt: string, resolvedAt: string | null): Incident => ({
  id: `${charterId}@${startedAt}`,
  charterId,
  kind: 'failed',
  startedAt,
  resolvedAt,
  runs: 3,
  errorCodes: [],
});
const outage = incident('governance:engineering', '2026-11-09T06:00:00.000Z', '2026-11-09T13:00:21.482Z');
const sameTime = incident('governance:govern', '2026-11-09T06:15:00.000Z', '2026-11-09T13:15:21.482Z');
const open = incident('governance:community', '2026-11-21T07:00:00.000Z', null);
const span = (from: string, to: string, charter?: string): NoteMeta => ({ slug: `${from}-${charter}`, title: 't', from, to, ...(charter ? { charter } : {}) });

describe('noteBelongsTo', () => {
  it('matches an incident named by its id, and only that one', () => {
    const note: NoteMeta = { slug: 'a', title: 'a', incident: outage.id, from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' };
    expect([noteBelongsTo(note, outage), noteBelongsTo(note, sameTime)]).toEqual([true, false]);
  });

  it('matches every incident that overlaps its span, of its charter when it names one', () => {
    const afternoon = span('2026-11-09T12:00:00.000Z', '2026-11-09T18:00:00.000Z');
    expect([outage, sameTime, open].map((item) => noteBelongsTo(afternoon, item))).toEqual([true, true, false]);
    const engineering = span('2026-11-09T12:00:00.000Z', '2026-11-09T18:00:00.000Z', 'governance:engineering');
    expect([outage, sameTime].map((item) => noteBelongsTo(engineering, item))).toEqual([true, false]);
  });

  it('counts the edges as overlapping, an open incident as lasting until now, and a span that ends before as not', () => {
    expect(noteBelongsTo(span('2026-11-09T13:00:21.482Z', '2026-11-10T00:00:00.000Z'), outage)).toBe(true);
    expect(noteBelongsTo(span('2026-11-09T13:00:21.483Z', '2026-11-10T00:00:00.000Z'), outage)).toBe(false);
    expect(noteBelongsTo(span('2026-11-01T00:00:00.000Z', '2026-11-09T05:59:59.999Z'), outage)).toBe(false);
    expect(noteBelongsTo(span('2030-01-01T00:00:00.000Z', '2030-01-02T00:00:00.000Z'), open)).toBe(true);
  });

  it('matches nothing when it names neither an incident nor a whole span', () => {
    expect(noteBelongsTo({ slug: 'x', title: 'x', from: '2026-11-09T12:00:00.000Z' }, outage)).toBe(false);
  });
});

describe('notesByIncident', () => {
  it('gives each incident its notes, and none to a note that belongs to no incident', () => {
    const byId: NoteMeta = { slug: 'post-mortem', title: 'p', incident: outage.id };
    const afternoon = span('2026-11-09T12:00:00.000Z', '2026-11-09T18:00:00.000Z');
    const stray: NoteMeta = { slug: 'stray', title: 's', incident: 'governance:gone@2026-01-01T00:00:00.000Z' };
    const byIncident = notesByIncident([byId, afternoon, stray], [open, sameTime, outage]);
    expect(Object.fromEntries([...byIncident].map(([id, notes]) => [id, notes.map((note) => note.slug)]))).toEqual({
      [sameTime.id]: [afternoon.slug],
      [outage.id]: ['post-mortem', afternoon.slug],
    });
  });
});
