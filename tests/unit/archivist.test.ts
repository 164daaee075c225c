// The archivist (worker/archive.ts) on the in-memory store: days appended once, in order, chained;
// a restart that reads only the index and the last day; a clock that jumps back; counts that change
// after archiving; racing writers; a store that ignores exclusive creates; a lost or altered record.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveIndexFileName, archiveRecentFileName, endOfUtcDate, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { asRecentBundle, bundleRange, readWithBundle } from '../../shared/archive-bundle.ts';
import { verifyRecord } from '../../shared/archive-verify.ts';
import { serializeArchiveDay } from '../../shared/archive-contract.ts';
import type { SnapshotStorePort } from '../../shared/ports.ts';
import { createArchivist } from '../../worker/archive.ts';
import { signingKeyFileBody } from '../../worker/signing-key.ts';
import { closedDay, dates, newSigner, readFrom, recordingLogger, snapshotAt } from '../support/archive-record.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const sha256 = (body: string) => createHash('sha256').update(body).digest('hex');
const at = (date: string, minutes: number) => new Date(endOfUtcDate(date) + minutes * 60_000);
const dayFiles = (files: Map<string, string>) => [...files.keys()].filter((name) => /^governance-archive\/\d{4}-\d\d-\d\d\.json$/.test(name)).sort();

function setup(clockAt: Date, signer = newSigner(), store?: SnapshotStorePort) {
  const memory = createMemoryStore();
  const logger = recordingLogger();
  let now = clockAt;
  const archivist = createArchivist({ store: store ?? memory.store, signer, logger, clock: () => now });
  return { ...memory, logger, archivist, signer, setClock: (next: Date) => (now = next) };
}

/** Counts what a store is asked to read. */
function counting(store: SnapshotStorePort) {
  const reads: string[] = [];
  return { reads, store: { ...store, get: (name: string, signal?: AbortSignal) => (reads.push(name), store.get(name, signal)) } };
}

describe('first start', () => {
  it('archives every closed day given, oldest first, each chained to the one before, and writes the index', async () => {
    const list = dates('2026-08-06', 89);
    const { files, archivist, logger } = setup(at(list.at(-1)!, 15));
    const outcome = await archivist.archive([...list].reverse().map((date) => closedDay(date)));
    expect(outcome).toMatchObject({ appended: list, adopted: [], problem: null });
    let prev: string | null = null;
    for (const date of list) {
      const body = files.get(archiveDayFileName(date))!;
      expect(JSON.parse(body)).toMatchObject({ schemaVersion: 1, day: date, prev });
      prev = sha256(body);
    }
    const index = JSON.parse(files.get(archiveIndexFileName)!);
    expect(index).toMatchObject({ first: list[0], last: list.at(-1), count: 89, head: prev, updatedAt: at(list.at(-1)!, 15).toISOString() });
    expect(index.days.map((entry: { day: string }) => entry.day)).toEqual(list);
    expect(files.has(signatureFileName(archiveIndexFileName))).toBe(true);
    expect(list.every((date) => files.has(signatureFileName(archiveDayFileName(date))))).toBe(true);
    expect(logger.events('archive_day_archived')).toHaveLength(89);
  });

  it('without a key writes the same chain, and no signature', async () => {
    const { files, archivist } = setup(at('2026-10-02', 15), null as never);
    await archivist.archive(dates('2026-10-01', 2).map((date) => closedDay(date)));
    expect(dayFiles(files)).toHaveLength(2);
    expect([...files.keys()].some((name) => name.endsWith('.jws'))).toBe(false);
  });
});

