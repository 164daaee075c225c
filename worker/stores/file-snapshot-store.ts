// SnapshotStorePort on a local folder (a volume the web server or CDN origin serves). Each file is
// written to a temporary name in the same folder and renamed over the old one: rename is atomic
// within one file system, so a reader sees the old file or the new one, never half of one. A file
// created once (an archived day) is linked to its name instead: link(2) fails when the name exists.
// A compare-and-swap (the snapshot) holds a lock file of its own while it compares and renames.
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SnapshotStorePort } from '../../shared/ports.ts';
import { withLockFile } from './lock-file.ts';

const md5 = (body: Buffer | string) => createHash('md5').update(body).digest('hex');

export function createFileSnapshotStore(snapshotPath: string): SnapshotStorePort {
  // every name is relative to the snapshot's folder; the store keeps nothing else between calls
  const folder = dirname(snapshotPath);
  return {
    description: `file://${snapshotPath}`,
    snapshotName: basename(snapshotPath),
    put: (name, body, signal) => putFile(folder, name, body, signal),
    async read(name, signal) {
      const body = await readOrNull(join(folder, name), signal);
      return body === null ? null : { body: body.toString('utf8'), tag: md5(body) };
    },
    replace: (name, body, expectedTag, signal) => replaceFile(folder, name, body, expectedTag, signal),
    async contentHash(name, signal) {
      const body = await readOrNull(join(folder, name), signal);
      return body === null ? null : md5(body);
    },
    async get(name, signal) {
      return (await readOrNull(join(folder, name), signal))?.toString('utf8') ?? null;
    },
    create: (name, body, signal) => createFile(folder, name, body, signal),
  };
}

/** A fresh temporary name beside the target, so the rename or link stays within one file system. */
const temporaryBeside = (target: string) => join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);

async function putFile(folder: string, name: string, body: string, signal?: AbortSignal): Promise<void> {
  // `name` may hold a folder (governance-archive/recent.json): the temporary file goes beside its target
  const target = join(folder, name);
  await mkdir(dirname(target), { recursive: true });
  const temporary = temporaryBeside(target);
  try {
    await writeFile(temporary, body, { signal, mode: 0o644 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function replaceFile(folder: string, name: string, body: string, expectedTag: string | null, signal?: AbortSignal): Promise<'written' | 'changed'> {
  await mkdir(folder, { recursive: true });
  return withLockFile(join(folder, `.${name}.lock`), signal, async () => {
    const current = await readOrNull(join(folder, name), signal);
    if ((current === null ? null : md5(current)) !== expectedTag) return 'changed';
    await putFile(folder, name, body, signal);
    return 'written';
  });
}

// The whole body is on disk (fsync) before the name points at it: a crash can leave a stray
// temporary file, never an empty or partial file under a name that is never written again.
async function createFile(folder: string, name: string, body: string, signal?: AbortSignal): Promise<'created' | 'exists'> {
  const target = join(folder, name);
  await mkdir(dirname(target), { recursive: true });
  const temporary = temporaryBeside(target);
  try {
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(body, { signal });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temporary, target);
    return 'created';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function readOrNull(path: string, signal?: AbortSignal): Promise<Buffer | null> {
  try {
    return await readFile(path, { signal });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
