// How a day joins the archive's chain, for the archivist (worker/archive.ts): the chain loaded (the
// index and the last day) or recovered from the days themselves, what a key finds unsigned signed
// (worker/archive-backfill.ts), and a day created or taken as another writer stored it. Every step
// takes the archivist's one state object (worker/archive-state.ts); a problem that must stop
// archiving goes through stop() and leaves state.broken set.
import type { ArchiveDay, ArchiveIndexEntry, ClosedDay } from '../shared/archive-contract.ts';
import { archiveLimits, serializeArchiveDay } from '../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, endOfUtcDate, signatureFileName } from '../shared/archive-files.ts';
import { archiveDifferences, incidentDifferences } from '../shared/archive-history.ts';
import { checkDay, dayBefore, followChainBack, readDay, readIndex, type StoredDay } from './archive-chain.ts';
import { backfillSignatures, rebuiltFrom } from './archive-backfill.ts';
import { checkHandover, signedByChain } from './archive-handover.ts';
import { ensureSignature, kidOf, lacksOwnSignature, refuseToSign, stop, type ArchivistState, type Chain } from './archive-state.ts';

export type { ArchivistDeps, ArchivistState } from './archive-state.ts';
export { stop } from './archive-state.ts';

/** The archive stands; a differing count is said once per day and process. */
export function compareWithArchive(state: ArchivistState, counted: ClosedDay, stored: ArchiveDay) {
  const differences = archiveDifferences(counted, stored);
  if (differences.length === 0 || state.mismatched.has(stored.day)) return;
  state.mismatched.add(stored.day);
  state.logger.warn('archive_mismatch', {
    day: stored.day,
    file: archiveDayFileName(stored.day),
    differences: differences.slice(0, 20),
    problem: `the worker now counts ${stored.day} differently from its archive (rows deleted or pruned since?): the archived figures stand`,
  });
}

/** The index and the last day (only those): the chain's head, and the days' hashes from the index. */
export async function load(state: ArchivistState, days: readonly ClosedDay[], signal?: AbortSignal): Promise<Chain | null> {
  state.waiting = null;
  const index = await readIndex(state.store, signal);
  if (index !== null && !('problem' in index)) {
    const last = await readDay(state.store, index.last, signal);
    if (last === null || 'problem' in last || last.sha256 !== index.head) {
      const why = last === null ? 'is missing' : 'problem' in last ? last.problem : `has the SHA-256 ${last.sha256}, not the head ${index.head} the index names`;
      return stop(state, 'archive_broken', `the last archived day ${archiveDayFileName(index.last)} ${why}: archiving stops until it is restored`, { file: archiveDayFileName(index.last) });
    }
    state.archived.set(last.day.day, last.day);
    const indexJws = state.signer ? await state.store.get(signatureFileName(archiveIndexFileName), signal) : null;
    const handover = await checkHandover(state.store, state.signer, index.days, kidOf(indexJws), signal);
    if ('wait' in handover) {
      state.waiting = handover.problem;
      state.logger.error('archive_waiting', { problem: handover.problem, file: archiveIndexFileName });
      return null;
    }
    if ('problem' in handover) return stop(state, 'archive_broken', handover.problem, { file: archiveIndexFileName });
    if (!(await backfillSignatures(state, index.days, last, { bytes: index.bytes, jws: indexJws, resign: handover.resign }, signal))) return null;
    state.indexUnsigned = handover.resign || lacksOwnSignature(state, index.bytes, indexJws);
    // the index is signed again only over a head this key signed: an entry appended by hand is not vouched for
    if (state.indexUnsigned && (await state.store.get(signatureFileName(last.file), signal)) !== state.signer!.sign(last.bytes)) {
      return refuseToSign(state, archiveIndexFileName, `its last day ${last.file} is not signed by this key`, []);
    }
    return { entries: index.days, updatedAt: index.updatedAt };
  }
  if (index !== null) state.logger.error('archive_index_invalid', { file: archiveIndexFileName, problem: index.problem, action: 'rebuilding it from the archived days' });
  return recover(state, days, signal);
}

