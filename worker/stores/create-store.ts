// The store for a destination. The AWS SDK (tens of megabytes resident) is loaded only when the
// destination is a bucket: a worker that writes files never loads it.
import type { SnapshotStorePort } from '../../shared/ports.ts';
import type { Destination } from '../config.ts';
import { createFileSnapshotStore } from './file-snapshot-store.ts';

export type StoreSettings = { s3Endpoint?: string; s3ForcePathStyle: boolean; cacheControl: string };

export async function createStore(destination: Destination, settings: StoreSettings): Promise<{ store: SnapshotStorePort; close(): void }> {
  if (destination.kind === 'file') return { store: createFileSnapshotStore(destination.path), close() {} };
  const [{ S3Client }, { createS3SnapshotStore }] = await Promise.all([import('@aws-sdk/client-s3'), import('./s3-snapshot-store.ts')]);
  const client = new S3Client({
    endpoint: settings.s3Endpoint,
    forcePathStyle: settings.s3ForcePathStyle,
    // S3-compatible stores often have no notion of region and reject the newer flexible checksums.
    ...(settings.s3Endpoint && {
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  });
  return { store: createS3SnapshotStore(client, { ...destination, cacheControl: settings.cacheControl }), close: () => client.destroy() };
}
