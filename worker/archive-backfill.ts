// What a key signs as found (worker/archive-append.ts load() and recover()): a record nobody signed (a
// key set later), the rest of a backfill cut short, and nothing else. Before it signs an index it did
// not write, it reads every listed day, so that a listing someone made up is never signed.
import type { ArchiveIndexEntry } from '../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, signatureFileName } from '../shared/archive-files.ts';
import { checkDay, readDay, sha256Of, type StoredDay } from './archive-chain.ts';
import { signedByChain, signsFrom } from './archive-handover.ts';
import { ensureSignature, kidOf, lacksOwnSignature, refuseToSign, stop, type ArchivistState } from './archive-state.ts';

/**
 * Signs the listed days this key may sign that have no signature yet; false when it stopped. Only
 * over a listing it checked whole (each day as the index lists it, continuing the one before), and
 * only for a record nobody signed (a key set later: the days are signed as found, which is also what
 * a record whose every signature was deleted looks like) or one whose last day this key signed but
 * whose index it did not (a backfill cut short, its index's signature failed, a rotation's days).
 */
export async function backfillSignatures(state: ArchivistState, entries: readonly ArchiveIndexEntry[], last: StoredDay, index: { bytes: string; jws: string | null; resign: boolean }, signal?: AbortSignal): Promise<boolean> {
  const { store, signer } = state;
  if (!signer) return true;
  const lastJws = await store.get(signatureFileName(last.file), signal);
  const resume = lastJws === signer.sign(last.bytes) && (index.resign || lacksOwnSignature(state, index.bytes, index.jws));
  if ((lastJws !== null && !resume) || state.listingChecked === index.bytes) return true;
  if (!resume && !(await neverSigned(state, entries, last, index.jws, signal))) return false;
  if (!(await signListed(state, entries, last, signal))) return false;
  state.listingChecked = index.bytes;
  return true;
}

/** Whether no key signed the record whose last day is unsigned; said and refused otherwise (a day appended by another writer). */
async function neverSigned(state: ArchivistState, entries: readonly ArchiveIndexEntry[], last: StoredDay, indexJws: string | null, signal?: AbortSignal): Promise<boolean> {
  if (kidOf(indexJws) === state.signer!.kid) {
    return Boolean(refuseToSign(state, last.file, 'the index this key signed does not end with it (a day appended by another writer)', []));
  }
  for (const entry of entries) {
    const file = archiveDayFileName(entry.day);
    if (file === last.file || (await state.store.get(signatureFileName(file), signal)) === null) continue;
    // a replica with the same key that backfilled meanwhile signed the last day first: take its turn
    if ((await state.store.get(signatureFileName(last.file), signal)) === state.signer!.sign(last.bytes)) return true;
    return Boolean(refuseToSign(state, last.file, `the record before it is signed (${file}), so it was appended unsigned by another writer`, []));
  }
  return true;
}

/**
 * Reads the listed days newest first and signs those without a signature; false when it stopped. A
 * key set later finds them all unsigned, a backfill cut short the oldest ones (it signs newest first):
 * an unsigned day with a signed one below it had its signature removed, and is not this key's to sign.
 * A day that does not continue the one listed before it means the listing is not the days' chain:
 * archiving stops. One day missing or altered is said; below it nothing ties the listing to the head
 * but signatures, so every day there must already carry this key's (or a retired key's, in force), and
 * a second such day stops archiving. One that closed before a rotated-in key took over is never signed by it.
 */
