// The page's check of the published record: governance-archive/recent.json (the newest year in one
// request) read as the files it copies, the key, and the snapshot the page polled, all verified by
// shared/archive-verify.ts with WebCrypto. The key the page was built with (PUBLIC_SIGNING_KEY_FILE)
// is pinned: a record signed by another key does not verify. Never throws.
import { answersMissing, archiveIndexFileName, archiveRecentBytes, archiveRecentFileName } from '../../shared/archive-files.ts';
import { publishedFileBound } from '../../shared/published-bounds.ts';
import { asRecentBundle, bundleRange, holdsOnlyIndexedDays, lastDayOnly, readWithBundle, type RecentBundle } from '../../shared/archive-bundle.ts';
import { verifyRecordCore, type FailureKind, type VerifyFailure, type VerifyOptions } from '../../shared/archive-verify-core.ts';
import { readCapped } from '../../shared/read-capped.ts';

export type RecordState =
  | { kind: 'checking' }
  /** nothing archived and nothing signed yet: no recent.json, no index, no key published or pinned (checkWithoutBundle) */
  | { kind: 'none' }
  /** `newer`: the snapshot fetched again, signed and not the one shown (a newer one published meanwhile): the page may show it instead */
  | { kind: 'unavailable'; reason: string; newer?: string }
  | { kind: 'unsigned'; days: number }
  /** snapshot: the one checked, and until when it may read as current (its key's retirement may come before its staleAfter) */
  | { kind: 'verified'; keyId: string; days: number; checkedDays: number; snapshot: { generatedAt: string; freshUntil: string } }
  | { kind: 'broken'; failure: FailureKind; file: string; day: string | null };

type Bytes = Uint8Array<ArrayBuffer>;
export type RecordSource = {
  /** the published file's URL from its name */
  url: (name: string) => string;
  snapshotName: string;
  fetch: typeof fetch;
  /** how long one file may take to arrive, body included (recordFetchTimeoutMs unless a test says less) */
  timeoutMs?: number;
};

/**
 * A record file that has not arrived by then (a stalled edge, a body that trickles) makes the record
 * unavailable, tried again with the next snapshot. Longer than a snapshot's 15 s: recent.json may
 * be megabytes on a slow line.
 */
export const recordFetchTimeoutMs = 60_000;

class Unreachable extends Error {}

/** A file longer than its bound in the contract: not one the worker wrote. */
class TooLarge extends Unreachable {}

/** `maxBytes`: the file's bound; a longer body is refused, read no further (read-capped.ts). */
async function fetchBytes(source: RecordSource, name: string, maxBytes: number): Promise<Bytes | null> {
  let response: Response;
  let bytes: Bytes | null;
  const get = source.fetch; // not called as a method: the browser's fetch refuses another `this`
  const timeoutMs = source.timeoutMs ?? recordFetchTimeoutMs;
  try {
    // the signal ends the body's stream too: a body that trickles is cut off as a late answer is
    response = await get(source.url(name), { cache: 'no-cache', signal: AbortSignal.timeout(timeoutMs) });
    if (answersMissing(response.status, response.headers.get('content-type'))) return null;
    if (!response.ok) throw new Unreachable(`${name}: the server answered ${response.status}`);
    bytes = await readCapped(response, maxBytes);
  } catch (error) {
    if (error instanceof Unreachable) throw error;
    const late = error instanceof DOMException && error.name === 'TimeoutError';
    throw new Unreachable(late ? `${name} did not arrive within ${timeoutMs / 1000} s` : `${name} could not be fetched`);
  }
  if (bytes === null) throw new TooLarge(`${name} is larger than its bound of ${maxBytes} bytes`);
  return bytes;
}

/** The bundle, null when none is published, 'invalid' when what is published is not one (too large too); fetched once per page. */
export async function loadBundle(source: RecordSource): Promise<RecentBundle | null | 'invalid'> {
  let bytes: Bytes | null;
  try {
    bytes = await fetchBytes(source, archiveRecentFileName, archiveRecentBytes);
  } catch (error) {
    if (error instanceof TooLarge) return 'invalid';
    throw error;
  }
  if (bytes === null) return null;
  try {
    return asRecentBundle(JSON.parse(new TextDecoder().decode(bytes))) ?? 'invalid';
  } catch {
    return 'invalid';
  }
}