describe('later days and restarts', () => {
  it('closes day after day with the clock, and a restarted worker reads only the index and the last day', async () => {
    const list = dates('2026-10-01', 6);
    const first = setup(at(list[2]!, 15));
    await first.archivist.archive(list.slice(0, 3).map((date) => closedDay(date)));
    first.setClock(at(list[3]!, 12));
    expect((await first.archivist.archive(list.slice(0, 4).map((date) => closedDay(date)))).appended).toEqual([list[3]]);

    // restart mid-day (list[4] has not closed yet): same store, new process
    const { reads, store } = counting(first.store);
    const restarted = setup(at(list[4]!, -300), first.signer, store);
    const outcome = await restarted.archivist.archive(list.slice(0, 5).map((date) => closedDay(date)));
    expect(outcome).toMatchObject({ appended: [], head: { day: list[3] } });
    expect(restarted.logger.events('archive_day_refused')).toMatchObject([{ day: list[4] }]);
    // then, once per process, whether recent.json is that of the index (worker/archive-recent.ts)
    expect(reads.filter((name) => name.endsWith('.json'))).toEqual([archiveIndexFileName, archiveDayFileName(list[3]!), archiveIndexFileName, archiveRecentFileName]);

    restarted.setClock(at(list[4]!, 11));
    await restarted.archivist.archive(list.slice(0, 5).map((date) => closedDay(date)));
    const day4 = JSON.parse(first.files.get(archiveDayFileName(list[4]!))!);
    expect(day4.prev).toBe(sha256(first.files.get(archiveDayFileName(list[3]!))!));
    expect(JSON.parse(first.files.get(archiveIndexFileName)!)).toMatchObject({ count: 5, last: list[4] });
  });

  it('a clock that jumps back across midnight neither rewrites nor forks the chain', async () => {
    const list = dates('2026-10-01', 3);
    const { files, archivist, logger, setClock } = setup(at(list[1]!, 15));
    await archivist.archive(list.slice(0, 2).map((date) => closedDay(date)));
    const before = new Map(files);
    // back before midnight: the keeper's days (list[1] again, with other counts) and a day not yet over
    setClock(at(list[1]!, -10));
    const changed = closedDay(list[1]!, { spent: 1n });
    const outcome = await archivist.archive([closedDay(list[0]!), changed, closedDay(list[2]!)]);
    expect(outcome).toMatchObject({ appended: [], adopted: [] });
    expect(files).toEqual(before);
    expect(logger.events('archive_day_refused')).toMatchObject([
      { day: list[1], problem: expect.stringMatching(/has not ended/) },
      { day: list[2], problem: expect.stringMatching(/has not ended/) },
    ]);
    // forward again: the next day continues from the day archived before the jump
    setClock(at(list[2]!, 15));
    await archivist.archive(list.map((date) => closedDay(date)));
    expect(JSON.parse(files.get(archiveDayFileName(list[2]!))!).prev).toBe(sha256(before.get(archiveDayFileName(list[1]!))!));
  });

  it('a gap in the days given is said, and the chain goes on from the last archived day', async () => {
    const { files, archivist, logger } = setup(at('2026-10-05', 15));
    await archivist.archive([closedDay('2026-10-01'), closedDay('2026-10-05')]);
    expect(logger.events('archive_gap')).toMatchObject([{ after: '2026-10-01', next: '2026-10-05' }]);
    expect(JSON.parse(files.get(archiveDayFileName('2026-10-05'))!).prev).toBe(sha256(files.get(archiveDayFileName('2026-10-01'))!));
  });

  it('an index that lags behind the days (a writer stopped between the two) is caught up: the days after its head are taken, and the chain goes on from them', async () => {
    const list = dates('2026-10-01', 3);
    const first = setup(at(list[0]!, 15));
    await first.archivist.archive([closedDay(list[0]!)]);
    const lagging = first.files.get(archiveIndexFileName)!;
    first.setClock(at(list[1]!, 15));
    await first.archivist.archive(list.slice(0, 2).map((date) => closedDay(date)));
    first.files.set(archiveIndexFileName, lagging);
    // a restarted worker whose keeper's days begin after the day the index misses
    const restarted = setup(at(list[2]!, 15), first.signer, first.store);
    const outcome = await restarted.archivist.archive([closedDay(list[2]!)]);
    expect(outcome).toMatchObject({ appended: [list[2]], adopted: [list[1]], problem: null });
    expect(restarted.logger.events('archive_gap')).toEqual([]);
    expect(JSON.parse(first.files.get(archiveDayFileName(list[2]!))!).prev).toBe(sha256(first.files.get(archiveDayFileName(list[1]!))!));
    expect(JSON.parse(first.files.get(archiveIndexFileName)!).days.map((entry: { day: string }) => entry.day)).toEqual(list);
  });

  it('a day refused (not yet ended) is said once per process, however often it is given', async () => {
    const list = dates('2026-10-01', 2);
    const { archivist, logger } = setup(at(list[1]!, -10));
    for (let call = 0; call < 3; call += 1) await archivist.archive(list.map((date) => closedDay(date)));
    expect(logger.events('archive_day_refused')).toMatchObject([{ day: list[1] }]);
  });

  it('with nothing new to archive, recent.json is checked once per process, not at every call', async () => {
    const list = dates('2026-10-01', 2);
    const first = setup(at(list[1]!, 15));
    await first.archivist.archive(list.map((date) => closedDay(date)));
    const { reads, store } = counting(first.store);
    const restarted = setup(at(list[1]!, 30), first.signer, store);
    for (let call = 0; call < 3; call += 1) await restarted.archivist.archive(list.map((date) => closedDay(date)));
    expect(reads.filter((name) => name === archiveRecentFileName)).toHaveLength(1);
  });
});

