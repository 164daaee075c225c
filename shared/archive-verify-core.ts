// The checks of the published record: the index, every archived day it lists (or those in a range)
// and the snapshot, with their detached signatures and the prev chain. Pure and async, WebCrypto
// only: the verify command reads files or URLs, the page fetches; both pass `read`. It stops at the
// first break and names its file, its day, its kind and a code; the sentences for the codes are in
// shared/archive-verify.ts (`say`), so the page, which has its own words, carries none of them.
import { archiveDayFileName, archiveIndexFileName, endOfUtcDate, isInstant, isSha256Hex, isUtcDate, keyRotationsFileName, signatureFileName, signingKeyFileName } from './archive-files.ts';
import { parseDetachedJws, sha256Hex, verifyEd25519 } from './jws.ts';
import { listedSha256, lostFixedDay, resolveKeyChain, signsDay, type KeyChain, type KeyWindow } from './key-chain.ts';

export type FailureKind = 'missing' | 'not_json' | 'invalid' | 'signature' | 'unknown_key' | 'chain';
export type FailureCode =
  | 'not_json' | 'not_object' | 'no_signature' | 'bad_jws' | 'unknown_signer' | 'altered' | 'not_in_force' | 'missing' | 'key' | 'signed_without_key'
  | 'bad_index' | 'day_missing' | 'not_the_day' | 'contract' | 'not_listed' | 'broken_link' | 'not_as_rotated' | 'after_retirement' | 'no_times';
export type FailureValues = Record<string, string>;
export type VerifyFailure = { kind: FailureKind; file: string; day: string | null; code: FailureCode; message: string };
export type VerifyReport = {
  /** the key that signs now; null for an unsigned record */
  keyId: string | null;
  anchor: 'pinned' | 'published' | null;
  days: number;
  /** how many days were fetched and checked (all, unless a range was asked for) */
  checkedDays: number;
  first: string;
  last: string;
  head: string;
  /** the index's days with their SHA-256, oldest first */
  entries: ReadonlyArray<{ day: string; sha256: string }>;
  /** freshUntil (ms): its staleAfter, or the retirement of the key that signed it if earlier (key-chain.ts) */
  snapshot: { generatedAt: string; staleAfter: string; freshUntil: number; ageMs: number; stale: boolean };
};
export type VerifyResult = { ok: true; report: VerifyReport } | { ok: false; failure: VerifyFailure };

export type VerifyOptions = {
  /** the bytes of a published file by its name (`governance-archive/2026-11-03.json`), null when absent */
  read: (name: string) => Promise<Uint8Array<ArrayBuffer> | null>;
  now: number;
  /** the reader's own public JWK; without it the published key is trusted as found */
  pinnedKey?: unknown;
  snapshotName?: string;
  /**
   * only the days in this range are fetched, and the index's last day whatever the range (its head
   * commits to every day before it: a range that holds no day still reads the one that proves the
   * index's days exist); the chain between them is checked from the index
   */
  range?: { from?: string; to?: string };
  /**
   * false: the key chain and the snapshot alone, no index nor day read (days 0), for a reader with no
   * archive to check (the page without recent.json): a missing archive never turns the snapshot's check off
   */
  archive?: false;
  /** full contract checks (the verify command passes the Zod parsers): a problem, or null */
  checks?: { day?: (value: unknown) => string | null; index?: (value: unknown) => string | null; snapshot?: (value: unknown) => string | null };
};

/** A failure's sentence; without one the message is its code. */
export type Say = (code: FailureCode, values: FailureValues) => string;

class Break extends Error {
  readonly failure: VerifyFailure;
  constructor(failure: VerifyFailure) {
    super(failure.code);
    this.failure = failure;
  }
}

type Loaded = { bytes: Uint8Array<ArrayBuffer>; value: Record<string, unknown> };

export async function verifyRecordCore(options: VerifyOptions, say: Say = (code) => code): Promise<VerifyResult> {
  const fail = (kind: FailureKind, file: string, day: string | null, code: FailureCode, values: FailureValues = {}): never => {
    const message = say(code, { file, ...values });
    throw new Break({ kind, file, day, code, message: day === null ? message : `${day}: ${message}` });
  };
  try {
    return { ok: true, report: await verify(options, fail) };
  } catch (error) {
    if (error instanceof Break) return { ok: false, failure: error.failure };
    throw error;
  }
}

type Fail = (kind: FailureKind, file: string, day: string | null, code: FailureCode, values?: FailureValues) => never;

