// The archivist's one state object, and the few steps on it that every part of archiving shares:
// stopping (a problem that must stop archiving leaves state.broken set), refusing to sign a day, and
// creating a signature. worker/archive-append.ts joins days to the chain; worker/archive-backfill.ts
// signs what a key finds unsigned.
import type { ArchiveDay, ArchiveIndexEntry } from '../shared/archive-contract.ts';
import { signatureFileName } from '../shared/archive-files.ts';
import type { ArchiveDifference } from '../shared/archive-history.ts';
import { parseDetachedJws } from '../shared/jws.ts';
import type { Clock, Logger, SnapshotStorePort } from '../shared/ports.ts';
import type { Signer } from './signing-key.ts';

export type ArchivistDeps = { store: SnapshotStorePort; signer: Signer | null; logger: Logger; clock: Clock };

export type Chain = { entries: ArchiveIndexEntry[]; updatedAt: string | null };

/** What one archivist knows between calls, besides its deps; it lives as long as the process. */
export type ArchivistState = ArchivistDeps & {
  /** the public key's file body, for recent.json; null without a signer */
  signingKey: string | null;
  /** the chain as this process knows it; null until read (index and last day), and after a surprise */
  chain: Chain | null;
  /** a reason to stop archiving until restarted: something archived is not what it must be */
  broken: string | null;
  /** why archiving could not go on, to be read again at the next call (the statements not yet published, a day on another chain), or null */
  waiting: string | null;
  /** the archived days this process has read or written, by date: each is read once */
  archived: Map<string, ArchiveDay>;
  /** days whose differing count was already logged (archive_mismatch is said once per day) */
  mismatched: Set<string>;
  /** days already logged as refused (archive_day_refused is said once per day) */
  refused: Set<string>;
  /** whether governance-archive/recent.json was written or found current by this process */
  recentChecked: boolean;
  /** the stored index lacks this key's signature of its bytes (a key set later, a writer stopped between the two): written again */
  indexUnsigned: boolean;
  /** the index bytes whose every listed day was read before signing it (signListed): not read again at a reload */
  listingChecked: string | null;
  /** the day of another chain last logged (archive_chain_conflict is said once while it stands), or null */
  conflict: string | null;
};

/** Archiving stops until restarted; returns null so a step can `return stop(...)`. */
export function stop(state: ArchivistState, event: string, problem: string, fields: Record<string, unknown> = {}): null {
  state.broken = problem;
  state.logger.error(event, { problem, ...fields });
  return null;
}

export async function ensureSignature({ store, signer }: ArchivistState, file: string, bytes: string, signal?: AbortSignal) {
  // Ed25519 is deterministic: a racing writer with the same key creates the very same signature.
  if (signer) await store.create(signatureFileName(file), signer.sign(bytes), signal);
}

/** The key a detached JWS names (its kid), or null when there is none or it is not one. */
export function kidOf(jws: string | null): string | null {
  const signed = jws === null ? null : parseDetachedJws(jws);
  return signed === null || typeof signed === 'string' ? null : signed.kid;
}

/**
 * Whether the stored index (its signature `jws`) lacks its signature by this worker's key: none at all
 * (a key set later), or one by this key over other bytes (a writer stopped between the index and its
 * .jws). An index signed by another key (the one before a rotation) stands: it signed it while in force.
 */
export function lacksOwnSignature({ signer }: ArchivistState, bytes: string, jws: string | null): boolean {
  if (!signer || jws === signer.sign(bytes)) return false;
  const kid = kidOf(jws);
  return kid === null || kid === signer.kid;
}

/** Stops archiving for a day this worker may not sign (vouchProblem): left unsigned, named. */
export function refuseToSign(state: ArchivistState, file: string, why: string, differences: ArchiveDifference[]): null {
  const problem = `${file} is not signed by this worker's key, and ${why}: it is not signed, and archiving stops until it is checked (removed, if no replica of this deployment wrote it)`;
  return stop(state, 'archive_day_not_vouched', problem, { file, differences: differences.slice(0, 20) });
}
