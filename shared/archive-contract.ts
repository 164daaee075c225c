// The archive's contract, schemaVersion 1: one file per closed UTC day, governance-archive/YYYY-MM-DD.json,
// written once and chained by `prev` (the SHA-256 of the previous archived day's exact bytes), and
// the index governance-archive.json that lists every day's hash. The worker validates with these
// before it writes; the published JSON Schemas are generated from them (shared/archive-json-schema.ts).
import * as z from 'zod/mini';
import { archiveDayBytes, archiveIndexBytes, archiveIndexDays, archiveRecentBytes, archiveRecentDays, archiveSignatureBytes, keyRotationsBytes, signingKeyBytes } from './archive-files.ts';
import { count, credits, dayCountsSchema, incidentSchema, instant, limits, text, utcDate, type DayCounts, type Incident } from './contract.ts';

export const archiveLimits = {
  /** charters in one day: every charter that existed, not only those the history lists */
  charters: 1_000,
  /** incidents that touched one day */
  incidents: 1_000,
  /** one day's file (shared/archive-files.ts) */
  dayBytes: archiveDayBytes,
  /** days the index lists: a century */
  days: archiveIndexDays,
  /** governance-archive/recent.json (shared/archive-files.ts, which the page reads it by) */
  recentBytes: archiveRecentBytes,
} as const;

const sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));

export const archiveCharterSchema = z.object({
  id: text(limits.idLength),
  name: text(limits.nameLength),
  ...dayCountsSchema.shape,
});

export const archiveDaySchema = z.object({
  schemaVersion: z.literal(1),
  day: utcDate,
  /** when the worker closed the day: at or after the day's end */
  closedAt: instant,
  /** SHA-256 (hex) of the previous archived day's exact bytes; null for the first day of the chain */
  prev: z.nullable(sha256),
  /** the system's spend that day, an integer string */
  spent: credits,
  /** sorted by id: every charter with data that day, with its name at the time */
  charters: z.array(archiveCharterSchema).check(z.maxLength(archiveLimits.charters)),
  /** the incidents that touched the day (open at some instant of it), as known when it closed */
  incidents: z.array(incidentSchema).check(z.maxLength(archiveLimits.incidents)),
});

export const archiveIndexSchema = z.object({
  schemaVersion: z.literal(1),
  /** when the index was last written (at or after the last day's closedAt) */
  updatedAt: instant,
  first: utcDate,
  last: utcDate,
  count: count.check(z.gte(1)),
  /** the SHA-256 of the last day's bytes: it commits to the whole chain */
  head: sha256,
  /** every archived day, oldest first, with the SHA-256 of its bytes */
  days: z.array(z.object({ day: utcDate, sha256 })).check(z.minLength(1), z.maxLength(archiveLimits.days)),
});

/** A detached JWS (`header..signature`), as in the `.jws` files; null where the record is unsigned. */
const detachedJws = z.nullable(z.string().check(z.maxLength(archiveSignatureBytes), z.regex(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\n?$/)));

/**
 * governance-archive/recent.json: the last days (at most archiveRecentDays) as exact copies of their
 * files, so a reader verifies them with one request. Each string is the published file's bytes
 * (UTF-8); nothing here is trusted beyond what its signature and the index's hashes prove.
 */
export const archiveRecentSchema = z.object({
  schemaVersion: z.literal(1),
  /** the index's updatedAt when the bundle was written */
  updatedAt: instant,
  /** governance-archive.json, byte for byte, and its signature */
  index: z.string().check(z.maxLength(archiveIndexBytes)),
  indexSignature: detachedJws,
  /** governance-signing-key.json and governance-key-rotations.json as published; null when absent */
  signingKey: z.nullable(z.string().check(z.maxLength(signingKeyBytes))),
  keyRotations: z.nullable(z.string().check(z.maxLength(keyRotationsBytes))),
  /** the newest days of the index, oldest first: each file byte for byte, and its signature */
  days: z.array(z.object({ day: utcDate, bytes: z.string().check(z.maxLength(archiveLimits.dayBytes)), signature: detachedJws })).check(z.maxLength(archiveRecentDays)),
});

export type ArchiveRecent = z.infer<typeof archiveRecentSchema>;

export function parseArchiveRecent(data: unknown) {
  return z.safeParse(archiveRecentSchema, data);
}

export type ArchiveDay = z.infer<typeof archiveDaySchema>;
export type ArchiveCharter = z.infer<typeof archiveCharterSchema>;
export type ArchiveIndex = z.infer<typeof archiveIndexSchema>;
export type ArchiveIndexEntry = ArchiveIndex['days'][number];

export function parseArchiveDay(data: unknown) {
  return z.safeParse(archiveDaySchema, data);
}

export function parseArchiveIndex(data: unknown) {
  return z.safeParse(archiveIndexSchema, data);
}

/** The first problem of a failed parse, as a short phrase: "charters.0.expected: Too small: ...". */
export function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}` : 'does not match the contract';
}

/** A closed day as the history keeper hands it to the archivist. */
export type ClosedDay = {
  date: string;
  /** ISO instant at which the day closed */
  closedAt: string;
  charters: ReadonlyArray<{ id: string; name: string; counts: DayCounts }>;
  incidents: readonly Incident[];
  spent: bigint;
};

/**
 * The exact bytes of an archived day: compact JSON in the contract's field order, charters sorted by
 * id and incidents by start and id, and a final newline. The same day always gives the same bytes.
 */
export function serializeArchiveDay(day: ClosedDay, prev: string | null): string {
  const charters = [...day.charters]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ id, name, counts }) => ({
      id,
      name,
      expected: counts.expected,
      succeeded: counts.succeeded,
      failed: counts.failed,
      skipped: counts.skipped,
      missed: counts.missed,
    }));
  const incidents = [...day.incidents]
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((incident) => ({
      id: incident.id,
      charterId: incident.charterId,
      kind: incident.kind,
      startedAt: incident.startedAt,
      resolvedAt: incident.resolvedAt,
      runs: incident.runs,
      errorCodes: [...incident.errorCodes],
    }));
  const value: ArchiveDay = { schemaVersion: 1, day: day.date, closedAt: day.closedAt, prev, spent: day.spent.toString(), charters, incidents };
  return `${JSON.stringify(value)}\n`;
}

/** The index's bytes: compact JSON in the contract's field order and a final newline. */
export function serializeArchiveIndex(entries: readonly ArchiveIndexEntry[], updatedAt: string): string {
  const last = entries.at(-1);
  if (!last) throw new Error('an archive index lists at least one day');
  const value: ArchiveIndex = {
    schemaVersion: 1,
    updatedAt,
    first: entries[0]!.day,
    last: last.day,
    count: entries.length,
    head: last.sha256,
    days: entries.map(({ day, sha256 }) => ({ day, sha256 })),
  };
  return `${JSON.stringify(value)}\n`;
}
