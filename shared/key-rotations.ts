// Reading key rotation statements (governance-key-rotations.json): each a general JWS signed by the
// previous and the next key. Apart from shared/key-chain.ts, which imports it only when a record has
// rotations, so the page loads this code only then (its JavaScript budget is 80 KB in all).
import { isInstant, isSha256Hex, isUtcDate } from './archive-files.ts';
import { base64urlDecode, importPublicJwk, readHeader, utf8, type VerifyingKey } from './jws.ts';

/** An archived day and its SHA-256 as a rotation statement found them: every index must still list it so. */
export type ArchivedAt = { day: string; sha256: string };
/** A rotation statement read: `archive`, the archive as it fixed it; null, none archived yet; undefined, a statement from before statements carried it */
export type Link = { previous: VerifyingKey; next: VerifyingKey; statedAt: number; archive: ArchivedAt | null | undefined };

/** A JWS in the general JSON serialization (RFC 7515 7.2.1) with its payload attached: a rotation statement. */
export type GeneralJws = { payload: string; signatures: Array<{ protected: string; signature: string }> };

/**
 * The payload of a general JWS when each key in `keys` signed it, or why not. Signatures by other
 * keys are ignored; a missing or wrong one for a key in `keys` is a failure.
 */
export async function verifyGeneralJws(value: unknown, keys: readonly VerifyingKey[]): Promise<{ payload: Uint8Array<ArrayBuffer> } | string> {
  const jws = value as Partial<GeneralJws> | null;
  if (typeof jws !== 'object' || jws === null || typeof jws.payload !== 'string' || !Array.isArray(jws.signatures)) return 'is not a JWS in the general JSON serialization';
  const payload = base64urlDecode(jws.payload);
  if (payload === null) return 'its payload is not base64url';
  for (const key of keys) {
    const entry = jws.signatures.find((candidate) => {
      const header = typeof candidate?.protected === 'string' ? readHeader(candidate.protected) : null;
      return typeof header === 'object' && header?.kid === key.kid;
    });
    if (!entry) return `is not signed by key ${key.kid}`;
    const signature = typeof entry.signature === 'string' ? base64urlDecode(entry.signature) : null;
    const valid = signature?.length === 64 && (await crypto.subtle.verify({ name: 'Ed25519' }, key.key, signature, utf8(`${entry.protected}.${jws.payload}`)));
    if (!valid) return `its signature by key ${key.kid} does not verify`;
  }
  return { payload };
}

/** The rotation statement at position `at` (0-based) of the list, checked and verified, or why not. */
export async function readLink(value: unknown, at: number): Promise<Link | string> {
  const where = `rotation statement ${at + 1}`;
  let statement: { type?: unknown; previous?: unknown; next?: unknown; statedAt?: unknown; archive?: unknown };
  try {
    const payload = base64urlDecode(String((value as { payload?: unknown } | null)?.payload));
    statement = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload ?? new Uint8Array([0xff])));
  } catch {
    return `${where} has no JSON payload`;
  }
  if (statement?.type !== 'governance-signing-key-rotation' || !isInstant(statement.statedAt)) return `${where} is not a governance-signing-key-rotation with a statedAt instant`;
  const archive = archiveAt(statement.archive);
  if (archive === 'invalid') return `${where} has an archive that is not {"last": <day>, "head": <SHA-256>} nor null`;
  const previous = await importPublicJwk(statement.previous);
  const next = await importPublicJwk(statement.next);
  if (typeof previous === 'string' || typeof next === 'string') return `${where}: a key ${typeof previous === 'string' ? previous : next}`;
  const verified = await verifyGeneralJws(value, [previous, next]);
  if (typeof verified === 'string') return `${where} ${verified}`;
  return { previous, next, statedAt: Date.parse(statement.statedAt), archive };
}

/**
 * The archive as it stood at the rotation, `{last, head}`: its last day and that day's SHA-256, which
 * every later index must still list, and after which the old key signs no day (shared/key-chain.ts).
 * Null for a record with no day yet; undefined for a statement made before statements carried it.
 */
function archiveAt(value: unknown): Link['archive'] | 'invalid' {
  if (value == null) return value as null | undefined;
  const { last, head } = value as { last?: unknown; head?: unknown };
  return isUtcDate(last) && isSha256Hex(head) ? { day: last, sha256: head } : 'invalid';
}