describe('counts that change after a day was archived', () => {
  it('the archive stands, archive_mismatch is logged once per day, and the archived figures are returned', async () => {
    const list = dates('2026-10-01', 3);
    const { files, archivist, logger } = setup(at(list[2]!, 15));
    await archivist.archive(list.map((date) => closedDay(date)));
    const before = new Map(files);
    // rows pruned: the worker now counts fewer runs on the first two days
    const pruned = list.map((date, index) => (index < 2 ? closedDay(date, { charters: [], spent: 0n }) : closedDay(date)));
    const first = await archivist.reconcile(pruned);
    await archivist.reconcile(pruned);
    await archivist.archive(pruned);
    expect(files).toEqual(before);
    expect(logger.events('archive_mismatch').map((line) => line.day)).toEqual([list[0], list[1]]);
    expect(logger.events('archive_mismatch')[0]!.differences).toContainEqual({ charterId: 'engineering', field: 'expected', archived: 96, counted: null });
    expect(first.map((day) => day.day)).toEqual(list);
    expect(first[0]!.charters.find((charter) => charter.id === 'engineering')).toMatchObject({ expected: 96 });
  });
});

describe('two writers', () => {
  it('racing to close the same days leave one object per day, and both continue from the same bytes', async () => {
    const list = dates('2026-10-01', 4);
    const { store, files } = createMemoryStore();
    const signer = newSigner();
    const writers = [0, 1].map((n) => {
      const logger = recordingLogger();
      return { logger, archivist: createArchivist({ store, signer, logger, clock: () => at(list.at(-1)!, 10 + n) }) };
    });
    const outcomes = await Promise.all(
      writers.map((writer, n) => writer.archivist.archive(list.map((date) => closedDay(date, { closedAt: at(date, 10 + n).toISOString() })))),
    );
    expect(dayFiles(files)).toEqual(list.map(archiveDayFileName));
    expect(outcomes[0]!.head).toEqual(outcomes[1]!.head);
    expect(JSON.parse(files.get(archiveIndexFileName)!).head).toBe(outcomes[0]!.head!.sha256);
    const adopted = outcomes.flatMap((outcome) => outcome.adopted);
    const appended = outcomes.flatMap((outcome) => outcome.appended);
    expect([...adopted, ...appended].sort()).toEqual([...list, ...list].sort());
    expect(new Set(appended).size).toBe(appended.length);
  });

  it('a store that ignores exclusive creates is caught by reading back, and the loser takes the bytes that stayed', async () => {
    const { store, files } = createMemoryStore();
    // like an S3-compatible store that ignores If-None-Match: every create writes; both writers get
    // past their check before either writes (a barrier), so the second write replaces the first
    const waiting: Array<{ name: string; body: string; wake(): void }> = [];
    const ignoring: SnapshotStorePort = {
      ...store,
      async create(name, body) {
        if (!(name.endsWith('.json') && name.startsWith('governance-archive/'))) return store.create(name, body);
        await new Promise<void>((wake) => {
          waiting.push({ name, body, wake });
          if (waiting.length < 2) return;
          for (const write of waiting) files.set(write.name, write.body);
          for (const write of waiting.splice(0)) write.wake();
        });
        return 'created';
      },
    };
    const signer = newSigner();
    const loggers = [recordingLogger(), recordingLogger()];
    const day = '2026-10-01';
    const outcomes = await Promise.all(
      loggers.map((logger, n) =>
        createArchivist({ store: ignoring, signer, logger, clock: () => at(day, 20) }).archive([closedDay(day, { closedAt: at(day, 10 + n).toISOString() })]),
      ),
    );
    const stored = files.get(archiveDayFileName(day))!;
    const caught = loggers.flatMap((logger) => logger.events('archive_store_not_exclusive'));
    expect(caught).toHaveLength(1);
    expect(caught[0]).toMatchObject({ level: 'error', file: archiveDayFileName(day), store: 'memory' });
    expect(outcomes.map((outcome) => outcome.head?.sha256)).toEqual([sha256(stored), sha256(stored)]);
  });

  it('a day stored by a writer on another chain (its prev is not this head) is neither taken nor written over: the next call reads the index again, and each outcome names it until it is gone', async () => {
    const list = dates('2026-10-01', 2);
    const { files, store } = createMemoryStore();
    const counted = counting(store);
    const { archivist, logger, setClock } = setup(at(list[0]!, 15), newSigner(), counted.store);
    await archivist.archive([closedDay(list[0]!)]);
    // a writer whose first day was another one (a store that let two creates of it through) chained its next day to that
    await store.create(archiveDayFileName(list[1]!), serializeArchiveDay(closedDay(list[1]!), sha256('another first day')));
    const before = new Map(files);
    setClock(at(list[1]!, 15));
    const conflict = { appended: [], adopted: [], problem: `${archiveDayFileName(list[1]!)} continues another head than ${list[0]}: the index is read again at the next call` };
    expect(await archivist.archive(list.map((date) => closedDay(date)))).toMatchObject(conflict);
    expect(logger.events('archive_chain_conflict')).toEqual([expect.objectContaining({ file: archiveDayFileName(list[1]!) })]);
    expect(files).toEqual(before);
    counted.reads.length = 0;
    // the index read again says the same: not a view behind but a fork, named while it lasts
    expect(await archivist.archive(list.map((date) => closedDay(date)))).toMatchObject(conflict);
    expect(counted.reads[0]).toBe(archiveIndexFileName);
    expect(files).toEqual(before);
    expect(logger.events('archive_chain_conflict')).toHaveLength(1); // said once while it stands, named in every outcome
    // the operator removes the other writer's day: archiving goes on, and the problem is gone
    files.delete(archiveDayFileName(list[1]!));
    expect(await archivist.archive(list.map((date) => closedDay(date)))).toMatchObject({ appended: [list[1]], problem: null });
  });

  it('a writer that fell behind never puts an older index back', async () => {
    const list = dates('2026-10-01', 4);
    const { store, files } = createMemoryStore();
    const signer = newSigner();
    let behindClock = at(list[1]!, 15);
    const behind = createArchivist({ store, signer, logger: recordingLogger(), clock: () => behindClock });
    await behind.archive(list.slice(0, 2).map((date) => closedDay(date)));
    const ahead = createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[3]!, 15) });
    await ahead.archive(list.map((date) => closedDay(date)));
    const index = files.get(archiveIndexFileName);
    behindClock = at(list[2]!, 15);
    // the first writer, still at list[1], now closes list[2]: it takes the day that is there and leaves the index
    const outcome = await behind.archive(list.slice(0, 3).map((date) => closedDay(date)));
    expect(outcome.adopted).toEqual([list[2]]);
    expect(files.get(archiveIndexFileName)).toBe(index);
  });
});

