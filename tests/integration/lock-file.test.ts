// The file store's own lock (worker/stores/lock-file.ts) on a real folder, when the lock file's time
// (the file system's clock: on a shared volume, its server's) and the worker's clock disagree by
// minutes, as CLOCK_SKEW_LIMIT_SECONDS allows: a lock whose holder died is taken over after staleMs
// all the same, and a live one is waited for all the same.
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLockFile } from '../../worker/stores/lock-file.ts';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'governance-lock-'));
});
afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

/** A lock file as another writer left it, its time `offset` minutes from this process's clock. */
async function lockAt(name: string, token: string, offset: number): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, token);
  await utimes(path, minutes(offset), minutes(offset));
  return path;
}

describe("the file store's lock, on a clock minutes off the file system's", () => {
  it('takes over a dead holder\'s lock once it has stayed unchanged for staleMs, though its time is 4 minutes ahead of this clock', async () => {
    const path = await lockAt('.dead.lock', 'a writer killed while it held the lock', 4);
    // well under the 4 minutes the file's time says: the lock is judged by how long it stays, not by that time
    const ran = await withLockFile(path, AbortSignal.timeout(10_000), async () => readFile(path, 'utf8'), 300);
    expect(ran).not.toBe('a writer killed while it held the lock'); // this writer's own token
  });

  it("waits for a live holder whose lock looks 4 minutes old to this clock, and never takes it from it", async () => {
    const path = await lockAt('.live.lock', 'live holder', -4);
    const order: string[] = [];
    const holder = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push(`holder still holds: ${(await readFile(path, 'utf8')) === 'live holder'}`);
      await rm(path);
    })();
    await withLockFile(path, AbortSignal.timeout(10_000), async () => order.push('waiter ran'), 5_000);
    await holder;
    expect(order).toEqual(['holder still holds: true', 'waiter ran']);
  });
});