/** No usable index: the chain is found from the days themselves (see followChainBack), or is new. */
async function recover(state: ArchivistState, days: readonly ClosedDay[], signal?: AbortSignal): Promise<Chain | null> {
  const oldest = days[0]?.date;
  if (oldest === undefined) return { entries: [], updatedAt: null };
  // the oldest day given, or the day before it: the chain ends there when the keeper's days begin after it
  const found = (await readDay(state.store, oldest, signal)) ?? (await readDay(state.store, dayBefore(oldest), signal));
  if (found === null) return { entries: [], updatedAt: null };
  if ('problem' in found) return stop(state, 'archive_broken', found.problem);
  const entries = await followChainBack(state.store, found, signal);
  if ('problem' in entries) return stop(state, 'archive_broken', entries.problem);
  // a day whose signature failed with the index: vouched for by this worker's count, if it still counts it
  const counted = vouchProblem(found.day, days.find((day) => day.date === found.day.day) ?? null, state.clock().getTime()) === null;
  const rebuilt = await rebuiltFrom(state, entries, found, counted, signal);
  if (rebuilt === null) return null;
  if (rebuilt.length === 0) return { entries: [], updatedAt: null };
  state.logger.warn('archive_index_rebuilt', { file: archiveIndexFileName, first: rebuilt[0]!.day, last: rebuilt.at(-1)!.day, count: rebuilt.length });
  if (rebuilt.length === entries.length) state.archived.set(found.day.day, found.day);
  return { entries: [...rebuilt], updatedAt: null };
}

/** How much later than this worker's clock a day another writer stored may say it closed: two replicas, each as far off the database's clock as CLOCK_SKEW_LIMIT_SECONDS allows (an hour at most). */
const closedAtSlackMs = 2 * 3_600_000;

/**
 * Why this worker may not sign a day it did not sign itself, or null. Its signature says "these are
 * the figures I counted", so the day must have ended and closed by this clock, and hold the counts,
 * spend and incidents this worker counts for it (names may have changed since, and an incident it
 * holds open may have resolved: a writer stopped between the day and its signature); else whoever can
 * write to the bucket could have it sign figures it never counted.
 */
function vouchProblem(day: ArchiveDay, counted: ClosedDay | null, now: number): string | null {
  if (endOfUtcDate(day.day) > now) return `${day.day} has not ended by this worker's clock`;
  if (Date.parse(day.closedAt) > now + closedAtSlackMs) return `it says it closed at ${day.closedAt}, later than this worker's clock allows`;
  if (counted === null) return 'this worker has not counted that day (its days begin after it)';
  const differences = archiveDifferences(counted, day).length;
  if (differences > 0) return `its counts or spend are not this worker's count of the day (${differences} differ)`;
  const incidents = incidentDifferences(counted, day);
  return incidents.length > 0 ? `its incidents are not those this worker counts (${incidents.slice(0, 5).join(', ')})` : null;
}

/**
 * Whether this worker may sign a day another writer stored. One already signed by this key was vouched
 * for by a replica of this deployment (Ed25519 is deterministic: the same bytes, the same signature),
 * and a later count that differs is only said (compareWithArchive); one unsigned must pass
 * vouchProblem. Without a key, nothing is vouched for: the day is taken, and readers say "not signed".
 */
async function vouchFor(state: ArchivistState, taken: StoredDay, counted: ClosedDay | null, signal?: AbortSignal): Promise<boolean> {
  const { store, signer, clock } = state;
  const jws = signer && (await store.get(signatureFileName(taken.file), signal));
  if (!signer || (await signedByChain(store, signer, taken.day, taken.bytes, jws, signal))) {
    if (counted) compareWithArchive(state, counted, taken.day);
    return true;
  }
  // another key's signature stays (signatures are created, never replaced), and after a rotation every
  // reader refuses a day the retired key signed after the day its statement fixed
  const kid = kidOf(jws);
  if (kid !== null && kid !== signer.kid) {
    const problem = `${taken.file} carries a signature by another key (${kid}), which this worker cannot replace: archiving stops until it is checked (removed, if no replica of this deployment wrote it)`;
    return Boolean(stop(state, 'archive_day_not_vouched', problem, { file: taken.file }));
  }
  const why = vouchProblem(taken.day, counted, clock().getTime());
  return why === null || Boolean(refuseToSign(state, taken.file, why, counted ? archiveDifferences(counted, taken.day) : []));
}

