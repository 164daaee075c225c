// Build time only (site/pages/index.astro): the public key the page pins, from the JWK file named by
// PUBLIC_SIGNING_KEY_FILE (the worker publishes it as governance-signing-key.json). A file that is not
// an Ed25519 public key stops the build, naming the file: a page must never pin a key by mistake.
import { readFileSync } from 'node:fs';
import { importPublicJwk } from '../../shared/jws.ts';

export async function pinnedKeyFrom(path: string | undefined): Promise<{ kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string } | null> {
  if (!path) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`PUBLIC_SIGNING_KEY_FILE ${path} is not a readable JSON file: ${(error as Error).message}`);
  }
  const key = await importPublicJwk(value);
  if (typeof key === 'string') throw new Error(`PUBLIC_SIGNING_KEY_FILE ${path} ${key}`);
  const { kty, crv, x, kid } = key.jwk;
  return { kty, crv, x, kid };
}