describe('a damaged record is never written over', () => {
  it('a lost index is rebuilt from the days themselves, and the chain goes on', async () => {
    const list = dates('2026-10-01', 4);
    const { files, store, signer } = setup(at(list[2]!, 15));
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[2]!, 15) }).archive(list.slice(0, 3).map((date) => closedDay(date)));
    const before = new Map(files);
    files.delete(archiveIndexFileName);
    const logger = recordingLogger();
    // the keeper's window has moved on: its oldest day is the second archived one
    const outcome = await createArchivist({ store, signer, logger, clock: () => at(list[3]!, 15) }).archive(list.slice(1).map((date) => closedDay(date)));
    expect(logger.events('archive_index_rebuilt')).toMatchObject([{ first: list[0], last: list[1], count: 2 }]);
    expect(outcome).toMatchObject({ appended: [list[3]], adopted: [list[2]] });
    for (const date of list.slice(0, 3)) expect(files.get(archiveDayFileName(date))).toBe(before.get(archiveDayFileName(date)));
    expect(JSON.parse(files.get(archiveIndexFileName)!)).toMatchObject({ first: list[0], count: 4 });
  });

  it('a last day that is not the one the index names stops archiving, and says which file', async () => {
    const list = dates('2026-10-01', 3);
    const { files, store, signer } = setup(at(list[1]!, 15));
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[1]!, 15) }).archive(list.slice(0, 2).map((date) => closedDay(date)));
    files.set(archiveDayFileName(list[1]!), files.get(archiveDayFileName(list[1]!))!.slice(0, 30));
    const before = new Map(files);
    const logger = recordingLogger();
    const outcome = await createArchivist({ store, signer, logger, clock: () => at(list[2]!, 15) }).archive(list.map((date) => closedDay(date)));
    expect(outcome.problem).toMatch(new RegExp(`${archiveDayFileName(list[1]!)} is not JSON`));
    expect(logger.events('archive_broken')).toMatchObject([{ level: 'error', file: archiveDayFileName(list[1]!) }]);
    expect(files).toEqual(before);
  });

  it('an earlier day altered after a restart is left out of the days returned (archive_day_altered), and the chain goes on', async () => {
    const list = dates('2026-10-01', 4);
    const { files, store, signer } = setup(at(list[2]!, 15));
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[2]!, 15) }).archive(list.slice(0, 3).map((date) => closedDay(date)));
    files.set(archiveDayFileName(list[0]!), 'not json');
    const logger = recordingLogger();
    const restarted = createArchivist({ store, signer, logger, clock: () => at(list[3]!, 15) });
    // only the last day is read at a restart: archiving goes on from it
    expect(await restarted.archive(list.map((date) => closedDay(date)))).toMatchObject({ appended: [list[3]], problem: null });
    expect((await restarted.archivedDays(list[0]!, list[3]!)).map((day) => day.day)).toEqual(list.slice(1));
    expect(logger.events('archive_day_altered')).toMatchObject([{ level: 'error', file: archiveDayFileName(list[0]!) }]);
    expect(logger.events('archive_broken')).toEqual([]);
    expect(files.get(archiveDayFileName(list[0]!))).toBe('not json');
  });

  it('a day already stored that is not JSON is never taken nor replaced', async () => {
    const { files, store, signer } = setup(at('2026-10-02', 15));
    files.set(archiveDayFileName('2026-10-01'), '{"schemaVersion":1,"day":"2026-10');
    const logger = recordingLogger();
    const outcome = await createArchivist({ store, signer, logger, clock: () => at('2026-10-02', 15) }).archive([closedDay('2026-10-01'), closedDay('2026-10-02')]);
    expect(outcome.problem).toMatch(/governance-archive\/2026-10-01\.json is not JSON/);
    expect(files.get(archiveDayFileName('2026-10-01'))).toBe('{"schemaVersion":1,"day":"2026-10');
    expect(files.has(archiveDayFileName('2026-10-02'))).toBe(false);
  });
});

