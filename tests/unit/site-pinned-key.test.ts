// The key a page is built to pin (site/lib/pinned-key.ts, PUBLIC_SIGNING_KEY_FILE): only an Ed25519
// public JWK is taken; anything else stops the build, naming the file and what is wrong with it, so a
// page never pins a wrong key, and never carries a private one.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jwkThumbprint } from '../../shared/jws.ts';
import { pinnedKeyFrom } from '../../site/lib/pinned-key.ts';

const folder = mkdtempSync(join(tmpdir(), 'pinned-key-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const file = (name: string, body: string) => {
  const path = join(folder, name);
  writeFileSync(path, body);
  return path;
};
const ed25519 = generateKeyPairSync('ed25519');
const publicJwk = ed25519.publicKey.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string };

describe('pinnedKeyFrom', () => {
  it('pins nothing when no file is named', async () => {
    expect(await pinnedKeyFrom(undefined)).toBeNull();
    expect(await pinnedKeyFrom('')).toBeNull();
  });

  it('takes an Ed25519 public JWK, as the worker publishes it, with its RFC 7638 thumbprint as kid', async () => {
    const kid = await jwkThumbprint(publicJwk);
    const published = file('published.json', JSON.stringify({ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }));
    expect(await pinnedKeyFrom(published)).toEqual({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x, kid });
    expect(await pinnedKeyFrom(file('bare.json', JSON.stringify(publicJwk)))).toEqual({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x, kid });
  });

  it.each([
    ['private.json', () => JSON.stringify(ed25519.privateKey.export({ format: 'jwk' })), 'holds a private key (d): never publish it'],
    ['x25519.json', () => JSON.stringify(generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' })), 'is not an Ed25519 public key (a JWK with kty OKP and crv Ed25519)'],
    ['rsa.json', () => JSON.stringify(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })), 'is not an Ed25519 public key (a JWK with kty OKP and crv Ed25519)'],
    ['short.json', () => JSON.stringify({ ...publicJwk, x: publicJwk.x.slice(0, 20) }), 'has no 32-byte public key in x'],
    ['wrong-kid.json', () => JSON.stringify({ ...publicJwk, kid: 'ab12' }), 'has kid ab12, which is not its RFC 7638 thumbprint'],
  ])('refuses %s, naming the file and why', async (name, body, why) => {
    const path = file(name, body());
    await expect(pinnedKeyFrom(path)).rejects.toThrow(`PUBLIC_SIGNING_KEY_FILE ${path} ${why}`);
  });

  it('refuses a file that is missing or not JSON, naming it', async () => {
    await expect(pinnedKeyFrom(join(folder, 'missing.json'))).rejects.toThrow(new RegExp(`^PUBLIC_SIGNING_KEY_FILE ${join(folder, 'missing.json')} is not a readable JSON file: ENOENT`));
    const pem = file('key.pem', ed25519.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    await expect(pinnedKeyFrom(pem)).rejects.toThrow(`PUBLIC_SIGNING_KEY_FILE ${pem} is not a readable JSON file`);
  });
});
