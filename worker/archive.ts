// The archivist: each closed UTC day becomes governance-archive/YYYY-MM-DD.json, written once (the
// store's exclusive create: first writer wins), chained by prev to the day before, signed, and listed
// in governance-archive.json. It reads nothing from the database: the history keeper hands it the
// days it has counted (worker/record.ts calls it when a day has closed). After each new index it
// writes governance-archive/recent.json, the newest year in one file (worker/archive-recent.ts).
// closedAt is the instant of archiving, so a key rotated while the worker was down still covers it.
// A failure here is logged and returned (ArchiveOutcome.problem), retried at the next call, and must
// never fail the tick; a store error (network) throws like any store call and is the tick's to log.
import type { ArchiveDay, ArchiveIndexEntry, ClosedDay } from '../shared/archive-contract.ts';
import { archiveLimits, serializeArchiveDay, serializeArchiveIndex } from '../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, archiveRecentFileName, endOfUtcDate, nextUtcDate, signatureFileName } from '../shared/archive-files.ts';
import { publishRecentBundle, refreshRecentBundle } from './archive-recent.ts';
import type { Clock, Logger, SnapshotStorePort } from '../shared/ports.ts';
import { checkDay, dayBefore, followChainBack, readDay, readIndex, sha256Of, type StoredDay } from './archive-chain.ts';
import { archiveDifferences } from '../shared/archive-history.ts';
import { describeError } from './logger.ts';
import { signingKeyFileBody, type Signer } from './signing-key.ts';

export type ArchivistDeps = { store: SnapshotStorePort; signer: Signer | null; logger: Logger; clock: Clock };
export type ArchiveOutcome = { appended: string[]; adopted: string[]; head: ArchiveIndexEntry | null; problem: string | null };

type Chain = { entries: ArchiveIndexEntry[]; updatedAt: string | null };

