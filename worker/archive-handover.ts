// A worker started with a rotated-in key goes on from the archive its previous key signed only as the
// rotation statement fixed it (its `archive`: the index's last day and head then). An index that key
// signed which ends elsewhere was rolled back or extended by someone holding the retired key: every
// reader refuses it (shared/key-chain.ts), and so would they what this worker added to it.
import { archiveIndexFileName, keyRotationsFileName } from '../shared/archive-files.ts';
import type { SnapshotStorePort } from '../shared/ports.ts';
import type { Link } from '../shared/key-chain.ts';
import type { Signer } from './signing-key.ts';

/** The latest statement that retired key `kid`, verified; null when none does (or they cannot be read: said by worker/key-in-force.ts). */
async function retirement(store: SnapshotStorePort, kid: string, signal?: AbortSignal): Promise<Link | null> {
  const text = await store.get(keyRotationsFileName, signal);
  let list: unknown;
  try {
    list = text === null ? [] : (JSON.parse(text) as { rotations?: unknown }).rotations;
  } catch {
    return null;
  }
  if (!Array.isArray(list) || list.length === 0) return null;
  const { readLink } = await import('../shared/key-rotations.ts');
  let found: Link | null = null;
  for (const [at, value] of list.entries()) {
    const link = await readLink(value, at);
    if (typeof link !== 'string' && link.previous.kid === kid && link.next.kid !== kid) found = link;
  }
  return found;
}

/**
 * Why this worker must not go on from the stored index, signed by key `indexKid`, or null: another
 * key signed it, and the statement that retired that key fixed the archive at another day or head.
 */
export async function handedOverProblem(store: SnapshotStorePort, signer: Signer | null, index: { last: string; head: string }, indexKid: string | null, signal?: AbortSignal): Promise<string | null> {
  if (signer === null || indexKid === null || indexKid === signer.kid) return null;
  const fixed = (await retirement(store, indexKid, signal))?.archive;
  // no statement retired it (readers refuse the key), or one from before statements fixed the archive
  if (fixed === undefined || (fixed !== null && fixed.day === index.last && fixed.sha256 === index.head)) return null;
  return `${archiveIndexFileName} is signed by the retired key ${indexKid} and ends at ${index.last} (SHA-256 ${index.head}), but its rotation statement fixed the archive at ${fixed ? `${fixed.day} (SHA-256 ${fixed.sha256})` : 'no day'}: someone holding that key rolled it back or extended it, every reader refuses it, and archiving stops until it is restored`;
}
