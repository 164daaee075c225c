// Publish: the files of one tick, in an order a reader can trust. Nothing is written over a newer
// snapshot (another leader's: this one was frozen, or lost its lock); the side files the snapshot
// refers to go first, each within a bounded time; a side file that fails is retried every tick and
// named in the snapshot; the snapshot goes last, within its own budget, as a compare-and-swap.
import { createHash } from 'node:crypto';
import { databaseTimeAt, isFromTheFuture } from '../shared/clock.ts';
import { limits, type GovernanceStatus } from '../shared/contract.ts';
import { withinMs, type Logger, type SnapshotStorePort } from '../shared/ports.ts';
import type { BuiltSnapshot } from './build-snapshot.ts';
import { publishedInstant, sideFiles, type SideFileSettings } from './side-files.ts';
import { signatureFiles } from './signing-key.ts';
import { assertSnapshotIsValid, assertWithinBound, serializeSnapshot } from './validate.ts';

export type PublishOutcome = 'written' | 'refused';
export type PublishResult = {
  outcome: PublishOutcome;
  snapshot: GovernanceStatus;
  bytes: number;
  written: string[];
  filesBehind: GovernanceStatus['filesBehind'];
  /** the generatedAt of a snapshot another writer put at the destination while this one led, or null */
  otherWriter: string | null;
};

export type PublishSettings = SideFileSettings & {
  /** the whole tick's bound (SNAPSHOT_TIMEOUT_MS): side files get half of it at most, one file a quarter */
  timeoutMs?: number;
};

const defaultTimeoutMs = 30_000;

const md5 = (body: string) => createHash('md5').update(body).digest('hex');
const isLater = (a: string, b: string) => Date.parse(a) > Date.parse(b);
/** A stored snapshot's generatedAt, or null when it has none that is an instant (no snapshot of ours: written over, never echoed). */
const generatedAtOf = (body: string): string | null => publishedInstant(body, 'generatedAt');

/** What the publisher keeps from one tick to the next, and what every step needs. */
type Publisher = {
  /** where every file goes: the side files, the snapshot and its signature */
  store: SnapshotStorePort;
  /** what the side files are made of, and the signer of the snapshot */
  settings: PublishSettings;
  logger: Logger;
  /** the tick's whole bound: side files get half of it at most, one file a quarter */
  timeoutMs: number;
  /** the worker's clock: with the tick's skew, the database's now when the snapshot is written */
  clock: () => Date;
  /**
   * Side files that failed, by name, with the generatedAt of the first snapshot that could not write
   * them: kept across ticks so each snapshot names them, and since when, until a write succeeds.
   */
  behind: Map<string, string>;
  /**
   * What this publisher put at the destination while it led (generatedAt): the last snapshot written,
   * and the last one tried, which may have landed although its write failed. Both null again after a
   * tick it did not lead.
   */
  own: { written: string | null; tried: string | null };
};

/** Publishes tick after tick; remembers which side files are behind, and since when. */
export function createFilePublisher(store: SnapshotStorePort, settings: PublishSettings, logger: Logger, clock: () => Date = () => new Date()) {
  const publisher: Publisher = { store, settings, logger, timeoutMs: settings.timeoutMs ?? defaultTimeoutMs, clock, behind: new Map(), own: { written: null, tried: null } };
  return {
    publish: (built: BuiltSnapshot, signal?: AbortSignal): Promise<PublishResult> => publish(publisher, built, signal),
    /** A file written after the snapshot (the archive's index) that could not be: named in the next snapshots until it is (null). */
    noteBehind: (name: string, failedAt: string | null) => noteBehind(publisher.behind, name, failedAt),
    /** This replica did not lead a tick: what it wrote last is no longer what the destination should hold. */
    reset() {
      publisher.own = { written: null, tried: null };
      publisher.behind.clear(); // retried, and found again, once it leads
    },
  };
}

async function publish(publisher: Publisher, built: BuiltSnapshot, signal?: AbortSignal): Promise<PublishResult> {
  const { store } = publisher;
  const name = store.snapshotName;
  const stored = await store.read(name, signal);
  const storedAt = stored && generatedAtOf(stored.body);
  const otherWriter = anotherWriter(publisher, storedAt);
  if (storedAt && isLater(storedAt, built.snapshot.generatedAt) && !fromTheFuture(publisher, built, storedAt)) return refuse(publisher, built, storedAt, otherWriter);
  // a snapshot over its bound is never written, and neither is anything beside it
  assertWithinBound(name, built.snapshotBody, limits.snapshotBytes);
  const written = await writeSideFiles(publisher, built, signal);
  signal?.throwIfAborted();
  const filesBehind = [...publisher.behind].map(([file, since]) => ({ name: file, since })).slice(0, 20);
  const snapshot = filesBehind.length === 0 ? built.snapshot : assertSnapshotIsValid({ ...built.snapshot, filesBehind });
  const body = snapshot === built.snapshot ? built.snapshotBody : serializeSnapshot(snapshot);
  const bytes = assertWithinBound(name, body, limits.snapshotBytes);
  publisher.own.tried = snapshot.generatedAt;
  const newerAt = await swapSnapshot(publisher, body, snapshot.generatedAt, stored?.tag ?? null, signal);
  if (newerAt !== null) return refuse(publisher, built, newerAt, otherWriter);
  publisher.own.written = snapshot.generatedAt;
  // its signature right after it: a reader who catches the two apart reads the signature again; one
  // that failed leaves the old signature beside the new body, so it is named from the next snapshot on
  for (const [file, signature] of Object.entries(signatureFiles(publisher.settings.signer ?? null, name, body))) {
    await store.put(file, signature, signal).then(
      () => noteBehind(publisher.behind, file, null),
      (error: unknown) => {
        noteBehind(publisher.behind, file, snapshot.generatedAt);
        publisher.logger.warn('signature_failed', { file, behindSince: publisher.behind.get(file), error });
      },
    );
  }
  return { outcome: 'written', snapshot, bytes, written: [name, ...written], filesBehind, otherWriter };
}

