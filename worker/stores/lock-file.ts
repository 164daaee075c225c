// A lock of the file store's own: a file created exclusively (O_EXCL) next to the one it guards, with
// its owner's token inside. A writer frozen while holding it (a paused container) must not block
// the others for ever: a lock older than staleMs is taken over. The one window left is a writer
// frozen between its last check and its rename for longer than that: then its older file lands.
import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';

export const lockStaleMs = 30_000;
const retryMs = 25;

async function tryLock(path: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
  try {
    await handle.writeFile(token);
    await handle.close();
    return true;
  } catch (error) {
    // A full disk creates the file but takes no token: left there, it would hold off every writer
    // (this one at its next tick too) until it is stale. It is ours, created a moment ago: remove it.
    await handle.close().catch(() => {});
    await rm(path, { force: true });
    throw error;
  }
}

/** Runs `work` holding the lock at `path`; waits for another holder (up to the signal), takes over a stale one. */
export async function withLockFile<T>(path: string, signal: AbortSignal | undefined, work: () => Promise<T>, staleMs = lockStaleMs): Promise<T> {
  const token = randomUUID();
  while (!(await tryLock(path, token))) {
    signal?.throwIfAborted();
    const held = await stat(path).catch(() => null);
    if (held && Date.now() - held.mtimeMs > staleMs) await rm(path, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
  try {
    return await work();
  } finally {
    // only our own: a lock taken over from us while we were frozen is the new holder's
    if ((await readFile(path, 'utf8').catch(() => null)) === token) await rm(path, { force: true });
  }
}
