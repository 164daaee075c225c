// A worker started with a rotated-in key goes on from the archive its previous key signed only as the
// rotation statements fixed it (each one's `archive`: the index's last day and head then). An index
// that another key signed and that ends elsewhere was rolled back or extended by someone holding a
// retired key: every reader refuses it (shared/key-chain.ts), and so would they what this worker
// added to it. Read once, when the archivist loads the chain.
import type { ArchiveIndexEntry } from '../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, keyRotationsFileName, signatureFileName } from '../shared/archive-files.ts';
import { lostFixedDay, notYetInForce, resolveKeyChain, signsDay } from '../shared/key-chain.ts';
import { parseDetachedJws, utf8, verifyEd25519 } from '../shared/jws.ts';
import type { SnapshotStorePort } from '../shared/ports.ts';
import { sha256Of } from './archive-chain.ts';
import type { Signer } from './signing-key.ts';

/** A stored file's JSON; null when absent or not JSON (the statements' reader then finds no chain). */
async function readJson(store: SnapshotStorePort, name: string, signal?: AbortSignal): Promise<unknown> {
  const text = await store.get(name, signal);
  try {
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

/** The key chain the published statements make to this worker's key (shared/key-chain.ts), or why there is none. */
const chainTo = async (store: SnapshotStorePort, signer: Signer, signal?: AbortSignal) =>
  resolveKeyChain({ published: signer.publicJwk, rotations: await readJson(store, keyRotationsFileName, signal), pinned: null });

/**
 * Whether a stored day another key signed (`jws`, over `bytes`) is one a retired key of the chain to
 * this key signed while in force and before its rotation fixed the archive: taken as it is (a lost
 * index rebuilt after a rotation finds the old key's days), never signed again.
 */
async function signedWhileInForce(store: SnapshotStorePort, signer: Signer, day: { day: string; closedAt: string }, bytes: string, jws: string, signal?: AbortSignal): Promise<boolean> {
  const signed = parseDetachedJws(jws);
  const chain = typeof signed === 'string' ? null : await chainTo(store, signer, signal);
  if (chain === null || 'kind' in chain || typeof signed === 'string') return false;
  const closedAt = Date.parse(day.closedAt);
  const window = chain.keys.find((key) => key.kid === signed.kid && key.kid !== signer.kid && closedAt >= key.from && closedAt < key.until);
  // a day a statement fixed must be the day it fixed (a holder of the retired key may have re-signed another)
  const fixed = chain.archivedAt.find((archived) => archived.day === day.day);
  const allowed = window !== undefined && signsDay(window, day.day) && (fixed === undefined || fixed.sha256 === sha256Of(bytes));
  return allowed && (await verifyEd25519(window.key, signed.header64, utf8(bytes), signed.signature));
}

/** Whether `jws` is this key's signature of `bytes`, or a retired key's made in force (signedWhileInForce). */
export async function signedByChain(store: SnapshotStorePort, signer: Signer, day: { day: string; closedAt: string }, bytes: string, jws: string | null, signal?: AbortSignal): Promise<boolean> {
  return jws !== null && (jws === signer.sign(bytes) || (await signedWhileInForce(store, signer, day, bytes, jws, signal)));
}

/**
 * From when this worker's key signs by the published statements (its takeover; -Infinity without
 * statements, or when they make no chain to it): a day that closed before then is a retired key's to
 * sign, and one this key signed would be refused by every reader for good (shared/key-chain.ts).
 */
export async function signsFrom(store: SnapshotStorePort, signer: Signer, signal?: AbortSignal): Promise<number> {
  const chain = await chainTo(store, signer, signal);
  return chain === null || 'kind' in chain ? -Infinity : (notYetInForce(chain, signer.kid, -Infinity) ?? -Infinity);
}

/**
 * Why not to go on (`problem`; `wait`: until the statements are published, read again at the next
 * call), or whether the index must be signed again by this key (`resign`).
 */
export type Handover = { problem: string; wait?: true } | { resign: boolean };

/**
 * Whether this worker may go on from the stored index, signed by key `indexKid`: when that is not
 * this worker's key, the statements must hand over from it to this one, the index must still list
 * each day they fixed as they fixed it, and each day after the last one fixed must be this key's (one
 * it archived before its index's signature failed: the index is then signed again, `resign`).
 */
export async function checkHandover(store: SnapshotStorePort, signer: Signer | null, entries: readonly ArchiveIndexEntry[], indexKid: string | null, signal?: AbortSignal): Promise<Handover> {
  if (signer === null || indexKid === null || indexKid === signer.kid) return { resign: false };
  const refuse = (why: string) => ({ problem: `${archiveIndexFileName} is signed by key ${indexKid}, ${why}: every reader refuses what this worker would add to it, and archiving stops until it is restored` });
  const chain = await chainTo(store, signer, signal);
  if (chain === null || 'kind' in chain || !chain.keys.some((key) => key.kid === indexKid)) {
    const why = `${archiveIndexFileName} is signed by key ${indexKid}, which no rotation statement (${keyRotationsFileName}) hands over to this worker's key ${signer.kid}`;
    return { problem: `${why}: archiving waits until statements that do are published (rotate-signing-key)`, wait: true };
  }
  const lost = lostFixedDay(chain, entries);
  if (lost) return refuse(`and no longer lists ${lost.day} as a rotation statement fixed it (SHA-256 ${lost.sha256}): it was rolled back or rewritten`);
  // the days after the last one the index's key may sign by the statements (none when they fix nothing)
  const window = chain.keys.findLast((key) => key.kid === indexKid)!;
  const fixedTo = window.lastDay;
  const later = entries.filter((entry) => !signsDay(window, entry.day));
  for (const entry of later) {
    const file = archiveDayFileName(entry.day);
    const bytes = await store.get(file, signal);
    const ours = bytes !== null && sha256Of(bytes) === entry.sha256 && (await store.get(signatureFileName(file), signal)) === signer.sign(bytes);
    if (!ours) return refuse(`and lists ${entry.day}, after the day its rotation fixed (${fixedTo || 'none'}), which this key did not sign: someone holding the retired key extended it`);
  }
  return { resign: later.length > 0 };
}
