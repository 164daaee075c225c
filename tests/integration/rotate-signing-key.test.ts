// The rotation script: each run appends a statement signed by the old and the new key, fixing the
// archive as the old key signed it (its last day and head); the chain it prints is the one readers
// follow (shared/key-chain.ts), and a statement that would not continue it, or a record the old key
// did not sign, is refused.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveIndexFileName, keyRotationsFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { base64urlDecode } from '../../shared/jws.ts';
import { resolveKeyChain } from '../../shared/key-chain.ts';
import { createSigner, publicJwkOf, signingKeyFileBody } from '../../worker/signing-key.ts';
import { buildRecord } from '../support/archive-record.ts';

const script = fileURLToPath(new URL('../../scripts/rotate-signing-key.ts', import.meta.url));
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'rotate-key-'));
});
afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

const rotate = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

/** The published files in a folder, as a file destination holds them. */
async function publish(where: string, files: Map<string, string>) {
  for (const [name, body] of files) {
    await mkdir(dirname(join(where, name)), { recursive: true });
    await writeFile(join(where, name), body);
  }
}

/** Each private key in a PEM file of its own; their paths. */
const writePems = (keys: KeyObject[], prefix: string) =>
  Promise.all(
    keys.map(async (key, n) => {
      const path = join(folder, `${prefix}-${n}.pem`);
      await writeFile(path, key.export({ format: 'pem', type: 'pkcs8' }));
      return path;
    }),
  );

const payloadOf = (statement: { payload: string }) => JSON.parse(new TextDecoder().decode(base64urlDecode(statement.payload)!));

