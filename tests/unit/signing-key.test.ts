// SIGNING_KEY_FILE: read once at start, refused by name (never by content) when unreadable or not an
// Ed25519 private key; without it the worker says once that it publishes unsigned files.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../worker/config.ts';
import { createLogger } from '../../worker/logger.ts';
import { loadSigningKey, signerAtStart } from '../../worker/signing-key.ts';

const folder = mkdtempSync(join(tmpdir(), 'signing-key-'));
const write = (name: string, body: string) => {
  const path = join(folder, name);
  writeFileSync(path, body, { mode: 0o600 });
  return path;
};
const ed25519 = generateKeyPairSync('ed25519');
const pem = ed25519.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const secretLine = pem.split('\n')[1]!;
const valid = { DATABASE_URL: 'postgres://reader:pw@db:5432/cogni', SNAPSHOT_DESTINATION: 'file:///srv/www/governance-status.json' };

describe('loadSigningKey', () => {
  it('takes an Ed25519 private key in a PKCS#8 PEM file', () => {
    const loaded = loadSigningKey(write('good.pem', pem));
    expect('key' in loaded && loaded.key.asymmetricKeyType).toBe('ed25519');
  });

  it.each([
    ['a missing file', () => join(folder, 'absent.pem'), /cannot be read \(ENOENT\)/],
    ['a folder', () => folder, /is not a regular file/],
    ['a device that never ends', () => '/dev/zero', /is not a regular file/],
    ['a named pipe no one writes to', () => (execFileSync('mkfifo', [join(folder, 'pipe')]), join(folder, 'pipe')), /is not a regular file/],
    ['a file far larger than a key', () => write('huge.pem', `${pem}${'x'.repeat(70_000)}`), /is larger than 65536 bytes, far more than a key/],
    ['an RSA key', () => write('rsa.pem', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()), /holds a rsa key, not Ed25519/],
    ['an EC key', () => write('ec.pem', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()), /holds a ec key, not Ed25519/],
    ['the public key', () => write('public.pem', ed25519.publicKey.export({ format: 'pem', type: 'spki' }).toString()), /not a private key/],
    ['an encrypted key', () => write('encrypted.pem', ed25519.privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString()), /encrypted/],
    ['a truncated PEM', () => write('truncated.pem', pem.slice(0, 60)), /not a private key in PEM form/],
  ])('refuses %s, naming the problem and nothing of the file', (_, path, problem) => {
    const loaded = loadSigningKey(path());
    expect('problem' in loaded && loaded.problem).toMatch(problem);
    expect(JSON.stringify(loaded)).not.toContain(secretLine);
  });
});

describe('SIGNING_KEY_FILE in the configuration', () => {
  it('is optional: without it nothing is signed', () => {
    const result = parseConfig(valid);
    expect(result.ok && result.config.signingKey).toBeUndefined();
  });

  it('carries the key as a KeyObject that prints as nothing', () => {
    const result = parseConfig({ ...valid, SIGNING_KEY_FILE: write('config.pem', pem) });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.signingKey?.asymmetricKeyType).toBe('ed25519');
    expect(JSON.stringify(result.config)).not.toContain(secretLine.slice(0, 20));
  });

  it('is one config_invalid problem naming the variable when the file is not an Ed25519 key', () => {
    const result = parseConfig({ ...valid, SIGNING_KEY_FILE: write('garbage.pem', `${pem.replace('PRIVATE KEY', 'PUBLIC KEY')}`) });
    expect(result).toEqual({ ok: false, problems: [{ variable: 'SIGNING_KEY_FILE', problem: expect.stringMatching(/PEM/) }] });
  });
});

describe('signerAtStart', () => {
  it('says once that files are published unsigned without a key, and which key signs with one', () => {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(line));
    expect(signerAtStart(undefined, logger)).toBeNull();
    const signer = signerAtStart(ed25519.privateKey, logger);
    const events = lines.map((line) => JSON.parse(line));
    expect(events.map((line) => line.event)).toEqual(['signing_disabled', 'signing_enabled']);
    expect(events[0].message).toMatch(/unsigned/);
    expect(events[1]).toMatchObject({ keyId: signer!.kid });
    expect(lines.join('')).not.toContain(secretLine.slice(0, 20));
  });
});
