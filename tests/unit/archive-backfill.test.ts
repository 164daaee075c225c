// What the worker signs as found (worker/archive-append.ts backfillSignatures): a key set later signs
// a record nobody signed, and finishes a backfill cut short; never a day appended unsigned to a signed
// record, nor an index whose listing is not the days' own chain.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveIndexFileName, endOfUtcDate, signatureFileName } from '../../shared/archive-files.ts';
import { serializeArchiveDay, serializeArchiveIndex } from '../../shared/archive-contract.ts';
import { createArchivist } from '../../worker/archive.ts';
import { closedDay, dates, newSigner, recordingLogger } from '../support/archive-record.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const sha256 = (body: string) => createHash('sha256').update(body).digest('hex');
const at = (date: string, minutes: number) => new Date(endOfUtcDate(date) + minutes * 60_000);
const days = dates('2026-10-01', 6);
const closed = (count: number) => days.slice(0, count).map((date) => closedDay(date));
const signatureOf = (files: Map<string, string>, day: string) => files.get(signatureFileName(archiveDayFileName(day)));

describe('a record nobody signed, and a key set later', () => {
  it('whose backfill a store error cut short is signed whole at the next call', async () => {
    const { store, files } = createMemoryStore();
    await createArchivist({ store, signer: null, logger: recordingLogger(), clock: () => at(days[4]!, 15) }).archive(closed(5));
    const signer = newSigner();
    let creates = 0;
    const failing = { ...store, create: async (name: string, body: string, signal?: AbortSignal) => (name.endsWith('.jws') && ++creates === 2 ? Promise.reject(new Error('503 Slow Down')) : store.create(name, body, signal)) };
    const archivist = createArchivist({ store: failing, signer, logger: recordingLogger(), clock: () => at(days[5]!, 15) });
    expect(await archivist.archive(closed(6))).toMatchObject({ problem: expect.stringMatching(/503 Slow Down/) });
    // the newest day was signed, the next one failed: the older days are still unsigned
    expect(days.slice(0, 4).filter((day) => signatureOf(files, day) === undefined)).not.toEqual([]);
    expect(await archivist.archive(closed(6))).toMatchObject({ problem: null, appended: [days[5]] });
    for (const day of days) expect(signatureOf(files, day), day).toBe(signer.sign(files.get(archiveDayFileName(day))!));
  });
});

describe('two replicas given a key at once', () => {
  it('the one that read the last day before the other signed it takes its turn instead of refusing', async () => {
    const { store, files } = createMemoryStore();
    await createArchivist({ store, signer: null, logger: recordingLogger(), clock: () => at(days[4]!, 15) }).archive(closed(5));
    const signer = newSigner();
    // the other replica's backfill ran whole; this one read the last day's signature just before it did
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[4]!, 20) }).archive(closed(5));
    const lastSignature = signatureFileName(archiveDayFileName(days[4]!));
    let stale = true;
    const behind = { ...store, get: async (name: string, signal?: AbortSignal) => (name === lastSignature && stale ? ((stale = false), null) : store.get(name, signal)) };
    files.delete(signatureFileName(archiveIndexFileName));
    const outcome = await createArchivist({ store: behind, signer, logger: recordingLogger(), clock: () => at(days[5]!, 15) }).archive(closed(6));
    expect(outcome).toMatchObject({ problem: null, appended: [days[5]] });
  });
});