/**
 * The record as `snapshotText` (the snapshot as polled) and `bundle` show it. The snapshot is read
 * from the poll first; if its signature fails, it is fetched again with its signature (its signature
 * may not have been written yet). A snapshot fetched so that is not the one polled (a newer one
 * published in between, or a forged one served to the poll alone) leaves the one shown unchecked:
 * the record is then unavailable, never verified; the page may show the one that verified instead
 * (`newer`, site/components/use-record.ts) and check it, else it checks the next snapshot it polls.
 */
export async function checkRecord(
  source: RecordSource,
  options: { bundle: RecentBundle | null | 'invalid'; snapshotText: string; pinnedKey: unknown; now: number; range?: VerifyOptions['range'] },
): Promise<RecordState> {
  let polled: string | null = options.snapshotText;
  let refetched: Bytes | null = null;
  // the files the bundle does not copy: the snapshot and its signature (a day it left out, at most), each within its bound
  const fetched = (name: string) => fetchBytes(source, name, publishedFileBound(name, source.snapshotName));
  const fallback = async (name: string) => {
    if (name !== source.snapshotName) return fetched(name);
    if (polled === null) return (refetched = await fetched(name));
    const text = polled;
    polled = null;
    return new TextEncoder().encode(text);
  };
  const shownUnchecked = () => refetched !== null && new TextDecoder().decode(refetched) !== options.snapshotText;
  try {
    const { bundle } = options;
    if (bundle === null) return await checkWithoutBundle(source, fallback, options);
    if (bundle === 'invalid') return { kind: 'broken', failure: 'invalid', file: archiveRecentFileName, day: null };
    const result = await verifyRecordCore({
      read: readWithBundle(bundle, fallback),
      now: options.now,
      pinnedKey: options.pinnedKey ?? undefined,
      snapshotName: source.snapshotName,
      range: options.range ?? bundleRange(bundle),
    });
    if (!result.ok) return brokenBy(result.failure);
    if (!holdsOnlyIndexedDays(bundle, result.report.entries)) return { kind: 'broken', failure: 'invalid', file: archiveRecentFileName, day: null };
    if (shownUnchecked()) return { kind: 'unavailable', reason: `${source.snapshotName} changed while it was checked: the one shown is checked with the next`, newer: new TextDecoder().decode(refetched!) };
    const { keyId, days, checkedDays, snapshot } = result.report;
    return keyId === null ? { kind: 'unsigned', days } : { kind: 'verified', keyId, days, checkedDays, snapshot: { generatedAt: snapshot.generatedAt, freshUntil: new Date(snapshot.freshUntil).toISOString() } };
  } catch (error) {
    return { kind: 'unavailable', reason: error instanceof Unreachable ? error.message : String(error) };
  }
}

const brokenBy = (failure: VerifyFailure): RecordState => ({ kind: 'broken', failure: failure.kind, file: failure.file, day: failure.day });

/**
 * No recent.json: the snapshot is still checked against the key pinned or published (a deleted bundle
 * must not turn the checks off). With a key, or an index published, the record exists and the bundle
 * that shows it is missing: a break. Only with neither is nothing archived yet, and nothing signed.
 */
async function checkWithoutBundle(source: RecordSource, read: (name: string) => Promise<Bytes | null>, options: { pinnedKey: unknown; now: number }): Promise<RecordState> {
  const result = await verifyRecordCore({ read, now: options.now, pinnedKey: options.pinnedKey ?? undefined, snapshotName: source.snapshotName, archive: false });
  if (!result.ok) return brokenBy(result.failure);
  // an index past its bound is one all the same (not one the worker wrote)
  const indexPublished = () => fetchBytes(source, archiveIndexFileName, publishedFileBound(archiveIndexFileName)).then((bytes) => bytes !== null, (error) => error instanceof TooLarge || Promise.reject(error));
  const archived = result.report.keyId !== null || (await indexPublished());
  return archived ? { kind: 'broken', failure: 'missing', file: archiveRecentFileName, day: null } : { kind: 'none' };
}

