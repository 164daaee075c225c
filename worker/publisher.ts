// The tick published: the snapshot built (build-snapshot.ts), the signing key checked, the snapshot
// and the files beside it written (publish.ts), then the closed days archived (record.ts).
import { archiveIndexFileName } from '../shared/archive-files.ts';
import type { Clock, GovernanceStatusPort, Logger, SnapshotStorePort } from '../shared/ports.ts';
import { createArchivist } from './archive.ts';
import { createSnapshotBuilder, type SnapshotSettings } from './build-snapshot.ts';
import { createKeyInForce } from './key-in-force.ts';
import { createFilePublisher, type PublishResult, type PublishSettings } from './publish.ts';
import { createArchiveRecord } from './record.ts';
import { publishedDataAsOf, readAnnounced } from './side-files.ts';

export type SnapshotDeps = {
  source: GovernanceStatusPort;
  store: SnapshotStorePort;
  clock: Clock;
  logger: Logger;
};

/** Builds a snapshot and publishes it with the files beside it (worker/publish.ts). A failure at any
 *  step throws before or without touching what the store already holds. */
export function createPublisher(deps: SnapshotDeps, settings: SnapshotSettings, publishing: PublishSettings = { feeds: null }) {
  const { store, logger } = deps;
  const record = createArchiveRecord(
    (clock) => createArchivist({ store, signer: publishing.signer ?? null, logger, clock }),
    async (signal) => (await store.contentHash(archiveIndexFileName, signal)) !== null,
  );
  const builder = createSnapshotBuilder(deps.source, settings, logger, {
    record,
    announced: (signal) => readAnnounced(store, logger, signal),
    publishedAsOf: async (signal) => publishedDataAsOf(await store.get(store.snapshotName, signal)),
  });
  const files = createFilePublisher(store, publishing, logger, deps.clock);
  const keyInForce = createKeyInForce(store, publishing.signer ?? null, logger);
  const publish = async function publishSnapshot(signal?: AbortSignal): Promise<PublishResult & { skewMs: number }> {
    const started = performance.now();
    const built = await builder.build(deps.clock(), signal);
    await keyInForce.check(built.snapshot.generatedAt, signal);
    signal?.throwIfAborted();
    const result = await files.publish(built, signal);
    // the closed days, once the snapshot is out: a slow bucket delays the archive, never the status
    if (result.outcome === 'written') {
      builder.written();
      await record.keepWithin(built.toArchive, (publishing.timeoutMs ?? 30_000) - (performance.now() - started) - 1_000, signal);
      // an archive that cannot take the closed days is said where a side file that fails is: the next snapshot, /healthz, /metrics
      files.noteBehind(archiveIndexFileName, record.problem() === null ? null : built.snapshot.generatedAt);
    }
    return { ...result, skewMs: built.skewMs };
  };
  return Object.assign(publish, {
    reset: () => {
      builder.reset();
      files.reset();
      keyInForce.reset();
    },
  });
}