async function signListed(state: ArchivistState, entries: readonly ArchiveIndexEntry[], last: StoredDay, signal?: AbortSignal): Promise<boolean> {
  const { store, signer, logger } = state;
  const from = await signsFrom(store, signer!, signal);
  const unsigned: Array<{ file: string; bytes: string }> = [];
  let hole: string | null = null;
  for (const [at, entry] of [...entries.entries()].reverse()) {
    const file = archiveDayFileName(entry.day);
    const bytes = entry.day === last.day.day ? last.bytes : await store.get(file, signal);
    const day = bytes === null || sha256Of(bytes) !== entry.sha256 ? null : checkDay(file, entry.day, bytes);
    if (day === null || 'problem' in day) {
      // one day lost is tied from above (the day after it names it); below it, only signatures tie the listing
      if (hole !== null) return Boolean(stop(state, 'archive_day_altered', `${file} and ${hole} are missing or differ from the SHA-256s ${archiveIndexFileName} lists: nothing ties the days below them to the head, so the index is not signed; restore them`, { file }));
      logger.error('archive_day_altered', { file, problem: `${file} is missing or differs from the SHA-256 the index lists: not signed` });
      hole = file;
      continue;
    }
    if (day.day.prev !== (entries[at - 1]?.sha256 ?? null)) {
      return Boolean(stop(state, 'archive_day_altered', `${file} does not continue the day ${archiveIndexFileName} lists before it: the listing is not the days' chain, it is not signed, and archiving stops until it is restored`, { file }));
    }
    const jws = await store.get(signatureFileName(file), signal);
    if (hole !== null) {
      if (!(await signedByChain(store, signer!, day.day, bytes!, jws, signal))) return Boolean(stop(state, 'archive_day_altered', `${file} lies below ${hole}, which is missing or altered, and is not signed by this key: nothing ties it to the head, so the index is not signed; restore ${hole}`, { file }));
      continue;
    }
    if (jws === null && Date.parse(day.day.closedAt) < from) {
      return Boolean(stop(state, 'archive_day_not_vouched', `${file} closed before this key took over, and its signature by the retired key is missing: restore it (this key may not sign it)`, { file }));
    }
    if (jws === null) unsigned.push({ file, bytes: bytes! });
    else if (unsigned.length > 0) {
      return Boolean(stop(state, 'archive_day_not_vouched', `${unsigned.at(-1)!.file} has no signature, but ${file} before it has one: its signature was removed, and this key does not sign it as found; restore it`, { file: unsigned.at(-1)!.file }));
    }
  }
  for (const { file, bytes } of unsigned) await ensureSignature(state, file, bytes, signal);
  logger.info('archive_signatures_added', { count: unsigned.length, keyId: signer!.kid });
  return true;
}

/**
 * The chain rebuilt from the days (its index lost) that ends at `found`, or null when it stopped. Taken
 * when this key signed `found`, or a retired key did in force: its prev chain commits to every day
 * before it, and what a backfill cut short left unsigned is signed. An unsigned `found` whose day
 * before is so signed (or that is the first) is this worker's own day whose signature failed: signed
 * when its count vouches for it (`counted`), else left out (the history has moved past it, and no
 * index listed it). Anything else (unsigned days below unsigned ones) cannot be told from days a
 * writer without the key made up: archiving stops.
 */
export async function rebuiltFrom(state: ArchivistState, entries: readonly ArchiveIndexEntry[], found: StoredDay, counted: boolean, signal?: AbortSignal): Promise<readonly ArchiveIndexEntry[] | null> {
  const { store, signer } = state;
  if (!signer) return entries;
  const take = async () => ((await signListed(state, entries, found, signal)) ? entries : null);
  const jws = await store.get(signatureFileName(found.file), signal);
  if (jws !== null) {
    if (await signedByChain(store, signer, found.day, found.bytes, jws, signal)) return take();
  } else {
    const before = entries.at(-2);
    const below = before === undefined ? null : await readDay(store, before.day, signal);
    const belowSigned = async (day: StoredDay) => signedByChain(store, signer, day.day, day.bytes, await store.get(signatureFileName(day.file), signal), signal);
    const tied = before === undefined || (below !== null && !('problem' in below) && below.sha256 === before.sha256 && (await belowSigned(below)));
    if (tied && counted) {
      await ensureSignature(state, found.file, found.bytes, signal);
      return take();
    }
    if (tied) {
      state.logger.warn('archive_day_left_out', { file: found.file, problem: `${found.file} has no signature and is no longer a day this worker counts: it is left out of the rebuilt chain` });
      return entries.slice(0, -1);
    }
  }
  return stop(state, 'archive_broken', `${archiveIndexFileName} is lost, and ${found.file}, where the chain is rebuilt from, is not signed by this key: restore the index (days are signed as found only with it)`, { file: found.file });
}