/** The file's bytes as a JSON object, or the break. */
function parse(fail: Fail, file: string, day: string | null, bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return fail('not_json', file, day, 'not_json', { what: bytes.length === 0 ? 'empty' : 'truncated or garbled' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid', file, day, 'not_object');
  return value as Record<string, unknown>;
}

async function load(options: VerifyOptions, fail: Fail, file: string): Promise<Loaded | null> {
  const bytes = await options.read(file);
  return bytes === null ? null : { bytes, value: parse(fail, file, null, bytes) };
}

/**
 * The windows of the key that signed `bytes` (more than one when a rotation brought a key back), or
 * the break; null when the record is unsigned.
 */
async function checkSignature(options: VerifyOptions, fail: Fail, chain: KeyChain | null, file: string, bytes: Uint8Array, day: string | null): Promise<KeyWindow[] | null> {
  if (chain === null) return null;
  const jwsFile = signatureFileName(file);
  const text = await options.read(jwsFile);
  if (text === null) return fail('signature', file, day, 'no_signature', { jwsFile });
  const jws = parseDetachedJws(new TextDecoder().decode(text));
  if (typeof jws === 'string') return fail('signature', file, day, 'bad_jws', { jwsFile, problem: jws });
  const windows = chain.keys.filter((candidate) => candidate.kid === jws.kid);
  if (windows.length === 0) return fail('unknown_key', file, day, 'unknown_signer', { kid: jws.kid });
  if (!(await verifyEd25519(windows[0]!.key, jws.header64, bytes, jws.signature))) return fail('signature', file, day, 'altered');
  return windows;
}

/** A key retired by rotation statements signs nothing about a day after the last they fixed (key-chain.ts `lastDay`; '': none). */
function retired(fail: Fail, window: KeyWindow | null, day: string, file: string, at: string | null) {
  if (window && !signsDay(window, day)) fail('unknown_key', file, at, 'after_retirement', { kid: window.kid, last: window.lastDay || 'no day' });
}

/** The signing key's window that holds the file's own time `at`, or the break; null when unsigned. */
function windowAt(fail: Fail, windows: KeyWindow[] | null, at: number, file: string, day: string | null): KeyWindow | null {
  if (windows === null) return null;
  const window = windows.find((key) => at >= key.from && at < key.until);
  return window ?? fail('unknown_key', file, day, 'not_in_force', { kid: windows[0]!.kid, at: new Date(at).toISOString() });
}

/** A file rewritten in place (the index, the snapshot) may be read between its write and its signature's: read both again once. */
async function loadSigned(options: VerifyOptions, fail: Fail, chain: KeyChain | null, file: string) {
  for (let attempt = 1; ; attempt += 1) {
    const bytes = await options.read(file);
    if (bytes === null) return fail('missing', file, null, 'missing');
    try {
      // the signature first, over the bytes as read: with a key, a file it did not sign is never parsed
      const key = await checkSignature(options, fail, chain, file, bytes, null);
      return { bytes, key, value: parse(fail, file, null, bytes) };
    } catch (error) {
      if (attempt === 2 || !(error instanceof Break) || error.failure.kind !== 'signature') throw error;
    }
  }
}

async function keyChainOf(options: VerifyOptions, fail: Fail): Promise<KeyChain | null> {
  const published = await load(options, fail, signingKeyFileName);
  const rotations = await load(options, fail, keyRotationsFileName);
  const chain = await resolveKeyChain({ published: published?.value ?? null, rotations: rotations?.value ?? null, pinned: options.pinnedKey ?? null });
  if (chain !== null && 'kind' in chain) return fail(chain.kind, chain.file, null, 'key', { message: chain.message });
  if (chain === null && (await options.read(signatureFileName(archiveIndexFileName))) !== null) fail('unknown_key', archiveIndexFileName, null, 'signed_without_key');
  return chain;
}

function readEntries(fail: Fail, value: Record<string, unknown>): Array<{ day: string; sha256: string }> {
  const days = value.days;
  const entries = Array.isArray(days) ? days.filter((entry) => isUtcDate(entry?.day) && isSha256Hex(entry?.sha256)) : [];
  const ordered = entries.every((entry, at) => at === 0 || entries[at - 1]!.day < entry.day);
  const consistent =
    entries.length > 0 && entries.length === (days as unknown[]).length && ordered && value.first === entries[0]!.day &&
    value.last === entries.at(-1)!.day && value.count === entries.length && value.head === entries.at(-1)!.sha256;
  if (!consistent || !isInstant(value.updatedAt)) fail('invalid', archiveIndexFileName, null, 'bad_index');
  return entries;
}

async function verifyDay(options: VerifyOptions, fail: Fail, chain: KeyChain | null, entry: { day: string; sha256: string }, prev: string | null) {
  const file = archiveDayFileName(entry.day);
  const bytes = await options.read(file);
  if (bytes === null) return fail('missing', file, entry.day, 'day_missing');
  const key = await checkSignature(options, fail, chain, file, bytes, entry.day);
  const value = parse(fail, file, entry.day, bytes);
  const { day, closedAt, prev: stated } = value;
  if (day !== entry.day || !isInstant(closedAt) || Date.parse(closedAt) < endOfUtcDate(entry.day) || !(stated === null || isSha256Hex(stated))) {
    fail('invalid', file, entry.day, 'not_the_day', { day: entry.day });
  }
  const problem = options.checks?.day?.(value);
  if (problem) fail('invalid', file, entry.day, 'contract', { problem });
  retired(fail, windowAt(fail, key, Date.parse(closedAt as string), file, entry.day), entry.day, file, entry.day);
  if ((await sha256Hex(bytes)) !== entry.sha256) fail('chain', file, entry.day, 'not_listed');
  if (stated !== prev) fail('chain', file, entry.day, 'broken_link', { stated: String(stated), prev: String(prev) });
}

async function verify(options: VerifyOptions, fail: Fail): Promise<VerifyReport> {
  const chain = await keyChainOf(options, fail);
  const { entries, checkedDays } = options.archive === false ? { entries: [], checkedDays: 0 } : await verifyArchive(options, fail, chain);
  const snapshot = await checkSnapshot(options, fail, chain);
  const last = entries.at(-1);
  return {
    keyId: chain?.current.kid ?? null,
    anchor: chain?.anchor ?? null,
    days: entries.length,
    checkedDays,
    first: entries[0]?.day ?? '',
    last: last?.day ?? '',
    head: last?.sha256 ?? '',
    entries,
    snapshot,
  };
}

/** The index and its days (those of the range, and the last one always), with their signatures and the chain. */
async function verifyArchive(options: VerifyOptions, fail: Fail, chain: KeyChain | null) {
  const index = await loadSigned(options, fail, chain, archiveIndexFileName);
  const entries = readEntries(fail, index.value);
  const problem = options.checks?.index?.(index.value);
  if (problem) fail('invalid', archiveIndexFileName, null, 'contract', { problem });
  // an index its retired key signed lists no day after the one its retirement fixed, as a day it signs is none of them
  retired(fail, windowAt(fail, index.key, Date.parse(index.value.updatedAt as string), archiveIndexFileName, null), entries.at(-1)!.day, archiveIndexFileName, null);
  // every day a rotation statement fixed is still listed as it fixed it (key-chain.ts lostFixedDay)
  const lost = chain && lostFixedDay(chain, entries);
  if (lost) fail('chain', archiveIndexFileName, lost.day, 'not_as_rotated', { ...lost, listed: listedSha256(entries, lost.day) ?? 'no such day' });

  let checkedDays = 0;
  for (const [at, entry] of entries.entries()) {
    const outside = (options.range?.from && entry.day < options.range.from) || (options.range?.to && entry.day > options.range.to);
    if (outside && at < entries.length - 1) continue;
    await verifyDay(options, fail, chain, entry, entries[at - 1]?.sha256 ?? null);
    checkedDays += 1;
  }
  return { entries, checkedDays };
}

/** The snapshot against its signature and its key's window, and until when it may read as current. */
async function checkSnapshot(options: VerifyOptions, fail: Fail, chain: KeyChain | null): Promise<VerifyReport['snapshot']> {
  const snapshotName = options.snapshotName ?? 'governance-status.json';
  const snapshot = await loadSigned(options, fail, chain, snapshotName);
  const { generatedAt, staleAfter } = snapshot.value;
  if (!isInstant(generatedAt) || !isInstant(staleAfter)) return fail('invalid', snapshotName, null, 'no_times');
  const snapshotProblem = options.checks?.snapshot?.(snapshot.value);
  if (snapshotProblem) fail('invalid', snapshotName, null, 'contract', { problem: snapshotProblem });
  const signedBy = windowAt(fail, snapshot.key, Date.parse(generatedAt), snapshotName, null);

  // Until when the snapshot may read as current: its staleAfter, but never past the retirement of the
  // key that signed it (the next rotation statement's statedAt). A retired or stolen key may sign a
  // file dated inside its window; it cannot make that file pass for current after it handed over.
  const fresh = Math.min(Date.parse(staleAfter), signedBy?.until ?? Infinity);
  return { generatedAt, staleAfter, freshUntil: fresh, ageMs: options.now - Date.parse(generatedAt), stale: options.now > fresh };
}