describe('rotate-signing-key', () => {
  it('chains key after key, fixing the archive each key signed, and readers pinned to the first or the last key follow it', async () => {
    const keys = [0, 1, 2].map(() => generateKeyPairSync('ed25519').privateKey);
    const pems = await writePems(keys, 'key');
    const record = await buildRecord({ days: 4, signer: createSigner(keys[0]!) });
    const site = join(folder, 'site');
    await publish(site, record.files);
    const index = JSON.parse(record.files.get(archiveIndexFileName)!);

    const first = rotate('--old', pems[0]!, '--new', pems[1]!, '--record', site);
    expect(first.status).toBe(0);
    expect(payloadOf(JSON.parse(first.stdout).rotations[0])).toMatchObject({ archive: { last: '2026-10-04', head: index.head } });
    // the record as published after the first rotation: the new key and the statement beside it
    await writeFile(join(site, keyRotationsFileName), first.stdout);
    await writeFile(join(site, signingKeyFileName), signingKeyFileBody(createSigner(keys[1]!)));
    // the statements before it are the record's own unless --rotations names others
    const second = rotate('--old', pems[1]!, '--new', pems[2]!, '--record', site);
    expect(second.status, second.stderr).toBe(0);
    const rotations = JSON.parse(second.stdout);
    expect(rotations.rotations).toHaveLength(2);
    for (const pinned of [keys[0]!, keys[2]!]) {
      const chain = await resolveKeyChain({ published: publicJwkOf(keys[2]!), rotations, pinned: publicJwkOf(pinned) });
      expect(chain && !('kind' in chain) && chain.keys.map((key) => key.kid)).toEqual(keys.map((key) => publicJwkOf(key).kid));
      expect(chain && !('kind' in chain) && chain.archivedAt).toEqual([0, 1].map(() => ({ day: '2026-10-04', sha256: index.head })));
    }
    // handing over from a key that is no longer the last one is refused
    await writeFile(join(folder, 'rotations2.json'), second.stdout);
    const stale = rotate('--old', pems[0]!, '--new', pems[2]!, '--record', site, '--rotations', join(folder, 'rotations2.json'));
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/does not continue from key/);
    expect(rotate('--old', join(folder, 'absent.pem'), '--new', pems[1]!, '--record', site)).toMatchObject({ status: 78, stderr: expect.stringMatching(/--old cannot be read/) });
    expect(rotate('--old', pems[0]!, '--new', pems[1]!)).toMatchObject({ status: 64, stderr: expect.stringMatching(/--record <folder or URL/) });
    await writeFile(join(folder, 'not-rotations.json'), '{"keys": []}');
    expect(rotate('--old', pems[1]!, '--new', pems[2]!, '--record', site, '--rotations', join(folder, 'not-rotations.json'))).toMatchObject({ status: 1, stderr: expect.stringMatching(/not-rotations.json has no rotations list/) });
  });

  it('refuses a record the old key did not sign, a folder that holds no record, a record dated after now, and fixes no day where none is archived yet', async () => {
    const [older, newer] = [0, 1].map(() => generateKeyPairSync('ed25519').privateKey);
    const pems = await writePems([older!, newer!], 'other');
    const someoneElses = join(folder, 'someone-elses');
    await publish(someoneElses, (await buildRecord({ days: 2 })).files);
    const refused = rotate('--old', pems[0]!, '--new', pems[1]!, '--record', someoneElses);
    expect(refused).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/does not verify with the old key: .*key/) });

    const mine = await buildRecord({ days: 2, signer: createSigner(older!) });
    const site = join(folder, 'mine');
    await publish(site, mine.files);
    // --record naming the archive's folder, not the snapshot's: no index there, and no record either
    expect(rotate('--old', pems[0]!, '--new', pems[1]!, '--record', join(site, 'governance-archive'))).toMatchObject({
      status: 1,
      stderr: expect.stringMatching(/does not verify with the old key: governance-status.json is missing/),
    });

    // a record whose database clock runs ahead of this machine's: the old key would have signed the index after the statement's time
    const ahead = await buildRecord({ days: 2, first: new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10), signer: createSigner(older!) });
    const early = join(folder, 'ahead');
    await publish(early, ahead.files);
    expect(rotate('--old', pems[0]!, '--new', pems[1]!, '--record', early)).toMatchObject({ status: 1, stderr: expect.stringMatching(/once published, the record would not verify: .*not in force/) });

    // the first snapshot published, no day archived yet
    const fresh = join(folder, 'fresh');
    await publish(fresh, new Map([...mine.files].filter(([name]) => !name.startsWith('governance-archive'))));
    const first = rotate('--old', pems[0]!, '--new', pems[1]!, '--record', fresh);
    expect(first).toMatchObject({ status: 0, stderr: expect.stringMatching(/no day is archived .* yet: the statement fixes none/) });
    expect(payloadOf(JSON.parse(first.stdout).rotations[0])).toMatchObject({ archive: null });
  });

  it('refuses a day the old worker archived after the index before it stopped: listed later, it would be one the old key signed after the day fixed', async () => {
    const [older, newer] = [0, 1].map(() => generateKeyPairSync('ed25519').privateKey);
    const pems = await writePems([older!, newer!], 'orphan');
    const signer = createSigner(older!);
    const site = join(folder, 'orphan');
    await publish(site, (await buildRecord({ days: 3, signer })).files);
    // the index as it stood before the third day: the worker stopped between that day's files and the index
    const two = await buildRecord({ days: 2, signer });
    for (const name of [archiveIndexFileName, `${archiveIndexFileName}.jws`]) await writeFile(join(site, name), two.files.get(name)!);
    expect(rotate('--old', pems[0]!, '--new', pems[1]!, '--record', site)).toMatchObject({
      status: 1,
      stdout: '',
      stderr: expect.stringMatching(/2026-10-03.json is archived but not listed in governance-archive.json: start the worker with the old key once/),
    });
    // after a gap in the chain (archive_gap), or with no index at all (the worker stopped before its first)
    await rm(join(site, 'governance-archive/2026-10-03.json'));
    await copyFile(join(site, 'governance-archive/2026-10-02.json'), join(site, 'governance-archive/2026-10-05.json'));
    expect(rotate('--old', pems[0]!, '--new', pems[1]!, '--record', site)).toMatchObject({ status: 1, stderr: expect.stringMatching(/2026-10-05.json is archived but not listed/) });
    await rm(join(site, 'governance-archive/2026-10-05.json'));
    for (const name of [archiveIndexFileName, `${archiveIndexFileName}.jws`]) await rm(join(site, name));
    expect(rotate('--old', pems[0]!, '--new', pems[1]!, '--record', site)).toMatchObject({ status: 1, stderr: expect.stringMatching(/2026-10-01.json is archived but not listed/) });
    await publish(site, (await buildRecord({ days: 3, signer })).files);
    // listed (the old worker's next start), it is fixed like any other
    const rotated = rotate('--old', pems[0]!, '--new', pems[1]!, '--record', site);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(payloadOf(JSON.parse(rotated.stdout).rotations[0]).archive).toMatchObject({ last: '2026-10-03' });
  });
});