describe('a signed record', () => {
  /** Three days signed by the worker's key, then what a bucket writer without the key does to it. */
  async function signedThenChanged(change: (files: Map<string, string>) => void) {
    const signer = newSigner();
    const { store, files } = createMemoryStore();
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[2]!, 15) }).archive(closed(3));
    change(files);
    const logger = recordingLogger();
    const outcome = await createArchivist({ store, signer, logger, clock: () => at(days[3]!, 30) }).archive(closed(3));
    return { files, signer, logger, outcome };
  }

  it('with a made-up day appended unsigned and listed, the index signature deleted and the first day\'s set aside, signs nothing', async () => {
    let fake = '';
    const { files, outcome } = await signedThenChanged((files) => {
      fake = serializeArchiveDay(closedDay(days[3]!, { incidents: [] }), sha256(files.get(archiveDayFileName(days[2]!))!));
      files.set(archiveDayFileName(days[3]!), fake);
      const listed = JSON.parse(files.get(archiveIndexFileName)!).days;
      files.set(archiveIndexFileName, serializeArchiveIndex([...listed, { day: days[3]!, sha256: sha256(fake) }], at(days[3]!, 20).toISOString()));
      files.delete(signatureFileName(archiveIndexFileName));
      files.delete(signatureFileName(archiveDayFileName(days[0]!)));
    });
    expect(outcome.problem).toMatch(new RegExp(`the record before it is signed \\(${archiveDayFileName(days[1]!)}\\), so it was appended unsigned by another writer`));
    expect(signatureOf(files, days[3]!)).toBeUndefined();
  });

  it('whose index lists other days than the days\' own chain, its signature deleted, is not signed again: archiving stops', async () => {
    const { files, logger, outcome } = await signedThenChanged((files) => {
      const listed = JSON.parse(files.get(archiveIndexFileName)!).days;
      files.set(archiveIndexFileName, serializeArchiveIndex([{ day: '2026-09-15', sha256: 'ab'.repeat(32) }, ...listed.slice(1)], at(days[2]!, 20).toISOString()));
      files.delete(signatureFileName(archiveIndexFileName));
    });
    expect(outcome.problem).toMatch(new RegExp(`${archiveDayFileName(days[1]!)} does not continue the day ${archiveIndexFileName} lists before it: the listing is not the days' chain`));
    // newest first: the second day's prev is not the made-up entry before it
    expect(logger.events('archive_day_altered').map((event) => event.file)).toEqual([archiveDayFileName(days[1]!)]);
    expect(files.has(signatureFileName(archiveIndexFileName))).toBe(false);
  });

  it('with an earlier day lost, and then its index signature (a failed upload), is signed again and goes on: the next day still commits to the lost one', async () => {
    const { files, signer, logger, outcome } = await signedThenChanged((files) => {
      files.delete(archiveDayFileName(days[0]!));
      files.delete(signatureFileName(archiveIndexFileName));
    });
    expect(outcome.problem).toBeNull();
    expect(logger.events('archive_day_altered').map((event) => event.file)).toEqual([archiveDayFileName(days[0]!)]);
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(signer.sign(files.get(archiveIndexFileName)!));
  });

  it('with a hole in it, and a made-up day below the hole listed: it is not signed, nor the index over it', async () => {
    let fake = '';
    const { files, outcome } = await signedThenChanged((files) => {
      files.delete(archiveDayFileName(days[1]!));
      fake = serializeArchiveDay(closedDay(days[0]!, { spent: 1n, incidents: [] }), null);
      files.set(archiveDayFileName(days[0]!), fake);
      files.delete(signatureFileName(archiveDayFileName(days[0]!)));
      const listed = JSON.parse(files.get(archiveIndexFileName)!).days;
      files.set(archiveIndexFileName, serializeArchiveIndex([{ day: days[0]!, sha256: sha256(fake) }, ...listed.slice(1)], at(days[2]!, 20).toISOString()));
      files.delete(signatureFileName(archiveIndexFileName));
    });
    expect(outcome.problem).toMatch(new RegExp(`${archiveDayFileName(days[0]!)} lies below ${archiveDayFileName(days[1]!)}, which is missing or altered, and is not signed by this key`));
    expect(signatureOf(files, days[0]!)).toBeUndefined();
    expect(files.has(signatureFileName(archiveIndexFileName))).toBe(false);
  });

  it('with a signature removed from a day that has a signed day below it, does not sign that day as found', async () => {
    const { files, outcome } = await signedThenChanged((files) => {
      files.delete(signatureFileName(archiveDayFileName(days[1]!)));
      files.delete(signatureFileName(archiveIndexFileName));
    });
    expect(outcome.problem).toMatch(new RegExp(`${archiveDayFileName(days[1]!)} has no signature, but ${archiveDayFileName(days[0]!)} before it has one`));
    expect(signatureOf(files, days[1]!)).toBeUndefined();
  });

  it('whose listing was read whole once is not read again when the chain is reloaded in the same process', async () => {
    const signer = newSigner();
    const { store, files } = createMemoryStore();
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[4]!, 15) }).archive(closed(5));
    files.delete(signatureFileName(archiveIndexFileName));
    const reads: string[] = [];
    let failNext = true;
    const counting = {
      ...store,
      get: async (name: string, signal?: AbortSignal) => (reads.push(name), store.get(name, signal)),
      create: async (name: string, body: string, signal?: AbortSignal) => (name === archiveDayFileName(days[5]!) && failNext ? ((failNext = false), Promise.reject(new Error('503 Slow Down'))) : store.create(name, body, signal)),
    };
    const archivist = createArchivist({ store: counting, signer, logger: recordingLogger(), clock: () => at(days[5]!, 15) });
    expect(await archivist.archive(closed(6))).toMatchObject({ problem: expect.stringMatching(/503 Slow Down/) });
    expect(reads).toContain(archiveDayFileName(days[0]!));
    reads.length = 0;
    // the store failed after the load: the next call loads the chain again, over the same index
    expect(await archivist.archive(closed(6))).toMatchObject({ problem: null, appended: [days[5]] });
    expect(reads).not.toContain(archiveDayFileName(days[0]!));
  });

  it('whose index signature only was lost (a writer stopped between the two) is signed again over the same listing', async () => {
    const { files, signer, outcome } = await signedThenChanged((files) => files.delete(signatureFileName(archiveIndexFileName)));
    expect(outcome.problem).toBeNull();
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(signer.sign(files.get(archiveIndexFileName)!));
  });
});