/**
 * A leader is the destination's one writer: what it finds there is what it wrote last, unless another
 * worker writes there too (two deployments on one bucket, each reading its own database, each
 * leading by its own lock). Said every tick it is seen, never obeyed: the lock decides who leads.
 */
function anotherWriter({ store, logger, own }: Publisher, storedAt: string | null): string | null {
  // nothing to compare before a first write that landed; a write that failed may have landed too
  if (own.written === null || storedAt === null || storedAt === own.written || storedAt === own.tried) return null;
  logger.error('another_writer', { generatedAt: storedAt, lastWritten: own.written, destination: store.description, reason: otherWriterReason(storedAt) });
  return storedAt;
}

export const otherWriterReason = (generatedAt: string) =>
  `another worker writes to this destination: the snapshot there (generatedAt ${generatedAt}) is not the one this leader wrote last; two deployments (perhaps reading two databases) must not share a destination, and the replicas of one must take their leader lock on one server (leader_lock_on_standby)`;

/**
 * Writes the snapshot as a compare-and-swap on the tag it read: null when written, else the
 * generatedAt of the newer snapshot that stands ('unknown' when it cannot be read or the swap lost three times).
 */
async function swapSnapshot({ store }: Publisher, body: string, generatedAt: string, readTag: string | null, signal?: AbortSignal): Promise<string | null> {
  const name = store.snapshotName;
  let tag = readTag;
  // another writer came between: it may have written an older snapshot (then take its place) or a newer one
  for (let attempt = 0; (await store.replace(name, body, tag, signal)) === 'changed'; attempt += 1) {
    const now = await store.read(name, signal);
    const nowAt = now && generatedAtOf(now.body);
    if ((nowAt && isLater(nowAt, generatedAt)) || attempt === 2) return nowAt ?? 'unknown';
    tag = now?.tag ?? null;
  }
  return null;
}

/** A stored snapshot made after the database's now (shared/clock.ts): no replica's, so it is written over, and said. */
function fromTheFuture({ store, logger, clock }: Publisher, built: BuiltSnapshot, storedAt: string): boolean {
  const databaseNow = databaseTimeAt(clock().getTime(), built.skewMs);
  if (!isFromTheFuture(Date.parse(storedAt), databaseNow)) return false;
  logger.error('snapshot_from_the_future', { generatedAt: storedAt, databaseNow: new Date(databaseNow).toISOString(), destination: store.description, action: 'written over: no replica can have made it' });
  return true;
}

function refuse({ store, logger }: Publisher, built: BuiltSnapshot, than: string, otherWriter: string | null): PublishResult {
  logger.warn('snapshot_refused', { reason: `the published snapshot (generatedAt ${than}) is newer than this one (${built.snapshot.generatedAt}): another replica published since`, destination: store.description });
  return { outcome: 'refused', snapshot: built.snapshot, bytes: 0, written: [], filesBehind: [], otherWriter };
}

/** A file written (failedAt null) leaves the list; one that failed joins it, keeping the first failure's time. */
function noteBehind(behind: Map<string, string>, name: string, failedAt: string | null) {
  if (failedAt === null) behind.delete(name);
  else if (!behind.has(name)) behind.set(name, failedAt);
}

/** Writes each side file that is missing or changed, each within its own time; returns those written. */
async function writeSideFiles({ store, settings, logger, timeoutMs, behind }: Publisher, built: BuiltSnapshot, signal?: AbortSignal): Promise<string[]> {
  const until = performance.now() + timeoutMs / 2;
  const written: string[] = [];
  for (const [name, body] of Object.entries(sideFiles(built, settings))) {
    const left = Math.min(timeoutMs / 4, until - performance.now());
    const bounded = withinMs(signal, left);
    try {
      signal?.throwIfAborted();
      if (left <= 0) throw new Error('no time left for it in this tick');
      if ((await store.contentHash(name, bounded)) !== md5(body)) {
        await store.put(name, body, bounded);
        written.push(name);
      }
      noteBehind(behind, name, null);
    } catch (error) {
      if (signal?.aborted) throw error;
      noteBehind(behind, name, built.snapshot.generatedAt);
      logger.warn('side_file_failed', { file: name, behindSince: behind.get(name), error });
    }
  }
  return written;
}
