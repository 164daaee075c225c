// Which keys may sign what: the published key, a key the reader pinned, and the rotation statements
// that link them. A rotation statement (governance-key-rotations.json, oldest first) names the
// previous and the next key and the instant the next one takes over, and is signed by both: the old
// key hands over (a reader who pinned it follows forward), the new key takes on the record signed
// before it (a reader who pinned the new key trusts the old one for what it signed before statedAt).
// A key signs a file whose own time (a day's closedAt, the index's updatedAt, the snapshot's
// generatedAt) lies in its window: from its statement's statedAt up to the next statement's. A
// statement also names the archive's last day and its SHA-256 at the rotation: what the old key
// signed before it is fixed there, and a retired key cannot re-sign those days unseen. The
// statements are read by shared/key-rotations.ts.
import { importPublicJwk, type VerifyingKey } from './jws.ts';
import { keyRotationsFileName, signingKeyFileName } from './archive-files.ts';
import type { ArchivedAt, Link } from './key-rotations.ts';

/** `lastDay`: the last archived day the key may sign in this window ('': none; absent: no bound) */
export type KeyWindow = VerifyingKey & { from: number; until: number; lastDay?: string };
export type KeyChain = { keys: KeyWindow[]; current: KeyWindow; anchor: 'pinned' | 'published'; archivedAt: ArchivedAt[] };
export type KeyProblem = { kind: 'unknown_key' | 'invalid'; file: string; message: string };

/**
 * The chain of keys, or null when there is no key at all (an unsigned record). `published` and
 * `rotations` are the parsed files (null when absent); `pinned` the reader's own JWK, if any.
 */
export async function resolveKeyChain(files: { published: unknown; rotations: unknown; pinned: unknown }): Promise<KeyChain | KeyProblem | null> {
  const problem = (kind: KeyProblem['kind'], file: string, message: string): KeyProblem => ({ kind, file, message });
  const pinned = files.pinned == null ? null : await importPublicJwk(files.pinned);
  if (typeof pinned === 'string') return problem('unknown_key', 'the key given', `the key given ${pinned}`);
  const published = files.published == null ? null : await importPublicJwk(files.published);
  if (typeof published === 'string') return problem('invalid', signingKeyFileName, `${signingKeyFileName} ${published}`);
  const anchor = pinned ?? published;
  if (anchor === null) return null;

  const list = files.rotations == null ? [] : (files.rotations as { rotations?: unknown }).rotations;
  if (!Array.isArray(list)) return problem('invalid', keyRotationsFileName, `${keyRotationsFileName} has no rotations list`);
  const keys: KeyWindow[] = [];
  const fixed: Array<Link['archive']> = [];
  // Statements are rare (one per rotation): their reader is loaded only when there are some.
  const readLink = list.length > 0 ? (await import('./key-rotations.ts')).readLink : null;
  for (const [at, value] of list.entries()) {
    const link = await readLink!(value, at);
    if (typeof link === 'string') return problem('invalid', keyRotationsFileName, link);
    const last = keys.at(-1);
    if (last === undefined) keys.push({ ...link.previous, from: -Infinity, until: link.statedAt });
    else if (last.kid !== link.previous.kid || link.statedAt <= last.from) {
      return problem('invalid', keyRotationsFileName, `rotation statement ${at + 1} does not continue from key ${last.kid} at a later time`);
    } else last.until = link.statedAt;
    keys.push({ ...link.next, from: link.statedAt, until: Infinity });
    fixed.push(link.archive);
  }
  if (keys.length === 0) keys.push({ ...anchor, from: -Infinity, until: Infinity });
  boundLastDays(keys, fixed);

  const current = keys.at(-1)!;
  if (published && published.kid !== current.kid) {
    const chain = list.length > 0 ? `the rotation statements end at key ${current.kid}` : `the key given is ${current.kid} and no rotation statement links them`;
    return problem('unknown_key', signingKeyFileName, `${signingKeyFileName} names key ${published.kid}, but ${chain}`);
  }
  if (!keys.some((key) => key.kid === anchor.kid)) {
    return problem('unknown_key', pinned ? 'the key given' : signingKeyFileName, `key ${anchor.kid} is neither the published key nor announced by a rotation statement`);
  }
  const archivedAt = fixed.filter((archive): archive is ArchivedAt => Boolean(archive));
  return { keys, current, anchor: pinned ? 'pinned' : 'published', archivedAt };
}

/** Whether the window's key may sign a file about `day`: none after the last day its retirement fixed (boundLastDays). */
export const signsDay = (window: KeyWindow, day: string) => window.lastDay === undefined || day <= window.lastDay;

/** What `entries` (an index's days) list for `day`: its SHA-256, or undefined when they list no such day. */
export const listedSha256 = (entries: ReadonlyArray<ArchivedAt>, day: string) => entries.find((entry) => entry.day === day)?.sha256;

/**
 * The first day a rotation statement fixed that `entries` no longer list with the SHA-256 it had
 * then, or undefined: a record only adds days, so a retired key's holder cannot re-sign the days
 * before its rotation, nor serve an index dated before it that stops earlier, without it showing
 * (the statement is the new key's too). The verifiers and the worker (archive-handover.ts) ask it.
 */
export const lostFixedDay = (chain: KeyChain, entries: ReadonlyArray<ArchivedAt>) => chain.archivedAt.find((fixed) => listedSha256(entries, fixed.day) !== fixed.sha256);

/**
 * Sets each retired window's lastDay from `fixed`, the archive each statement fixed (the one ending
 * window i is fixed[i]): a key signs no day after the last one its retirement fixed (none when it
 * fixed none), nor after one a later statement fixed, since a key's holder can state a rotation from
 * that key to itself: the strictest counts. A statement from before statements carried `archive`
 * bounds nothing.
 */
function boundLastDays(keys: KeyWindow[], fixed: ReadonlyArray<Link['archive']>) {
  let bound: string | undefined;
  for (let at = fixed.length - 1; at >= 0; at -= 1) {
    // '' (no day) sorts before every day
    const own = fixed[at] === undefined ? undefined : (fixed[at]?.day ?? '');
    if (own !== undefined && (bound === undefined || own < bound)) bound = own;
    if (bound !== undefined) keys[at]!.lastDay = bound;
  }
}

/**
 * When the key `kid` takes over by the statements for good, if the file time `at` lies before that
 * (else null): a file it signs dated earlier is refused by every verifier, an archived day for good.
 * Its last window counts from the first of the windows of that key just before it: a statement from
 * a key to itself hands over to the same key, and the key signs on either side of it.
 */
export function notYetInForce(chain: KeyChain, kid: string, at: number): number | null {
  let first = chain.keys.findLastIndex((key) => key.kid === kid);
  if (first < 0) return null;
  while (first > 0 && chain.keys[first - 1]!.kid === kid) first -= 1;
  const from = chain.keys[first]!.from;
  return at < from ? from : null;
}
