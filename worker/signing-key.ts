// The worker's Ed25519 signing key (SIGNING_KEY_FILE, a PKCS#8 PEM file) and what it signs with it.
// The private key stays a KeyObject, which prints and serialises as nothing: no log line or file can
// carry it. Signatures are detached compact JWS (shared/jws.ts says the format); node:crypto signs.
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { signatureFileName, signingKeyFileName } from '../shared/archive-files.ts';
import { base64urlEncode, protectedHeader, signingInput, thumbprintInput, utf8, type PublicJwk } from '../shared/jws.ts';
import type { GeneralJws } from '../shared/key-rotations.ts';
import type { Logger } from '../shared/ports.ts';

export type Signer = {
  /** the key's RFC 7638 thumbprint */
  kid: string;
  publicJwk: PublicJwk;
  /** the `.jws` file's text for these exact bytes */
  sign(body: string | Uint8Array): string;
};

/** A key file is a few hundred bytes: anything far larger (/dev/zero, a log file named by mistake) is no key. */
const maxKeyFileBytes = 65_536;

/**
 * The bytes of a regular file of at most maxKeyFileBytes, or a problem. Opened without blocking, so a
 * named pipe or a device is refused instead of stopping the start (or filling the memory) for good.
 */
function readKeyFile(path: string): Buffer | { problem: string } {
  const cannot = (why: string) => ({ problem: `${why}: it must name a readable PKCS#8 PEM file holding an Ed25519 private key` });
  const unreadable = (error: unknown) => cannot(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return unreadable(error);
  }
  try {
    if (!fstatSync(fd).isFile()) return cannot('is not a regular file');
    const bytes = Buffer.alloc(maxKeyFileBytes + 1);
    const read = readSync(fd, bytes, 0, bytes.length, 0);
    return read > maxKeyFileBytes ? cannot(`is larger than ${maxKeyFileBytes} bytes, far more than a key`) : bytes.subarray(0, read);
  } catch (error) {
    return unreadable(error);
  } finally {
    closeSync(fd);
  }
}

/** The private key in `path`, or a problem that names neither the key nor anything read from it. */
export function loadSigningKey(path: string): { key: KeyObject } | { problem: string } {
  const pem = readKeyFile(path);
  if (!Buffer.isBuffer(pem)) return pem;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    if (pem.includes('ENCRYPTED')) return { problem: 'holds an encrypted key: the worker needs it unencrypted (PKCS#8 PEM); protect the file instead' };
    return { problem: 'is not a private key in PEM form: it must hold an Ed25519 private key (-----BEGIN PRIVATE KEY-----, PKCS#8)' };
  } finally {
    pem.fill(0);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    return { problem: `holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519: create one with openssl genpkey -algorithm ed25519` };
  }
  return { key };
}

export function publicJwkOf(privateKey: KeyObject): PublicJwk {
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  const base = { crv: 'Ed25519', kty: 'OKP', x: x! };
  const kid = createHash('sha256').update(thumbprintInput(base)).digest('base64url');
  return { kty: 'OKP', crv: 'Ed25519', x: x!, kid, alg: 'EdDSA', use: 'sig' };
}

export function createSigner(privateKey: KeyObject): Signer {
  const publicJwk = publicJwkOf(privateKey);
  const header64 = protectedHeader(publicJwk.kid);
  return {
    kid: publicJwk.kid,
    publicJwk,
    sign(body) {
      const bytes = typeof body === 'string' ? utf8(body) : body;
      const signature = sign(null, signingInput(header64, bytes), privateKey);
      return `${header64}..${signature.toString('base64url')}\n`;
    },
  };
}

/** governance-signing-key.json: the public JWK, pretty, for people to read and pin. */
export const signingKeyFileBody = (signer: Signer) => `${JSON.stringify(signer.publicJwk, null, 2)}\n`;

/**
 * The signer for SIGNING_KEY_FILE's key (config.signingKey), or null; says once which it is. For
 * main.ts: `const signer = signerAtStart(config.signingKey, logger)` before the first tick.
 */
export function signerAtStart(key: KeyObject | undefined, logger: Logger): Signer | null {
  if (!key) {
    logger.warn('signing_disabled', {
      message: 'SIGNING_KEY_FILE is not set: the snapshot, the archive and its index are published unsigned, and verifiers will say "not signed"',
    });
    return null;
  }
  const signer = createSigner(key);
  logger.info('signing_enabled', { keyId: signer.kid, publicKey: signingKeyFileName });
  return signer;
}

/** The signed files beside `name`: `{ [name.jws]: signature }`, or nothing without a signer. */
export function signatureFiles(signer: Signer | null, name: string, body: string): Record<string, string> {
  return signer ? { [signatureFileName(name)]: signer.sign(body) } : {};
}

/** `archive`: the record's last archived day and its SHA-256 at the rotation (the index's last and head), null with none */
export type RotationStatement = { type: 'governance-signing-key-rotation'; previous: PublicJwk; next: PublicJwk; statedAt: string; archive?: { last: string; head: string } | null };

/**
 * A key rotation: `next` replaces `previous` for every file whose own time (a day's closedAt, the
 * index's updatedAt, the snapshot's generatedAt) is at or after `statedAt`. Signed by both keys
 * (general JWS JSON): the old key hands over, the new key accepts the record signed before it, as
 * `archive` fixes it: every later index must list that day with that hash, and the old key signs no
 * later day (shared/key-chain.ts). `archive` undefined writes a statement as they were before they
 * carried it, which fixes nothing (for tests of readers of such statements).
 */
export function createRotationStatement(previous: KeyObject, next: KeyObject, statedAt: Date, archive: RotationStatement['archive'] | undefined): GeneralJws {
  const statement: RotationStatement = { type: 'governance-signing-key-rotation', previous: publicJwkOf(previous), next: publicJwkOf(next), statedAt: statedAt.toISOString(), archive };
  const payload = base64urlEncode(utf8(JSON.stringify(statement)));
  return {
    payload,
    signatures: [previous, next].map((key) => {
      const header = protectedHeader(publicJwkOf(key).kid);
      return { protected: header, signature: sign(null, utf8(`${header}.${payload}`), key).toString('base64url') };
    }),
  };
}
