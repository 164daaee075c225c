// governance-archive/recent.json: the newest archived days (at most a year) with their signatures and
// the index with its own, in one file, so the page verifies a year with one request. Written by the
// archivist right after the index, so only when a day is archived. The cost is flat: the previous
// bundle is read once and its days are kept where the index still lists their hash; only a day it
// lacks (the new ones, or all of them the first time) is read from the store, with its signature.
import { archiveLimits, parseArchiveRecent, type ArchiveIndexEntry, type ArchiveRecent } from '../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, archiveRecentDays, archiveRecentFileName, keyRotationsFileName, signatureFileName } from '../shared/archive-files.ts';
import type { SnapshotStorePort } from '../shared/ports.ts';
import { sha256Of } from './archive-chain.ts';

type RecentDay = ArchiveRecent['days'][number];
/** The index just written (its exact bytes, signature and entries) and the public key's file, null without a key. */
export type RecentRecord = { entries: readonly ArchiveIndexEntry[]; index: string; indexSignature: string | null; updatedAt: string; signingKey: string | null };

/**
 * The previous bundle's days by date, each only where its bytes still have the hash the index lists
 * and, in a signed record, where it carries a signature (a copy from before a key was set has none:
 * the day's signature is read again).
 */
async function previousDays(store: SnapshotStorePort, wanted: ReadonlyMap<string, string>, signed: boolean, signal?: AbortSignal): Promise<Map<string, RecentDay>> {
  const kept = new Map<string, RecentDay>();
  const text = await store.get(archiveRecentFileName, signal);
  if (text === null) return kept;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return kept; // a broken bundle is rebuilt from the days themselves
  }
  const parsed = parseArchiveRecent(value);
  if (!parsed.success) return kept;
  for (const day of parsed.data.days) if (wanted.get(day.day) === sha256Of(day.bytes) && (day.signature !== null || !signed)) kept.set(day.day, day);
  return kept;
}

/**
 * The bundle's body for the index `entries` (whose exact bytes are `index`, signed by
 * `indexSignature`): the newest days, oldest first. A day that cannot be read as the index lists it
 * ends the bundle there (the days after it stay): the reader then checks fewer days, never wrong ones.
 */
export async function buildRecentBundle(
  store: SnapshotStorePort,
  record: RecentRecord,
  signal?: AbortSignal,
): Promise<string> {
  const newest = record.entries.slice(-archiveRecentDays);
  const wanted = new Map(newest.map((entry) => [entry.day, entry.sha256]));
  const kept = await previousDays(store, wanted, record.indexSignature !== null, signal);
  const days: RecentDay[] = [];
  let size = Buffer.byteLength(record.index);
  for (const entry of [...newest].reverse()) {
    let day = kept.get(entry.day);
    if (!day) {
      const file = archiveDayFileName(entry.day);
      const bytes = await store.get(file, signal);
      if (bytes === null || sha256Of(bytes) !== entry.sha256) break;
      day = { day: entry.day, bytes, signature: await store.get(signatureFileName(file), signal) };
    }
    size += Buffer.byteLength(day.bytes) + (day.signature?.length ?? 0);
    if (size > archiveLimits.recentBytes) break;
    days.unshift(day);
  }
  // the rotation statements are published by the operator (README, key rotation): read as they are
  const keyRotations = await store.get(keyRotationsFileName, signal);
  const { updatedAt, index, indexSignature, signingKey } = record;
  const bundle: ArchiveRecent = { schemaVersion: 1, updatedAt, index, indexSignature, signingKey, keyRotations, days };
  return `${JSON.stringify(bundle)}\n`;
}

/** Writes the bundle of the index just written (its exact bytes and signature). */
export async function publishRecentBundle(
  store: SnapshotStorePort,
  record: RecentRecord,
  signal?: AbortSignal,
): Promise<void> {
  await store.put(archiveRecentFileName, await buildRecentBundle(store, record, signal), signal);
}

/**
 * Once per process, when no day was archived: a bundle missing (a worker that predates it, a deleted
 * file) or not of the stored index (a writer stopped between the two) is written again.
 */
export async function refreshRecentBundle(
  store: SnapshotStorePort,
  known: { entries: readonly ArchiveIndexEntry[]; updatedAt: string | null; signingKey: string | null },
  signal?: AbortSignal,
): Promise<boolean> {
  const index = await store.get(archiveIndexFileName, signal);
  if (index === null || known.updatedAt === null) return false;
  const stored = await store.get(archiveRecentFileName, signal);
  const indexSignature = await store.get(signatureFileName(archiveIndexFileName), signal);
  let current = false;
  try {
    const bundle = stored === null ? null : JSON.parse(stored);
    current = bundle?.index === index && bundle.indexSignature === indexSignature && bundle.signingKey === known.signingKey;
  } catch {
    // rewritten below
  }
  if (current) return false;
  await publishRecentBundle(store, { entries: known.entries, index, indexSignature, updatedAt: known.updatedAt, signingKey: known.signingKey }, signal);
  return true;
}
