// The rotation script: each run appends a statement signed by the old and the new key; the chain it
// prints is the one readers follow (shared/key-chain.ts), and a statement that would not continue it
// is refused.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveKeyChain } from '../../shared/key-chain.ts';
import { publicJwkOf } from '../../worker/signing-key.ts';

const script = fileURLToPath(new URL('../../scripts/rotate-signing-key.ts', import.meta.url));
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'rotate-key-'));
});
afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

const rotate = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

describe('rotate-signing-key', () => {
  it('chains key after key, and readers pinned to the first or the last key follow it', async () => {
    const keys = [0, 1, 2].map(() => generateKeyPairSync('ed25519').privateKey);
    const pems = await Promise.all(
      keys.map(async (key, n) => {
        const path = join(folder, `key-${n}.pem`);
        await writeFile(path, key.export({ format: 'pem', type: 'pkcs8' }));
        return path;
      }),
    );
    const first = rotate('--old', pems[0]!, '--new', pems[1]!);
    expect(first.status).toBe(0);
    await writeFile(join(folder, 'rotations.json'), first.stdout);
    const second = rotate('--old', pems[1]!, '--new', pems[2]!, '--rotations', join(folder, 'rotations.json'));
    expect(second.status).toBe(0);
    const rotations = JSON.parse(second.stdout);
    expect(rotations.rotations).toHaveLength(2);
    for (const pinned of [keys[0]!, keys[2]!]) {
      const chain = await resolveKeyChain({ published: publicJwkOf(keys[2]!), rotations, pinned: publicJwkOf(pinned) });
      expect(chain && !('kind' in chain) && chain.keys.map((key) => key.kid)).toEqual(keys.map((key) => publicJwkOf(key).kid));
    }
    // handing over from a key that is no longer the last one is refused
    await writeFile(join(folder, 'rotations2.json'), second.stdout);
    const stale = rotate('--old', pems[0]!, '--new', pems[2]!, '--rotations', join(folder, 'rotations2.json'));
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/does not continue from key/);
    expect(rotate('--old', join(folder, 'absent.pem'), '--new', pems[1]!)).toMatchObject({ status: 78, stderr: expect.stringMatching(/--old cannot be read/) });
  });
});
