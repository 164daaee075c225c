// The demo's Ed25519 signing key: made once in its data folder (signing-key.pem, mode 0600, never
// printed or logged), or SIGNING_KEY_FILE when set. Its public JWK is written beside it
// (signing-key.json): the page is built with it pinned (PUBLIC_SIGNING_KEY_FILE), so `npm start`
// shows a signed, verified record, and the verify command takes it with --key.
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../shared/ports.ts';
import { createSigner, loadSigningKey, signingKeyFileBody } from '../worker/signing-key.ts';

export type DemoSigningKey = { keyFile: string; publicKeyFile: string; kid: string };

/** Creates the key file unless it exists, private to its owner from its first byte. */
async function createKeyFile(keyFile: string): Promise<boolean> {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
  try {
    await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await chmod(keyFile, 0o600); // the demo's own key, whoever loosened it
    return false;
  }
}

export async function prepareDemoSigningKey(dataDir: string, configured: string | undefined, logger: Logger): Promise<DemoSigningKey> {
  await mkdir(dataDir, { recursive: true });
  const keyFile = configured ?? join(dataDir, 'signing-key.pem');
  const created = configured === undefined && (await createKeyFile(keyFile));
  const loaded = loadSigningKey(keyFile);
  if ('problem' in loaded) throw new Error(`the demo's signing key ${loaded.problem}`);
  const signer = createSigner(loaded.key);
  const publicKeyFile = join(dataDir, 'signing-key.json');
  const body = signingKeyFileBody(signer);
  // Written only when it changes: the page is rebuilt when its pinned key is newer than the build.
  if ((await readFile(publicKeyFile, 'utf8').catch(() => null)) !== body) await writeFile(publicKeyFile, body);
  logger.info('demo_signing_key', { keyFile, created, keyId: signer.kid, publicKeyFile });
  return { keyFile, publicKeyFile, kid: signer.kid };
}