/**
 * The record as a later snapshot shows it, with the bundle loaded for an earlier one (the page's
 * next polls): its days were checked then, so only the index, its last day (from the bundle's copy,
 * unless the bundle lacks it) and the snapshot are. A break there may
 * be the bundle's age, not the record's (a key rotated since signs the new snapshot, and only a newer
 * bundle carries the statement and the key): the bundle is fetched again and the whole record checked
 * before a break stands. `reloaded` is that bundle, when it was fetched.
 */
export async function recheckRecord(
  source: RecordSource,
  options: { bundle: RecentBundle; snapshotText: string; pinnedKey: unknown; now: number },
): Promise<{ state: RecordState; reloaded?: RecentBundle | null | 'invalid' }> {
  const state = await checkRecord(source, { ...options, range: lastDayOnly });
  if (state.kind !== 'broken') return { state };
  const reloaded = await loadBundle(source);
  return { state: await checkRecord(source, { ...options, bundle: reloaded }), reloaded };
}

/** What the page keeps from one check of the record to the next (site/components/use-record.ts). */
export type RecordMemory = {
  /** the bundle as loaded; null: load it (again) at the next check */
  bundle: Promise<RecentBundle | null | 'invalid'> | null;
  /** the days the last full check covered: later checks read only the index and the snapshot */
  checkedDays: number | null;
};

/**
 * The record as the polled snapshot shows it: in full the first time, then with recheckRecord.
 * `days`: the bundle's days when this check verified them in full (the longer uptime counts them).
 * After a break, or while there is none, the bundle is loaded again for the next snapshot: the worker writes recent.json after
 * the snapshot (worker/build-snapshot.ts), so a bundle fetched between the two (a new key's first
 * snapshot, the bundle that carries its statement not yet written) would make a break stand for good.
 */
export async function checkPolledRecord(
  source: RecordSource,
  memory: RecordMemory,
  options: { snapshotText: string; pinnedKey: unknown; now: number },
): Promise<{ state: RecordState; days: RecentBundle['days'] | null }> {
  try {
    let loaded = await (memory.bundle ??= loadBundle(source));
    let state: RecordState;
    let checkedAll = memory.checkedDays === null || typeof loaded !== 'object' || loaded === null;
    if (checkedAll) state = await checkRecord(source, { ...options, bundle: loaded });
    else {
      const again = await recheckRecord(source, { ...options, bundle: loaded as RecentBundle });
      state = again.state;
      if (again.reloaded !== undefined) [memory.bundle, loaded, checkedAll, memory.checkedDays] = [Promise.resolve(again.reloaded), again.reloaded, true, null];
    }
    // none yet (the first day is archived while the page is open) or broken: the next snapshot loads it again
    if (state.kind === 'broken' || state.kind === 'none') memory.bundle = null;
    if (state.kind === 'verified') state = { ...state, checkedDays: (memory.checkedDays ??= state.checkedDays) };
    const verified = checkedAll && typeof loaded === 'object' && loaded !== null && (state.kind === 'verified' || state.kind === 'unsigned');
    return { state, days: verified ? (loaded as RecentBundle).days : null };
  } catch (error) {
    memory.bundle = null; // tried again with the next snapshot
    return { state: { kind: 'unavailable', reason: error instanceof Error ? error.message : String(error) }, days: null };
  }
}

/** Until when the polled snapshot may read as current: its staleAfter, or earlier when the record verified it signed by a key retired since. */
export function snapshotFreshUntil(snapshot: { generatedAt: string; staleAfter: string }, state: RecordState): string {
  return state.kind === 'verified' && state.snapshot.generatedAt === snapshot.generatedAt ? state.snapshot.freshUntil : snapshot.staleAfter;
}
