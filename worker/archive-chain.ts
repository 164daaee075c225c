// Reading the archive back: its index, one day, and the chain behind a day when the index is lost.
// Everything read is checked (JSON, the contract, the day its name says, the hash the index lists);
// a problem is returned as a sentence that names the file, never thrown past the archivist.
import { createHash } from 'node:crypto';
import { firstIssue, parseArchiveDay, parseArchiveIndex, type ArchiveDay, type ArchiveIndex, type ArchiveIndexEntry } from '../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, endOfUtcDate } from '../shared/archive-files.ts';
import type { SnapshotStorePort } from '../shared/ports.ts';

export const sha256Of = (body: string) => createHash('sha256').update(body).digest('hex');

export type StoredDay = { file: string; bytes: string; sha256: string; day: ArchiveDay };
export type Problem = { problem: string };

function parseJson(file: string, bytes: string): { value: unknown } | Problem {
  try {
    return { value: JSON.parse(bytes) };
  } catch {
    return { problem: `${file} is not JSON (${bytes.length === 0 ? 'empty' : `${bytes.length} bytes, truncated or garbled`})` };
  }
}

/** The day stored under its name, checked against the contract and its name; null when absent. */
export async function readDay(store: SnapshotStorePort, date: string, signal?: AbortSignal): Promise<StoredDay | Problem | null> {
  const file = archiveDayFileName(date);
  const bytes = await store.get(file, signal);
  if (bytes === null) return null;
  return checkDay(file, date, bytes);
}

export function checkDay(file: string, date: string, bytes: string): StoredDay | Problem {
  const json = parseJson(file, bytes);
  if ('problem' in json) return json;
  const parsed = parseArchiveDay(json.value);
  if (!parsed.success) return { problem: `${file} is not an archive day: ${firstIssue(parsed.error)}` };
  if (parsed.data.day !== date) return { problem: `${file} holds the day ${parsed.data.day}, not ${date}` };
  if (Date.parse(parsed.data.closedAt) < endOfUtcDate(date)) return { problem: `${file} says it closed at ${parsed.data.closedAt}, before the day ended` };
  return { file, bytes, sha256: sha256Of(bytes), day: parsed.data };
}

/** The stored index, checked, with its exact bytes (what its signature covers). */
export async function readIndex(store: SnapshotStorePort, signal?: AbortSignal): Promise<(ArchiveIndex & { bytes: string }) | Problem | null> {
  const bytes = await store.get(archiveIndexFileName, signal);
  if (bytes === null) return null;
  const json = parseJson(archiveIndexFileName, bytes);
  if ('problem' in json) return json;
  const parsed = parseArchiveIndex(json.value);
  if (!parsed.success) return { problem: `${archiveIndexFileName} is not an archive index: ${firstIssue(parsed.error)}` };
  const index = parsed.data;
  const days = index.days;
  const ordered = days.every((entry, at) => at === 0 || days[at - 1]!.day < entry.day);
  if (!ordered || index.first !== days[0]!.day || index.last !== days.at(-1)!.day || index.count !== days.length || index.head !== days.at(-1)!.sha256) {
    return { problem: `${archiveIndexFileName} contradicts itself (its days out of order, or first, last, count or head not those of its list)` };
  }
  return { ...index, bytes };
}

/** The day before `date`, in the calendar. */
export const dayBefore = (date: string) => new Date(endOfUtcDate(date) - 2 * 86_400_000).toISOString().slice(0, 10);

/**
 * The index lost (deleted, or not valid JSON): the chain that ends at `newest` rebuilt by following
 * `prev` back, one read per day, to the day whose prev is null. The days themselves are the record;
 * the index is only derived from them. A link that cannot be followed (a gap in the calendar, a
 * missing or altered day) stops it: the operator must restore the index.
 */
export async function followChainBack(store: SnapshotStorePort, newest: StoredDay, signal?: AbortSignal): Promise<ArchiveIndexEntry[] | Problem> {
  const entries: ArchiveIndexEntry[] = [{ day: newest.day.day, sha256: newest.sha256 }];
  let current = newest;
  while (current.day.prev !== null) {
    const before = await readDay(store, dayBefore(current.day.day), signal);
    if (before === null || 'problem' in before || before.sha256 !== current.day.prev) {
      const why = before === null ? 'is missing' : 'problem' in before ? `is unreadable (${before.problem})` : 'does not have the SHA-256 its prev names';
      return { problem: `the chain before ${current.file} cannot be followed: the day before it ${why}; restore ${archiveIndexFileName}` };
    }
    entries.unshift({ day: before.day.day, sha256: before.sha256 });
    current = before;
  }
  return entries;
}
