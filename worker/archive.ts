// The archivist: each closed UTC day becomes governance-archive/YYYY-MM-DD.json, written once (the
// store's exclusive create: first writer wins), chained by prev to the day before, signed, and listed
// in governance-archive.json. It reads nothing from the database: the history keeper hands it the
// days it has counted (worker/record.ts calls it when a day has closed). After each new index it
// writes governance-archive/recent.json, the newest year in one file (worker/archive-recent.ts).
// closedAt is the instant of archiving, so a key rotated while the worker was down still covers it.
// A failure here is logged and returned (ArchiveOutcome.problem), retried at the next call, and must
// never fail the tick; a store error (network) throws like any store call and is the tick's to log.
// How one day joins the chain (load, adopt, append) is in worker/archive-append.ts.
import type { ArchiveDay, ArchiveIndexEntry, ClosedDay } from '../shared/archive-contract.ts';
import { serializeArchiveIndex } from '../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, archiveRecentFileName, endOfUtcDate, nextUtcDate, signatureFileName } from '../shared/archive-files.ts';
import { publishRecentBundle, refreshRecentBundle } from './archive-recent.ts';
import { readDay, readIndex } from './archive-chain.ts';
import { adoptFound, appendDay, compareWithArchive, load, type ArchivistDeps, type ArchivistState } from './archive-append.ts';
import { describeError } from './logger.ts';
import { signingKeyFileBody } from './signing-key.ts';

export type { ArchivistDeps } from './archive-append.ts';
export type ArchiveOutcome = { appended: string[]; adopted: string[]; head: ArchiveIndexEntry | null; problem: string | null };

export function createArchivist(deps: ArchivistDeps) {
  const state: ArchivistState = {
    ...deps,
    signingKey: deps.signer ? signingKeyFileBody(deps.signer) : null,
    chain: null,
    broken: null,
    waiting: null,
    archived: new Map(),
    mismatched: new Set(),
    refused: new Set(),
    recentChecked: false,
    indexUnsigned: false,
    listingChecked: null,
    conflict: null,
  };
  return {
    /**
     * Appends, in order, the given closed days that come after the archive's last day, each chained
     * to the one before, then rewrites the index. Days at or before the last archived one are left as
     * they are (reconcile compares them). A day already stored under its name is taken as it is.
     */
    async archive(days: readonly ClosedDay[], signal?: AbortSignal): Promise<ArchiveOutcome> {
      try {
        return await archiveDays(state, days, signal);
      } catch (error) {
        // The store failed (network, timeout): whatever was created stays and is taken as it is next time.
        state.chain = null;
        state.logger.warn('archive_failed', { error, store: state.store.description });
        return { appended: [], adopted: [], head: null, problem: `the store failed: ${describeError(error).message}` };
      }
    },
    /** The archived days from `from` to `to` (UTC dates, inclusive), each read once and checked against the index. */
    archivedDays: (from: string, to: string, signal?: AbortSignal): Promise<ArchiveDay[]> => archivedDays(state, from, to, signal),
    /**
     * The archived figures of the given days' range, which the history must show; a day whose counts
     * or spend the worker now sees differently (rows deleted or pruned) is logged archive_mismatch,
     * once per day. The archive stands.
     */
    reconcile: (days: readonly ClosedDay[], signal?: AbortSignal): Promise<ArchiveDay[]> => reconcile(state, days, signal),
  };
}

export type Archivist = ReturnType<typeof createArchivist>;

/** See archive() above; store errors propagate to it. */
async function archiveDays(state: ArchivistState, days: readonly ClosedDay[], signal?: AbortSignal): Promise<ArchiveOutcome> {
  const outcome: ArchiveOutcome = { appended: [], adopted: [], head: null, problem: null };
  if (state.broken === null) state.chain ??= await load(state, [...days].sort((a, b) => a.date.localeCompare(b.date)), signal);
  if (state.broken !== null || state.chain === null) return { ...outcome, problem: state.broken ?? state.waiting };
  const now = state.clock().getTime();
  const startCount = state.chain.entries.length;
  for (const day of archivable(state, days, now)) {
    const head = state.chain?.entries.at(-1);
    if (state.chain === null || (head && day.date <= head.day)) continue;
    await catchUp(state, head, day.date, outcome.adopted, signal);
    if (state.chain === null || state.broken !== null) break;
    const last = state.chain.entries.at(-1);
    if (last && nextUtcDate(last.day) !== day.date) state.logger.warn('archive_gap', { after: last.day, next: day.date, problem: 'no closed day was given for the days between: the chain skips them' });
    const result = await appendDay(state, day, last, signal);
    if (result === null) break;
    (result === 'created' ? outcome.appended : outcome.adopted).push(day.date);
  }
  const indexStale = state.chain !== null && (state.chain.entries.length > startCount || (state.indexUnsigned && state.chain.entries.length > 0));
  if (indexStale && state.broken === null) await writeIndex(state, now, signal);
  else if (state.chain?.entries.length && state.broken === null && !state.recentChecked) await refreshRecent(state, state.chain.entries, state.chain.updatedAt, signal);
  if (state.waiting === null) state.conflict = null;
  return { ...outcome, head: state.chain?.entries.at(-1) ?? null, problem: state.broken ?? state.waiting };
}