export function createArchivist({ store, signer, logger, clock }: ArchivistDeps) {
  /** the chain as this process knows it; null until read (index and last day), and after a surprise */
  let chain: Chain | null = null;
  /** a reason to stop archiving until restarted: something archived is not what it must be */
  let broken: string | null = null;
  const archived = new Map<string, ArchiveDay>();
  const mismatched = new Set<string>();
  const refused = new Set<string>();
  /** whether governance-archive/recent.json was written or found current by this process */
  let recentChecked = false;
  const signingKey = signer ? signingKeyFileBody(signer) : null;

  const stop = (event: string, problem: string, fields: Record<string, unknown> = {}): null => {
    broken = problem;
    logger.error(event, { problem, ...fields });
    return null;
  };

  /** The archive stands; a differing count is said once per day and process. */
  function compareWithArchive(counted: ClosedDay, stored: ArchiveDay) {
    const differences = archiveDifferences(counted, stored);
    if (differences.length === 0 || mismatched.has(stored.day)) return;
    mismatched.add(stored.day);
    logger.warn('archive_mismatch', {
      day: stored.day,
      file: archiveDayFileName(stored.day),
      differences: differences.slice(0, 20),
      problem: `the worker now counts ${stored.day} differently from its archive (rows deleted or pruned since?): the archived figures stand`,
    });
  }

  async function ensureSignature(file: string, bytes: string, signal?: AbortSignal) {
    // Ed25519 is deterministic: a racing writer with the same key creates the very same signature.
    if (signer) await store.create(signatureFileName(file), signer.sign(bytes), signal);
  }

  /** The index and the last day (only those): the chain's head, and the days' hashes from the index. */
  async function load(days: readonly ClosedDay[], signal?: AbortSignal): Promise<Chain | null> {
    const index = await readIndex(store, signal);
    if (index !== null && !('problem' in index)) {
      const last = await readDay(store, index.last, signal);
      if (last === null || 'problem' in last || last.sha256 !== index.head) {
        const why = last === null ? 'is missing' : 'problem' in last ? last.problem : `has the SHA-256 ${last.sha256}, not the head ${index.head} the index names`;
        return stop('archive_broken', `the last archived day ${archiveDayFileName(index.last)} ${why}: archiving stops until it is restored`, { file: archiveDayFileName(index.last) });
      }
      archived.set(last.day.day, last.day);
      await backfillSignatures(index.days, last, signal);
      return { entries: index.days, updatedAt: index.updatedAt };
    }
    if (index !== null) logger.error('archive_index_invalid', { file: archiveIndexFileName, problem: index.problem, action: 'rebuilding it from the archived days' });
    return recover(days, signal);
  }

  /** No usable index: the chain is found from the days themselves (see followChainBack), or is new. */
  async function recover(days: readonly ClosedDay[], signal?: AbortSignal): Promise<Chain | null> {
    const oldest = days[0]?.date;
    if (oldest === undefined) return { entries: [], updatedAt: null };
    // the oldest day given, or the day before it: the chain ends there when the keeper's days begin after it
    const found = (await readDay(store, oldest, signal)) ?? (await readDay(store, dayBefore(oldest), signal));
    if (found === null) return { entries: [], updatedAt: null };
    if ('problem' in found) return stop('archive_broken', found.problem);
    const entries = await followChainBack(store, found, signal);
    if ('problem' in entries) return stop('archive_broken', entries.problem);
    logger.warn('archive_index_rebuilt', { file: archiveIndexFileName, first: entries[0]!.day, last: found.day.day, count: entries.length });
    archived.set(found.day.day, found.day);
    return { entries, updatedAt: null };
  }

  /** A key newly set signs the days archived without one: newest first, down to the first signed. */
  async function backfillSignatures(entries: readonly ArchiveIndexEntry[], last: StoredDay, signal?: AbortSignal) {
    if (!signer || (await store.get(signatureFileName(last.file), signal)) !== null) return;
    let signed = 0;
    for (const entry of [...entries].reverse()) {
      const file = archiveDayFileName(entry.day);
      if (signed > 0 && (await store.get(signatureFileName(file), signal)) !== null) break;
      const bytes = entry.day === last.day.day ? last.bytes : await store.get(file, signal);
      if (bytes === null || sha256Of(bytes) !== entry.sha256) {
        logger.error('archive_day_altered', { file, problem: `${file} is missing or differs from the SHA-256 the index lists: not signed` });
        break;
      }
      await ensureSignature(file, bytes, signal);
      signed += 1;
    }
    logger.info('archive_signatures_added', { count: signed, keyId: signer.kid });
  }

  /** A day written by someone else (another replica, an earlier run): taken when it continues the chain. */
  function adopt(file: string, date: string, bytes: string, head: ArchiveIndexEntry | undefined): StoredDay | null {
    const stored = checkDay(file, date, bytes);
    if ('problem' in stored) return stop('archive_broken', stored.problem, { file });
    if (stored.day.prev !== (head?.sha256 ?? null)) {
      // Another chain: this process's view is behind. Nothing is written; the next call rereads.
      logger.warn('archive_chain_conflict', { file, problem: `${file} continues another head than ${head?.day ?? 'none'}: rereading the index` });
      chain = null;
      return null;
    }
    return stored;
  }

  /** Creates the day (or takes the one already there), reads it back, and signs what is stored. */
  async function appendDay(day: ClosedDay, head: ArchiveIndexEntry | undefined, signal?: AbortSignal): Promise<'created' | 'adopted' | null> {
    const file = archiveDayFileName(day.date);
    const bytes = serializeArchiveDay(day, head?.sha256 ?? null);
    if (Buffer.byteLength(bytes) > archiveLimits.dayBytes) return stop('archive_day_too_large', `${file} would be ${Buffer.byteLength(bytes)} bytes, over ${archiveLimits.dayBytes}`, { file });
    const invalid = checkDay(file, day.date, bytes);
    if ('problem' in invalid) return stop('archive_day_invalid', invalid.problem, { file });
    let stored = await store.get(file, signal);
    let outcome: 'created' | 'adopted' = 'adopted';
    if (stored === null && (await store.create(file, bytes, signal)) === 'created') {
      stored = await store.get(file, signal);
      outcome = 'created';
      if (stored !== bytes) {
        logger.error('archive_store_not_exclusive', {
          file,
          store: store.description,
          problem: `${file} read back differs from what this worker created: the store does not honour exclusive creates (If-None-Match), so racing writers can replace each other's days`,
        });
        outcome = 'adopted';
      }
    } else stored ??= await store.get(file, signal);
    if (stored === null) return stop('archive_broken', `${file} was reported present but cannot be read`, { file });
    const taken = outcome === 'created' ? checkDay(file, day.date, stored) : adopt(file, day.date, stored, head);
    if (taken === null || 'problem' in taken) return null;
    archived.set(day.date, taken.day);
    await ensureSignature(file, stored, signal);
    logger.info(outcome === 'created' ? 'archive_day_archived' : 'archive_day_adopted', { day: day.date, file, sha256: taken.sha256, signed: signer !== null });
    if (outcome === 'adopted') compareWithArchive(day, taken.day);
    current().entries.push({ day: day.date, sha256: taken.sha256 });
    return outcome;
  }

  const current = () => chain!;

  /** Days that may be archived now: closed by the clock, closedAt after the day's end, each once. */
  function archivable(days: readonly ClosedDay[], now: number): ClosedDay[] {
    const byDate = new Map<string, ClosedDay>();
    for (const day of days) {
      const reason =
        endOfUtcDate(day.date) > now ? `the clock (${new Date(now).toISOString()}) says ${day.date} has not ended`
        : Date.parse(day.closedAt) < endOfUtcDate(day.date) ? `its closedAt ${day.closedAt} is before the day ended`
        : null;
      if (reason === null) byDate.set(day.date, day);
      else if (!refused.has(day.date)) {
        refused.add(day.date);
        logger.warn('archive_day_refused', { day: day.date, problem: reason });
      }
    }
    return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  async function writeIndex(now: number, signal?: AbortSignal) {
    const { entries } = current();
    const lastClosed = archived.get(entries.at(-1)!.day)?.closedAt;
    const times = [now, Date.parse(current().updatedAt ?? ''), Date.parse(lastClosed ?? '')].filter(Number.isFinite);
    const updatedAt = new Date(Math.max(...times)).toISOString();
    // A writer that fell behind (another replica got further) never puts an older index back.
    const stored = await readIndex(store, signal);
    if (stored !== null && !('problem' in stored) && stored.count > entries.length) {
      chain = null;
      return;
    }
    const body = serializeArchiveIndex(entries, updatedAt);
    const indexSignature = signer?.sign(body) ?? null;
    await store.put(archiveIndexFileName, body, signal);
    if (indexSignature) await store.put(signatureFileName(archiveIndexFileName), indexSignature, signal);
    current().updatedAt = updatedAt;
    await publishRecentBundle(store, { entries, index: body, indexSignature, updatedAt, signingKey }, signal);
    recentChecked = true;
  }

  async function adoptFound(found: StoredDay | { problem: string }, signal?: AbortSignal): Promise<boolean> {
    if ('problem' in found) return Boolean(stop('archive_broken', found.problem));
    const taken = adopt(found.file, found.day.day, found.bytes, chain?.entries.at(-1));
    if (taken === null) return false;
    archived.set(taken.day.day, taken.day);
    await ensureSignature(taken.file, taken.bytes, signal);
    current().entries.push({ day: taken.day.day, sha256: taken.sha256 });
    logger.info('archive_day_adopted', { day: taken.day.day, file: taken.file, sha256: taken.sha256, signed: signer !== null });
    return true;
  }

  /** See archive() below; store errors propagate to it. */
  async function archiveDays(days: readonly ClosedDay[], signal?: AbortSignal): Promise<ArchiveOutcome> {
    const outcome: ArchiveOutcome = { appended: [], adopted: [], head: null, problem: null };
    if (broken === null) chain ??= await load([...days].sort((a, b) => a.date.localeCompare(b.date)), signal);
    if (broken !== null || chain === null) return { ...outcome, problem: broken };
    const now = clock().getTime();
    const startCount = chain.entries.length;
    for (const day of archivable(days, now)) {
      const head = chain?.entries.at(-1);
      if (chain === null || (head && day.date <= head.day)) continue;
      // The index may lag behind the days (a writer stopped between the two): take what is there.
      for (let next = head && nextUtcDate(head.day); next && next < day.date; next = nextUtcDate(next)) {
        const found = await readDay(store, next, signal);
        if (found === null) break;
        if (!(await adoptFound(found, signal))) break;
        outcome.adopted.push(next);
      }
      if (chain === null || broken !== null) break;
      const last = chain.entries.at(-1);
      if (last && nextUtcDate(last.day) !== day.date) logger.warn('archive_gap', { after: last.day, next: day.date, problem: 'no closed day was given for the days between: the chain skips them' });
      const result = await appendDay(day, last, signal);
      if (result === null) break;
      (result === 'created' ? outcome.appended : outcome.adopted).push(day.date);
    }
    if (chain !== null && broken === null && chain.entries.length > startCount) await writeIndex(now, signal);
    else if (chain?.entries.length && broken === null && !recentChecked) {
      if (await refreshRecentBundle(store, { entries: chain.entries, updatedAt: chain.updatedAt, signingKey }, signal)) logger.info('archive_recent_rewritten', { file: archiveRecentFileName });
      recentChecked = true;
    }
    return { ...outcome, head: chain?.entries.at(-1) ?? null, problem: broken };
  }

  return {
    /**
     * Appends, in order, the given closed days that come after the archive's last day, each chained
     * to the one before, then rewrites the index. Days at or before the last archived one are left as
     * they are (reconcile compares them). A day already stored under its name is taken as it is.
     */
    async archive(days: readonly ClosedDay[], signal?: AbortSignal): Promise<ArchiveOutcome> {
      try {
        return await archiveDays(days, signal);
      } catch (error) {
        // The store failed (network, timeout): whatever was created stays and is taken as it is next time.
        chain = null;
        logger.warn('archive_failed', { error, store: store.description });
        return { appended: [], adopted: [], head: null, problem: `the store failed: ${describeError(error).message}` };
      }
    },

    /** The archived days from `from` to `to` (UTC dates, inclusive), each read once and checked against the index. */
    async archivedDays(from: string, to: string, signal?: AbortSignal): Promise<ArchiveDay[]> {
      if (broken === null && chain === null) {
        // without an index there is nothing to list yet; archive() will look for the chain itself
        const loaded = await load([], signal);
        if (loaded?.entries.length) chain = loaded;
      }
      if (chain === null || broken !== null) return [];
      const result: ArchiveDay[] = [];
      for (const entry of chain.entries) {
        if (entry.day < from || entry.day > to) continue;
        let day = archived.get(entry.day);
        if (!day) {
          const stored = await readDay(store, entry.day, signal);
          if (stored === null || 'problem' in stored || stored.sha256 !== entry.sha256) {
            logger.error('archive_day_altered', { file: archiveDayFileName(entry.day), problem: stored && 'problem' in stored ? stored.problem : 'missing, or not the SHA-256 the index lists' });
            continue;
          }
          day = stored.day;
          archived.set(entry.day, day);
        }
        result.push(day);
      }
      return result;
    },

    /**
     * The archived figures of the given days' range, which the history must show; a day whose counts
     * or spend the worker now sees differently (rows deleted or pruned) is logged archive_mismatch,
     * once per day. The archive stands.
     */
    async reconcile(days: readonly ClosedDay[], signal?: AbortSignal): Promise<ArchiveDay[]> {
      if (days.length === 0) return [];
      const dates = days.map((day) => day.date).sort();
      const stored = await this.archivedDays(dates[0]!, dates.at(-1)!, signal);
      const byDate = new Map(stored.map((day) => [day.day, day]));
      for (const day of days) {
        const archivedDay = byDate.get(day.date);
        if (archivedDay) compareWithArchive(day, archivedDay);
      }
      return stored;
    },
  };
}

export type Archivist = ReturnType<typeof createArchivist>;