/** A day written by someone else (another replica, an earlier run): taken when it continues the chain. */
function adopt(state: ArchivistState, file: string, date: string, bytes: string, head: ArchiveIndexEntry | undefined): StoredDay | null {
  const stored = checkDay(file, date, bytes);
  if ('problem' in stored) return stop(state, 'archive_broken', stored.problem, { file });
  if (stored.day.prev !== (head?.sha256 ?? null)) {
    // Another chain: this process's view is behind, or another writer forked it. Nothing is written;
    // the next call rereads the index, and the outcome names the problem until a reread resolves it.
    state.waiting = `${file} continues another head than ${head?.day ?? 'none'}: the index is read again at the next call`;
    if (state.conflict !== state.waiting) state.logger.warn('archive_chain_conflict', { file, problem: state.waiting });
    state.conflict = state.waiting;
    state.chain = null;
    return null;
  }
  return stored;
}

/** Takes a day found between the index's head and the next day to archive (the index lagged); false to stop. */
export async function adoptFound(state: ArchivistState, found: StoredDay | { problem: string }, signal?: AbortSignal): Promise<boolean> {
  if ('problem' in found) return Boolean(stop(state, 'archive_broken', found.problem));
  const taken = adopt(state, found.file, found.day.day, found.bytes, state.chain?.entries.at(-1));
  if (taken === null || !(await vouchFor(state, taken, null, signal))) return false;
  state.archived.set(taken.day.day, taken.day);
  await ensureSignature(state, taken.file, taken.bytes, signal);
  state.chain!.entries.push({ day: taken.day.day, sha256: taken.sha256 });
  state.logger.info('archive_day_adopted', { day: taken.day.day, file: taken.file, sha256: taken.sha256, signed: state.signer !== null });
  return true;
}

/** Creates the day (or takes the one already there), reads it back, and signs what is stored. */
export async function appendDay(state: ArchivistState, day: ClosedDay, head: ArchiveIndexEntry | undefined, signal?: AbortSignal): Promise<'created' | 'adopted' | null> {
  const { store, logger } = state;
  const file = archiveDayFileName(day.date);
  const bytes = serializeArchiveDay(day, head?.sha256 ?? null);
  if (Buffer.byteLength(bytes) > archiveLimits.dayBytes) return stop(state, 'archive_day_too_large', `${file} would be ${Buffer.byteLength(bytes)} bytes, over ${archiveLimits.dayBytes}`, { file });
  const invalid = checkDay(file, day.date, bytes);
  if ('problem' in invalid) return stop(state, 'archive_day_invalid', invalid.problem, { file });
  let stored = await store.get(file, signal);
  let outcome: 'created' | 'adopted' = 'adopted';
  if (stored === null && (await store.create(file, bytes, signal)) === 'created') {
    stored = await store.get(file, signal);
    outcome = 'created';
    if (stored !== bytes) {
      logger.error('archive_store_not_exclusive', {
        file,
        store: store.description,
        problem: `${file} read back differs from what this worker created: the store does not honour exclusive creates (If-None-Match), so racing writers can replace each other's days`,
      });
      outcome = 'adopted';
    }
  } else stored ??= await store.get(file, signal);
  if (stored === null) return stop(state, 'archive_broken', `${file} was reported present but cannot be read`, { file });
  const taken = outcome === 'created' ? checkDay(file, day.date, stored) : adopt(state, file, day.date, stored, head);
  if (taken === null || 'problem' in taken) return null;
  if (outcome === 'adopted' && !(await vouchFor(state, taken, day, signal))) return null;
  state.archived.set(day.date, taken.day);
  await ensureSignature(state, file, stored, signal);
  logger.info(outcome === 'created' ? 'archive_day_archived' : 'archive_day_adopted', { day: day.date, file, sha256: taken.sha256, signed: state.signer !== null });
  state.chain!.entries.push({ day: day.date, sha256: taken.sha256 });
  return outcome;
}
