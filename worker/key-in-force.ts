// A rotation statement dates the new key's takeover by the clock of the machine that made it
// (rotate-signing-key), and a file's own time is the database's. When the first runs ahead of the
// second, a worker started with the new key would sign files dated before its takeover: verifiers
// refuse them, and an archived day is never written again. So nothing is published until the
// database's clock reaches the takeover; the last snapshot stays where it is, and the reason is said
// at each tick (snapshot_failed, /healthz).
import { keyRotationsFileName } from '../shared/archive-files.ts';
import { notYetInForce, resolveKeyChain, type KeyChain } from '../shared/key-chain.ts';
import type { Logger, SnapshotStorePort } from '../shared/ports.ts';
import type { Signer } from './signing-key.ts';
import { SnapshotError } from './validate.ts';

export function createKeyInForce(store: SnapshotStorePort, signer: Signer | null, logger: Logger) {
  // once in force, always: the database's time only moves on (read again by a replica that leads anew)
  let inForce = signer === null;
  return {
    /** Throws while the signer's key does not yet sign a file dated `at` (the tick's instant: the snapshot's generatedAt, the days' closedAt). */
    async check(at: string, signal?: AbortSignal): Promise<void> {
      if (inForce || signer === null) return;
      const chain = await publishedChain(store, signer, logger, signal);
      const from = chain && notYetInForce(chain, signer.kid, Date.parse(at));
      if (!from) return void (inForce = true);
      throw new SnapshotError(
        `not published: the signing key ${signer.kid} takes over at ${new Date(from).toISOString()} by its rotation statement (${keyRotationsFileName}), and the database's clock says ${at}: verifiers refuse a file it signs dated before then (an archived day for good), so the worker waits; the statement was dated by a clock ahead of the database's`,
      );
    },
    reset() {
      inForce = signer === null;
    },
  };
}

/** The chain the published statements make with this key as the published one; null (and said) when they make none. */
async function publishedChain(store: SnapshotStorePort, signer: Signer, logger: Logger, signal?: AbortSignal): Promise<KeyChain | null> {
  const text = await store.get(keyRotationsFileName, signal);
  if (text === null) return null;
  let problem: string;
  try {
    const chain = await resolveKeyChain({ published: signer.publicJwk, rotations: JSON.parse(text), pinned: null });
    if (chain !== null && !('kind' in chain)) return chain;
    problem = chain?.message ?? 'no key';
  } catch {
    problem = `${keyRotationsFileName} is not JSON`;
  }
  logger.error('key_rotations_invalid', { file: keyRotationsFileName, problem, keyId: signer.kid });
  return null;
}
