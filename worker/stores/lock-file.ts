// A lock of the file store's own: a file created exclusively (O_EXCL) next to the one it guards, with
// its owner's token inside. A writer frozen while holding it (a paused container) must not block
// the others for ever: a lock seen unchanged for staleMs is taken over. The one window left is a
// writer frozen between its last check and its rename for longer than that: then its older file lands.
import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';

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

/** Each lock's holder as this process last saw it (the file's identity), and since when (its monotonic clock). */
const seen = new Map<string, { holder: string; since: number }>();

/**
 * Whether the lock has stayed the same holder's for staleMs, as this process has watched it (across
 * calls: a tick cut short goes on watching at the next). Not its mtime against this process's wall
 * clock: that time is the file system's (on a shared volume, its server's), and a worker minutes off
 * it, as the skew limit allows, would take a live lock at once or wait minutes for a dead one.
 */
function heldTooLong(path: string, held: Stats | null, staleMs: number): boolean {
  const holder = held && `${held.dev}:${held.ino}:${held.mtimeMs}:${held.size}`;
  const last = seen.get(path);
  if (holder === null) seen.delete(path);
  else if (last?.holder !== holder) seen.set(path, { holder, since: performance.now() });
  else return performance.now() - last.since > staleMs;
  return false;
}

/** Runs `work` holding the lock at `path`; waits for another holder (up to the signal), takes over a stale one. */
export async function withLockFile<T>(path: string, signal: AbortSignal | undefined, work: () => Promise<T>, staleMs = lockStaleMs): Promise<T> {
  const token = randomUUID();
  while (!(await tryLock(path, token))) {
    signal?.throwIfAborted();
    if (heldTooLong(path, await stat(path).catch(() => null), staleMs)) await rm(path, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
  seen.delete(path);
  try {
    return await work();
  } finally {
    // only our own: a lock taken over from us while we were frozen is the new holder's
    if ((await readFile(path, 'utf8').catch(() => null)) === token) await rm(path, { force: true });
  }
}