describe('signing turned on later', () => {
  /** The record as the verify command (every file) and the page (recent.json's copies) read it. */
  async function readers(files: Map<string, string>, now: number, pinnedKey: unknown) {
    const bundle = asRecentBundle(JSON.parse(files.get(archiveRecentFileName)!))!;
    const options = { now, pinnedKey };
    const cli = await verifyRecord({ ...options, read: readFrom(files) });
    const page = await verifyRecord({ ...options, read: readWithBundle(bundle, readFrom(files)), range: bundleRange(bundle) });
    return [cli, page].map((result) => (result.ok ? 'verified' : result.failure.message));
  }

  it('a restart with a key signs the index at once, and recent.json carries every day\'s signature, not its unsigned copies', async () => {
    const list = dates('2026-10-01', 4);
    const { files, store } = createMemoryStore();
    await createArchivist({ store, signer: null, logger: recordingLogger(), clock: () => at(list[2]!, 15) }).archive(list.slice(0, 3).map((date) => closedDay(date)));
    const signer = newSigner();
    /** the files as published beside the snapshot of `now` */
    const published = (now: Date) => {
      const snapshot = snapshotAt(now.getTime());
      return new Map(files).set('governance-status.json', snapshot).set('governance-status.json.jws', signer.sign(snapshot)).set(signingKeyFileName, signingKeyFileBody(signer));
    };
    // restarted with a key the same day: no day closes, yet the record is signed as a whole
    const restart = at(list[2]!, 40);
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => restart }).archive(list.slice(0, 3).map((date) => closedDay(date)));
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(signer.sign(files.get(archiveIndexFileName)!));
    expect(await readers(published(restart), restart.getTime(), signer.publicJwk)).toEqual(['verified', 'verified']);
    // and the next day's bundle keeps the signed copies
    const next = at(list[3]!, 15);
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => next }).archive(list.map((date) => closedDay(date)));
    expect(await readers(published(next), next.getTime(), signer.publicJwk)).toEqual(['verified', 'verified']);
  });

  it('an index whose signature is of other bytes (a writer stopped between the two) is signed again at the next start; one by the key before a rotation stands', async () => {
    const list = dates('2026-10-01', 3);
    const { files, store, signer } = setup(at(list[2]!, 15));
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[1]!, 15) }).archive(list.slice(0, 2).map((date) => closedDay(date)));
    const older = files.get(signatureFileName(archiveIndexFileName))!;
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[2]!, 15) }).archive(list.map((date) => closedDay(date)));
    files.set(signatureFileName(archiveIndexFileName), older);
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[2]!, 30) }).archive(list.map((date) => closedDay(date)));
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(signer.sign(files.get(archiveIndexFileName)!));

    const rotated = newSigner();
    const before = files.get(archiveIndexFileName);
    await createArchivist({ store, signer: rotated, logger: recordingLogger(), clock: () => at(list[2]!, 45) }).archive(list.map((date) => closedDay(date)));
    expect(files.get(archiveIndexFileName)).toBe(before);
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(signer.sign(before!));
  });

  it('signs the days archived without a key, once, and never replaces a signature', async () => {
    const list = dates('2026-10-01', 3);
    const { files, store } = createMemoryStore();
    await createArchivist({ store, signer: null, logger: recordingLogger(), clock: () => at(list[1]!, 15) }).archive(list.slice(0, 2).map((date) => closedDay(date)));
    const signer = newSigner();
    const logger = recordingLogger();
    await createArchivist({ store, signer, logger, clock: () => at(list[2]!, 15) }).archive(list.map((date) => closedDay(date)));
    expect(logger.events('archive_signatures_added')).toMatchObject([{ count: 2, keyId: signer.kid }]);
    for (const date of list) expect(files.get(signatureFileName(archiveDayFileName(date)))).toBe(signer.sign(files.get(archiveDayFileName(date))!));
  });
});

