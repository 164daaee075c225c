// The real worker process refuses a SIGNING_KEY_FILE it cannot use before it does anything else:
// exit 78 and one config_invalid line naming the variable, never a byte of the file.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../support/worker-process.ts';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'signing-key-worker-'));
});
afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

const env = (keyFile: string) => ({
  // never reached: the configuration is refused first
  DATABASE_URL: 'postgres://reader:pw@127.0.0.1:1/cogni',
  SNAPSHOT_DESTINATION: `file://${folder}/governance-status.json`,
  SIGNING_KEY_FILE: keyFile,
});

describe('SIGNING_KEY_FILE', () => {
  it.each([
    ['unreadable (missing)', async () => join(folder, 'absent.pem'), /cannot be read \(ENOENT\)/, ''],
    [
      'of the wrong type (RSA)',
      async () => {
        const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
        await writeFile(join(folder, 'rsa.pem'), pem, { mode: 0o600 });
        return join(folder, 'rsa.pem');
      },
      /not Ed25519/,
      'rsa.pem',
    ],
  ])('%s: exit 78 with one config_invalid line and no key material', async (_, keyFile, problem, file) => {
    const path = await keyFile();
    const worker = startWorker(['--once'], env(path));
    expect(await worker.exited).toBe(78);
    const lines = worker.logs.filter((line) => line.event === 'config_invalid');
    expect(lines).toEqual([expect.objectContaining({ level: 'error', variable: 'SIGNING_KEY_FILE', problem: expect.stringMatching(problem) })]);
    if (file) {
      const { readFile } = await import('node:fs/promises');
      const body = (await readFile(path, 'utf8')).split('\n')[1]!;
      expect(worker.stdout() + worker.stderr()).not.toContain(body.slice(0, 24));
    }
  });
});
