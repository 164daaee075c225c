// SnapshotStorePort on a local folder (a volume the web server or CDN origin serves). Each file is
// written to a temporary name in the same folder and renamed over the old one: rename is atomic
// within one file system, so a reader sees the old file or the new one, never half of one.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SnapshotStorePort } from '../../shared/ports.ts';

export function createFileSnapshotStore(snapshotPath: string): SnapshotStorePort {
  const folder = dirname(snapshotPath);
  return {
    description: `file://${snapshotPath}`,
    snapshotName: basename(snapshotPath),
    async put(name, body, signal) {
      await mkdir(folder, { recursive: true });
      const temporary = join(folder, `.${name}.${randomUUID()}.tmp`);
      try {
        await writeFile(temporary, body, { signal, mode: 0o644 });
        await rename(temporary, join(folder, name));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async contentHash(name, signal) {
      const body = await readOrNull(join(folder, name), signal);
      return body === null ? null : createHash('md5').update(body).digest('hex');
    },
    async get(name, signal) {
      return (await readOrNull(join(folder, name), signal))?.toString('utf8') ?? null;
    },
  };
}

async function readOrNull(path: string, signal?: AbortSignal): Promise<Buffer | null> {
  try {
    return await readFile(path, { signal });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