describe('a store that fails', () => {
  it('is logged and returned, never thrown; the next call takes what was created and goes on', async () => {
    const list = dates('2026-10-01', 3);
    const { store, files } = createMemoryStore();
    let failOn: string | null = archiveIndexFileName;
    const flaky: SnapshotStorePort = {
      ...store,
      put: async (name, body, signal) => {
        if (name === failOn) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' });
        return store.put(name, body, signal);
      },
    };
    const logger = recordingLogger();
    const archivist = createArchivist({ store: flaky, signer: newSigner(), logger, clock: () => at(list[2]!, 15) });
    const failed = await archivist.archive(list.map((date) => closedDay(date)));
    expect(failed).toMatchObject({ appended: [], problem: expect.stringMatching(/the store failed: connect ECONNREFUSED/) });
    expect(logger.events('archive_failed')).toHaveLength(1);
    expect(dayFiles(files)).toHaveLength(3); // the days were created before the index failed
    failOn = null;
    const retried = await archivist.archive(list.map((date) => closedDay(date)));
    // no index yet: the first day is found and the chain followed from it, the others taken in turn
    expect(logger.events('archive_index_rebuilt')).toMatchObject([{ first: list[0], count: 1 }]);
    expect(retried).toMatchObject({ appended: [], adopted: list.slice(1), problem: null });
    expect(JSON.parse(files.get(archiveIndexFileName)!)).toMatchObject({ count: 3 });
  });
});