/** The index may lag behind the days (a writer stopped between the two): takes the days stored after its head and before `date`. */
async function catchUp(state: ArchivistState, head: ArchiveIndexEntry | undefined, date: string, adopted: string[], signal?: AbortSignal) {
  for (let next = head && nextUtcDate(head.day); next && next < date; next = nextUtcDate(next)) {
    const found = await readDay(state.store, next, signal);
    if (found === null || !(await adoptFound(state, found, signal))) return;
    adopted.push(next);
  }
}

/** Days that may be archived now: closed by the clock, closedAt after the day's end, each once. */
function archivable(state: ArchivistState, days: readonly ClosedDay[], now: number): ClosedDay[] {
  const byDate = new Map<string, ClosedDay>();
  for (const day of days) {
    const reason =
      endOfUtcDate(day.date) > now ? `the clock (${new Date(now).toISOString()}) says ${day.date} has not ended`
      : Date.parse(day.closedAt) < endOfUtcDate(day.date) ? `its closedAt ${day.closedAt} is before the day ended`
      : null;
    if (reason === null) byDate.set(day.date, day);
    else if (!state.refused.has(day.date)) {
      state.refused.add(day.date);
      state.logger.warn('archive_day_refused', { day: day.date, problem: reason });
    }
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

async function writeIndex(state: ArchivistState, now: number, signal?: AbortSignal) {
  const { store, signer } = state;
  const { entries } = state.chain!;
  const lastClosed = state.archived.get(entries.at(-1)!.day)?.closedAt;
  const times = [now, Date.parse(state.chain!.updatedAt ?? ''), Date.parse(lastClosed ?? '')].filter(Number.isFinite);
  const updatedAt = new Date(Math.max(...times)).toISOString();
  // A writer that fell behind (another replica got further) never puts an older index back.
  const stored = await readIndex(store, signal);
  if (stored !== null && !('problem' in stored) && stored.count > entries.length) {
    state.chain = null;
    return;
  }
  const body = serializeArchiveIndex(entries, updatedAt);
  const indexSignature = signer?.sign(body) ?? null;
  await store.put(archiveIndexFileName, body, signal);
  if (indexSignature) await store.put(signatureFileName(archiveIndexFileName), indexSignature, signal);
  state.chain!.updatedAt = updatedAt;
  state.indexUnsigned = false;
  await publishRecentBundle(store, { entries, index: body, indexSignature, updatedAt, signingKey: state.signingKey }, signal);
  state.recentChecked = true;
}

/** Nothing new to index: recent.json is checked once per process, and rewritten when it is not current. */
async function refreshRecent(state: ArchivistState, entries: ArchiveIndexEntry[], updatedAt: string | null, signal?: AbortSignal) {
  if (await refreshRecentBundle(state.store, { entries, updatedAt, signingKey: state.signingKey }, signal)) state.logger.info('archive_recent_rewritten', { file: archiveRecentFileName });
  state.recentChecked = true;
}

async function archivedDays(state: ArchivistState, from: string, to: string, signal?: AbortSignal): Promise<ArchiveDay[]> {
  if (state.broken === null && state.chain === null) {
    // without an index there is nothing to list yet; archive() will look for the chain itself
    const loaded = await load(state, [], signal);
    if (loaded?.entries.length) state.chain = loaded;
  }
  if (state.chain === null || state.broken !== null) return [];
  const result: ArchiveDay[] = [];
  for (const entry of state.chain.entries) {
    if (entry.day < from || entry.day > to) continue;
    let day = state.archived.get(entry.day);
    if (!day) {
      const stored = await readDay(state.store, entry.day, signal);
      if (stored === null || 'problem' in stored || stored.sha256 !== entry.sha256) {
        state.logger.error('archive_day_altered', { file: archiveDayFileName(entry.day), problem: stored && 'problem' in stored ? stored.problem : 'missing, or not the SHA-256 the index lists' });
        continue;
      }
      day = stored.day;
      state.archived.set(entry.day, day);
    }
    result.push(day);
  }
  return result;
}

async function reconcile(state: ArchivistState, days: readonly ClosedDay[], signal?: AbortSignal): Promise<ArchiveDay[]> {
  if (days.length === 0) return [];
  const dates = days.map((day) => day.date).sort();
  const stored = await archivedDays(state, dates[0]!, dates.at(-1)!, signal);
  const byDate = new Map(stored.map((day) => [day.day, day]));
  for (const day of days) {
    const archivedDay = byDate.get(day.date);
    if (archivedDay) compareWithArchive(state, day, archivedDay);
  }
  return stored;
}
