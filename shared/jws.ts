// Ed25519 signatures as JSON Web Signatures (RFC 7515; alg EdDSA, RFC 8037), verified with WebCrypto
// only, so the worker, the verify command and the page run this same code. A signed file's
// signature is a compact JWS with a detached payload (RFC 7515 Appendix F): `header..signature`,
// over `header '.' BASE64URL(the file's exact bytes)`. The key id is the key's RFC 7638 thumbprint.

/** An Ed25519 public key as published: an RFC 8037 JWK whose kid is its RFC 7638 thumbprint. */
export type PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
export type VerifyingKey = { kid: string; jwk: PublicJwk; key: CryptoKey };

const encoder = new TextEncoder();
export const utf8 = (text: string): Uint8Array<ArrayBuffer> => encoder.encode(text);

export function base64urlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** null unless `text` is canonical unpadded base64url (one spelling per byte string). */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  return base64urlEncode(bytes) === text ? bytes : null;
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** RFC 7638: the required members of an OKP key, in lexicographic order, without whitespace. */
export const thumbprintInput = (jwk: { crv: string; kty: string; x: string }) => JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });

export async function jwkThumbprint(jwk: { crv: string; kty: string; x: string }): Promise<string> {
  return base64urlEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(thumbprintInput(jwk)))));
}

/** The protected header every signature carries: the algorithm and the signing key's id. */
export const protectedHeader = (kid: string) => base64urlEncode(utf8(JSON.stringify({ alg: 'EdDSA', kid })));

/** What Ed25519 signs: ASCII(header '.' BASE64URL(payload)). */
export const signingInput = (header64: string, payload: Uint8Array) => utf8(`${header64}.${base64urlEncode(payload)}`);

/** A checked Ed25519 public JWK, or why not. A kid, when given, must be the key's thumbprint. */
export async function importPublicJwk(value: unknown): Promise<VerifyingKey | string> {
  const jwk = value as Partial<PublicJwk> | null;
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return 'is not an Ed25519 public key (a JWK with kty OKP and crv Ed25519)';
  if (typeof jwk.x !== 'string' || base64urlDecode(jwk.x)?.length !== 32) return 'has no 32-byte public key in x';
  if ('d' in jwk) return 'holds a private key (d): never publish it';
  const kid = await jwkThumbprint({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  if (jwk.kid !== undefined && jwk.kid !== kid) return `has kid ${String(jwk.kid)}, which is not its RFC 7638 thumbprint (${kid})`;
  const clean: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' };
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
    return { kid, jwk: clean, key };
  } catch {
    return 'is not a usable Ed25519 public key';
  }
}

type Header = { header64: string; kid: string };

export function readHeader(header64: string): Header | string {
  const bytes = base64urlDecode(header64);
  let header: Record<string, unknown> | null;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes ?? new Uint8Array([0xff])));
  } catch {
    return 'its header is not base64url JSON';
  }
  // `?.`: a header that is JSON null fails here like any without alg; reading a field of null would
  // throw, and a thrown error reads as "could not check", not as the broken record it is
  if (header?.alg !== 'EdDSA') return `its alg is ${JSON.stringify(header?.alg)}, not EdDSA`;
  if (typeof header.kid !== 'string') return 'its header names no kid';
  // RFC 7515 4.1.11: a header with critical extensions we do not understand must be rejected.
  if ('crit' in header || 'b64' in header) return 'its header has extensions (crit, b64) this format does not use';
  return { header64, kid: header.kid };
}

export type DetachedJws = Header & { signature: Uint8Array<ArrayBuffer> };

/** A `.jws` file's text: one compact JWS with an empty payload part, optionally a final newline. */
export function parseDetachedJws(text: string): DetachedJws | string {
  const parts = text.replace(/\r?\n$/, '').split('.');
  if (parts.length !== 3 || parts[1] !== '') return 'is not a compact JWS with a detached payload (header..signature)';
  const header = readHeader(parts[0]!);
  if (typeof header === 'string') return header;
  const signature = base64urlDecode(parts[2]!);
  if (signature?.length !== 64) return 'has no 64-byte Ed25519 signature';
  return { ...header, signature };
}

export async function verifyEd25519(key: CryptoKey, header64: string, payload: Uint8Array, signature: Uint8Array<ArrayBuffer>): Promise<boolean> {
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, signingInput(header64, payload));
}