describe('an index lost, the chain rebuilt from the days', () => {
  it('from a day this key signed: archiving goes on', async () => {
    const signer = newSigner();
    const { store, files } = createMemoryStore();
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[2]!, 15) }).archive(closed(3));
    for (const name of [archiveIndexFileName, signatureFileName(archiveIndexFileName)]) files.delete(name);
    const outcome = await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[3]!, 15) }).archive(closed(4));
    expect(outcome).toMatchObject({ problem: null, appended: [days[3]] });
  });

  it('from a first day whose signature failed with the index (a store error): this worker counted it, so it is signed and archiving goes on', async () => {
    const signer = newSigner();
    const { store, files } = createMemoryStore();
    const failing = { ...store, create: async (name: string, body: string, signal?: AbortSignal) => (name.endsWith('.jws') ? Promise.reject(new Error('503 Slow Down')) : store.create(name, body, signal)) };
    expect(await createArchivist({ store: failing, signer, logger: recordingLogger(), clock: () => at(days[0]!, 15) }).archive(closed(1))).toMatchObject({ problem: expect.stringMatching(/503/) });
    expect([...files.keys()]).toEqual([archiveDayFileName(days[0]!)]);
    const outcome = await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[1]!, 15) }).archive(closed(2));
    expect(outcome).toMatchObject({ problem: null, appended: [days[1]] });
    expect(signatureOf(files, days[0]!)).toBe(signer.sign(files.get(archiveDayFileName(days[0]!))!));
  });

  /** The worker's first run, whose `failAt`-th signature (1-based) fails with a 503: no index is written. */
  async function firstRunFailing(count: number, failAt: number) {
    const signer = newSigner();
    const { store, files } = createMemoryStore();
    let creates = 0;
    const failing = { ...store, create: async (name: string, body: string, signal?: AbortSignal) => (name.endsWith('.jws') && ++creates === failAt ? Promise.reject(new Error('503 Slow Down')) : store.create(name, body, signal)) };
    await createArchivist({ store: failing, signer, logger: recordingLogger(), clock: () => at(days[count - 1]!, 15) }).archive(closed(count));
    expect(files.has(archiveIndexFileName)).toBe(false);
    return { store, files, signer };
  }

  it('from a first day left unsigned, after the history moved past it (midnight before the retry): it is left out, and archiving goes on', async () => {
    const { store, files, signer } = await firstRunFailing(3, 1);
    const logger = recordingLogger();
    const outcome = await createArchivist({ store, signer, logger, clock: () => at(days[3]!, 15) }).archive(days.slice(1, 4).map((date) => closedDay(date)));
    expect(outcome).toMatchObject({ problem: null, appended: days.slice(1, 4) });
    expect(logger.events('archive_day_left_out')).toMatchObject([{ file: archiveDayFileName(days[0]!) }]);
    expect(JSON.parse(files.get(archiveIndexFileName)!).first).toBe(days[1]);
  });

  it('from a later day left unsigned, its day before signed, the history now starting at it: it is signed, and archiving goes on', async () => {
    const { store, files, signer } = await firstRunFailing(5, 3);
    const outcome = await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[5]!, 15) }).archive(days.slice(2, 6).map((date) => closedDay(date)));
    expect(outcome).toMatchObject({ problem: null, appended: days.slice(3, 6) });
    expect(signatureOf(files, days[2]!)).toBe(signer.sign(files.get(archiveDayFileName(days[2]!))!));
  });

  it('from days a writer without the key made up (unsigned): archiving stops, nothing is signed', async () => {
    const signer = newSigner();
    const { store, files } = createMemoryStore();
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[4]!, 15) }).archive(closed(5));
    for (const day of days.slice(1)) for (const name of [archiveDayFileName(day), signatureFileName(archiveDayFileName(day))]) files.delete(name);
    for (const name of [archiveIndexFileName, signatureFileName(archiveIndexFileName), archiveDayFileName(days[0]!), signatureFileName(archiveDayFileName(days[0]!))]) files.delete(name);
    const first = serializeArchiveDay(closedDay(days[1]!, { spent: 999n }), null);
    files.set(archiveDayFileName(days[1]!), first);
    files.set(archiveDayFileName(days[2]!), serializeArchiveDay(closedDay(days[2]!, { spent: 777n }), sha256(first)));
    const outcome = await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(days[5]!, 15) }).archive(days.slice(2).map((date) => closedDay(date)));
    expect(outcome.problem).toMatch(new RegExp(`${archiveIndexFileName} is lost, and ${archiveDayFileName(days[2]!)}, where the chain is rebuilt from, is not signed by this key`));
    expect([...files.keys()].filter((name) => name.endsWith('.jws'))).toEqual([]);
  });
});
