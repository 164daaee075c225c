// The most bytes of each published file the worker ever writes (the contract's bounds), by its name,
// for the readers that read files by name (the verify command, the page's fetches). Apart from
// shared/archive-files.ts: the verification core, which the page bundles on its own, needs none of it.
import { archiveDayBytes, archiveFolder, archiveIndexBytes, archiveIndexFileName, archiveRecentBytes, archiveRecentFileName, archiveSignatureBytes, keyRotationsBytes, keyRotationsFileName, signingKeyBytes, signingKeyFileName } from './archive-files.ts';
import { historyFileName, limits, snapshotFileName } from './constants.ts';

/**
 * The most bytes of a published file the worker ever writes (the contract's bounds), by its name: a
 * reader reads no further, and never parses a larger one. A name it does not publish: the bundle's bound.
 */
export function publishedFileBound(name: string, snapshotName: string = snapshotFileName): number {
  if (name.endsWith('.jws')) return archiveSignatureBytes;
  if (name === snapshotName) return limits.snapshotBytes;
  if (name === archiveIndexFileName) return archiveIndexBytes;
  if (name === signingKeyFileName) return signingKeyBytes;
  if (name === keyRotationsFileName) return keyRotationsBytes;
  if (name === historyFileName) return limits.historyBytes;
  if (name !== archiveRecentFileName && name.startsWith(`${archiveFolder}/`)) return archiveDayBytes;
  return archiveRecentBytes;
}

