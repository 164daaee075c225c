// A day someone else stored under the next day's name, before this worker archived it: the worker
// signs it only when it vouches for it (worker/archive-append.ts vouchFor). A bucket writer without
// the key must not get the worker to sign figures it never counted.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveIndexFileName, endOfUtcDate, keyRotationsFileName, signatureFileName } from '../../shared/archive-files.ts';
import { serializeArchiveDay, serializeArchiveIndex, type ClosedDay } from '../../shared/archive-contract.ts';
import { createArchivist } from '../../worker/archive.ts';
import { createRotationStatement, createSigner, type Signer } from '../../worker/signing-key.ts';
import { closedDay, dates, fixedArchive, newSigner, recordingLogger } from '../support/archive-record.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const sha256 = (body: string) => createHash('sha256').update(body).digest('hex');
const at = (date: string, minutes: number) => new Date(endOfUtcDate(date) + minutes * 60_000);
const [first, second, third] = dates('2026-10-01', 3) as [string, string, string];
const indexDays = (files: Map<string, string>) => JSON.parse(files.get(archiveIndexFileName)!).days.map((entry: { day: string }) => entry.day);

/** A worker that archived the first day, and a store where `planted` is put as the next day's file. */
async function planted(plant: (head: string) => Record<string, string>, signer: Signer | null = newSigner()) {
  const memory = createMemoryStore();
  const logger = recordingLogger();
  await createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => at(first, 15) }).archive([closedDay(first)]);
  const head = sha256(memory.files.get(archiveDayFileName(first))!);
  for (const [name, body] of Object.entries(plant(head))) memory.files.set(name, body);
  const archivist = createArchivist({ store: memory.store, signer, logger, clock: () => at(third, 15) });
  return { ...memory, logger, archivist, signer };
}
const dayFile = (day: ClosedDay, prev: string) => ({ [archiveDayFileName(day.date)]: serializeArchiveDay(day, prev) });
/** Every run a success, no incident: what someone hiding a bad day would put there. */
const cleaned = closedDay(second, {
  charters: closedDay(second).charters.map((charter) => ({ ...charter, counts: { ...charter.counts, succeeded: charter.counts.expected, failed: 0, missed: 0 } })),
  incidents: [],
});

describe('a day another writer stored, unsigned', () => {
  it('with figures this worker does not count is not signed, and archiving stops saying why', async () => {
    const { files, archivist, logger } = await planted((head) => dayFile(cleaned, head));
    const bytes = files.get(archiveDayFileName(second));
    const outcome = await archivist.archive([closedDay(first), closedDay(second), closedDay(third)]);
    expect(outcome).toMatchObject({ appended: [], adopted: [], problem: expect.stringMatching(/is not signed by this worker's key, and its counts or spend are not this worker's count/) });
    expect(logger.events('archive_day_not_vouched')).toMatchObject([{ file: archiveDayFileName(second), differences: expect.arrayContaining([expect.objectContaining({ field: 'failed' })]) }]);
    expect(files.has(signatureFileName(archiveDayFileName(second)))).toBe(false);
    expect(files.get(archiveDayFileName(second))).toBe(bytes);
    expect(files.has(archiveDayFileName(third))).toBe(false);
    expect(indexDays(files)).toEqual([first]);
  });

  it('that differs only in its incidents is not signed either', async () => {
    const { files, archivist, logger } = await planted((head) => dayFile(closedDay(second, { incidents: [] }), head));
    await archivist.archive([closedDay(first), closedDay(second)]);
    expect(logger.events('archive_day_not_vouched')).toHaveLength(1);
    expect(files.has(signatureFileName(archiveDayFileName(second)))).toBe(false);
  });

  it('that is the day this worker counts (a replica stopped before signing it) is signed and taken, whenever it closed', async () => {
    const { files, archivist, logger, signer } = await planted((head) => dayFile(closedDay(second, { closedAt: at(second, 3).toISOString() }), head));
    const outcome = await archivist.archive([closedDay(first), closedDay(second)]);
    expect(outcome).toMatchObject({ adopted: [second], problem: null });
    const bytes = files.get(archiveDayFileName(second))!;
    expect(files.get(signatureFileName(archiveDayFileName(second)))).toBe(signer!.sign(bytes));
    expect(logger.events('archive_day_not_vouched')).toEqual([]);
    expect(indexDays(files)).toEqual([first, second]);
  });

  it('that says it closed later than this clock allows is not signed (a rotated key could never cover it)', async () => {
    const { files, archivist, logger } = await planted((head) => dayFile(closedDay(second, { closedAt: '2099-01-01T00:00:00.000Z' }), head));
    const outcome = await archivist.archive([closedDay(first), closedDay(second)]);
    expect(outcome.problem).toMatch(/closed at 2099-01-01T00:00:00.000Z, later than this worker's clock allows/);
    expect(logger.events('archive_day_not_vouched')).toHaveLength(1);
    expect(files.has(signatureFileName(archiveDayFileName(second)))).toBe(false);
  });

  it('between the index and the days this worker counts (it cannot compare) is not signed', async () => {
    const { files, archivist, logger } = await planted((head) => dayFile(closedDay(second), head));
    const outcome = await archivist.archive([closedDay(third)]);
    expect(outcome).toMatchObject({ appended: [], adopted: [], problem: expect.stringMatching(/this worker has not counted that day/) });
    expect(logger.events('archive_day_not_vouched')).toMatchObject([{ file: archiveDayFileName(second) }]);
    expect(files.has(signatureFileName(archiveDayFileName(second)))).toBe(false);
    expect(files.has(archiveDayFileName(third))).toBe(false);
  });
});

describe('a day stored unsigned by a writer stopped before its signature, found later', () => {
  it('is signed when only names changed and an incident it holds open has resolved since', async () => {
    const open = closedDay(second, { incidents: closedDay(second).incidents.map((incident) => ({ ...incident, resolvedAt: null })) });
    const { files, archivist, logger, signer } = await planted((head) => dayFile(open, head));
    const renamed = closedDay(second, { charters: closedDay(second).charters.map((charter) => ({ ...charter, name: `${charter.name} (renamed)` })) });
    const outcome = await archivist.archive([closedDay(first), renamed]);
    expect(outcome).toMatchObject({ adopted: [second], problem: null });
    expect(logger.events('archive_day_not_vouched')).toEqual([]);
    expect(files.get(signatureFileName(archiveDayFileName(second)))).toBe(signer!.sign(files.get(archiveDayFileName(second))!));
  });
});

describe('a day planted with its entry in the index (found at a start, not by adopting)', () => {
  /** the planted day, listed in an index rewritten to end with it */
  const withIndex = (bytes: string, extra: Record<string, string> = {}) => (head: string) => ({
    [archiveDayFileName(second)]: bytes,
    [archiveIndexFileName]: serializeArchiveIndex([{ day: first, sha256: head }, { day: second, sha256: sha256(bytes) }], at(second, 20).toISOString()),
    ...extra,
  });

  it('unsigned, is not signed by the backfill of a restarted worker, nor is the index', async () => {
    const { files, archivist, logger } = await planted((head) => withIndex(serializeArchiveDay(cleaned, head))(head));
    const indexSignature = files.get(signatureFileName(archiveIndexFileName));
    const outcome = await archivist.archive([closedDay(first), closedDay(second), closedDay(third)]);
    expect(outcome.problem).toMatch(/the index this key signed does not end with it/);
    expect(logger.events('archive_signatures_added')).toEqual([]);
    expect(files.has(signatureFileName(archiveDayFileName(second)))).toBe(false);
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(indexSignature);
    expect(files.has(archiveDayFileName(third))).toBe(false);
  });

  it('with a signature that is not this key\'s, does not have the index signed again over it', async () => {
    const stranger = newSigner();
    const { files, archivist, logger } = await planted((head) => {
      const bytes = serializeArchiveDay(cleaned, head);
      return withIndex(bytes, { [signatureFileName(archiveDayFileName(second))]: stranger.sign(bytes) })(head);
    });
    const indexSignature = files.get(signatureFileName(archiveIndexFileName));
    const outcome = await archivist.archive([closedDay(first), closedDay(second), closedDay(third)]);
    expect(outcome.problem).toMatch(/governance-archive.json is not signed by this worker's key, and its last day .* is not signed by this key/);
    expect(logger.events('archive_day_not_vouched')).toHaveLength(1);
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(indexSignature);
  });
});

describe('a day another writer stored, signed by this key', () => {
  it('is taken even when this worker now counts it differently: a replica of this deployment vouched for it, and the difference is said', async () => {
    const signer = newSigner();
    const { archivist, logger } = await planted((head) => {
      const bytes = serializeArchiveDay(cleaned, head);
      return { [archiveDayFileName(second)]: bytes, [signatureFileName(archiveDayFileName(second))]: signer.sign(bytes) };
    }, signer);
    const outcome = await archivist.archive([closedDay(first), closedDay(second), closedDay(third)]);
    expect(outcome).toMatchObject({ appended: [third], adopted: [second], problem: null });
    expect(logger.events('archive_day_not_vouched')).toEqual([]);
    expect(logger.events('archive_mismatch')).toMatchObject([{ day: second }]);
  });
});

describe('without a signing key', () => {
  it('a day another writer stored is taken as before: nothing is vouched for, and readers say "not signed"', async () => {
    const { files, archivist, logger } = await planted((head) => dayFile(cleaned, head), null);
    const outcome = await archivist.archive([closedDay(first), closedDay(second)]);
    expect(outcome).toMatchObject({ adopted: [second], problem: null });
    expect(logger.events('archive_mismatch')).toMatchObject([{ day: second }]);
    expect(indexDays(files)).toEqual([first, second]);
  });
});

describe('a key set on a record archived unsigned', () => {
  it('signs the days as found, also when the first call only reads the archive (a process\'s first snapshot), and archiving goes on', async () => {
    const memory = createMemoryStore();
    await createArchivist({ store: memory.store, signer: null, logger: recordingLogger(), clock: () => at(second, 15) }).archive([closedDay(first), closedDay(second)]);
    const signer = newSigner();
    const logger = recordingLogger();
    const archivist = createArchivist({ store: memory.store, signer, logger, clock: () => at(third, 15) });
    await archivist.archivedDays(first, second);
    const outcome = await archivist.archive([closedDay(first), closedDay(second), closedDay(third)]);
    expect(outcome).toMatchObject({ appended: [third], problem: null });
    for (const day of [first, second, third]) expect(memory.files.get(signatureFileName(archiveDayFileName(day)))).toBe(signer.sign(memory.files.get(archiveDayFileName(day))!));
    expect(logger.events('archive_signatures_added')).toMatchObject([{ count: 2 }]);
  });
});


describe('after a key rotation, the new key goes on from the archive only as its statement fixed it', () => {
  /**
   * The old key archived `days` of the three; the statement hands over to the new key, fixing the
   * archive as it stood after `fixedDays` of them (`fixed` instead, when given).
   */
  async function rotated(days: number, fixedDays: number, fixed?: { last: string; head: string } | null) {
    const memory = createMemoryStore();
    const [old, next] = [generateKeyPairSync('ed25519').privateKey, generateKeyPairSync('ed25519').privateKey];
    const list = [first, second, third].slice(0, days);
    let archived: { last: string; head: string } | null = null;
    for (const [at_, day] of list.entries()) {
      await createArchivist({ store: memory.store, signer: createSigner(old), logger: recordingLogger(), clock: () => at(day, 15) }).archive(list.slice(0, at_ + 1).map((date) => closedDay(date)));
      if (at_ + 1 === fixedDays) archived = fixedArchive(memory.files);
    }
    memory.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(old, next, at(list.at(-1)!, 16), fixed === undefined ? archived : fixed)] }));
    const logger = recordingLogger();
    const signer = createSigner(next);
    return { ...memory, logger, old: createSigner(old), oldKey: old, signer, archivist: createArchivist({ store: memory.store, signer, logger, clock: () => at(third, 15) }) };
  }
  const all = () => [first, second, third].map((date) => closedDay(date));

  it('the index as the statement fixed it: the new key archives the next day', async () => {
    const { archivist, logger } = await rotated(2, 2);
    expect(await archivist.archive(all())).toMatchObject({ appended: [third], problem: null });
    expect(logger.events('archive_broken')).toEqual([]);
  });

  it("the new key's own day under the old key's index signature (its index's signature failed to upload): the index is signed again, and archiving goes on", async () => {
    const { files, store, signer } = await rotated(2, 2);
    // the day the new key archived, and the index listing it, whose .jws (still the old key's, over the old bytes) was not replaced
    const failing = { ...store, put: async (name: string, body: string, signal?: AbortSignal) => (name === signatureFileName(archiveIndexFileName) ? Promise.reject(new Error('503 Slow Down')) : store.put(name, body, signal)) };
    const first_ = createArchivist({ store: failing, signer, logger: recordingLogger(), clock: () => at(third, 15) });
    expect(await first_.archive(all())).toMatchObject({ problem: expect.stringMatching(/503 Slow Down/) });
    expect(indexDays(files)).toEqual([first, second, third]);
    const logger = recordingLogger();
    const again = createArchivist({ store, signer, logger, clock: () => at(third, 20) });
    expect(await again.archive(all())).toMatchObject({ problem: null });
    expect(files.get(signatureFileName(archiveIndexFileName))).toBe(signer.sign(files.get(archiveIndexFileName)!));
  });

  it("an index lost after the rotation is rebuilt: the old key's days are taken as they are, and the new key archives the next", async () => {
    const { files, archivist, logger, old } = await rotated(2, 2);
    for (const name of [archiveIndexFileName, signatureFileName(archiveIndexFileName)]) files.delete(name);
    expect(await archivist.archive(all())).toMatchObject({ appended: [third], problem: null });
    expect(logger.events('archive_day_not_vouched')).toEqual([]);
    expect(indexDays(files)).toEqual([first, second, third]);
    expect(files.get(signatureFileName(archiveDayFileName(second)))).toBe(old.sign(files.get(archiveDayFileName(second))!));
  });

  it('an index lost after the rotation, with a day the retired key signed after the day fixed: not taken', async () => {
    const { files, archivist } = await rotated(2, 1);
    for (const name of [archiveIndexFileName, signatureFileName(archiveIndexFileName)]) files.delete(name);
    expect(await archivist.archive(all())).toMatchObject({ appended: [], problem: expect.stringMatching(new RegExp(`${archiveDayFileName(second)} carries a signature by another key`)) });
  });

  it("the retired key's signature of a day before the rotation deleted, with the index's: the new key does not sign that day", async () => {
    const { files, store, signer } = await rotated(2, 2);
    expect(await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(third, 15) }).archive(all())).toMatchObject({ appended: [third] });
    for (const name of [signatureFileName(archiveDayFileName(second)), signatureFileName(archiveIndexFileName)]) files.delete(name);
    const outcome = await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(third, 30) }).archive(all());
    expect(outcome.problem).toMatch(new RegExp(`${archiveDayFileName(second)} closed before this key took over, and its signature by the retired key is missing`));
    expect(files.has(signatureFileName(archiveDayFileName(second)))).toBe(false);
  });

  it('the same with the statements deleted too: the new key still does not sign that day', async () => {
    const { files, store, signer } = await rotated(2, 2);
    expect(await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(third, 15) }).archive(all())).toMatchObject({ appended: [third] });
    for (const name of [signatureFileName(archiveDayFileName(second)), signatureFileName(archiveIndexFileName), keyRotationsFileName]) files.delete(name);
    const outcome = await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(third, 30) }).archive(all());
    expect(outcome.problem).toMatch(new RegExp(`${archiveDayFileName(second)} has no signature, but ${archiveDayFileName(first)} before it has one`));
    expect(files.has(signatureFileName(archiveDayFileName(second)))).toBe(false);
  });

  it('an index lost after the rotation, and the day it fixed re-signed by the retired key with other figures: not taken', async () => {
    const { files, archivist, old } = await rotated(2, 2);
    const bytes = serializeArchiveDay(closedDay(second, { incidents: [] }), sha256(files.get(archiveDayFileName(first))!));
    files.set(archiveDayFileName(second), bytes);
    files.set(signatureFileName(archiveDayFileName(second)), old.sign(bytes));
    for (const name of [archiveIndexFileName, signatureFileName(archiveIndexFileName)]) files.delete(name);
    expect(await archivist.archive(all())).toMatchObject({ appended: [], problem: expect.stringMatching(new RegExp(`${archiveDayFileName(second)} carries a signature by another key`)) });
  });

  it('an index the retired key extended after the day fixed (a stolen key): archiving stops, nothing is added', async () => {
    const { files, archivist, logger } = await rotated(2, 1);
    const outcome = await archivist.archive(all());
    expect(outcome).toMatchObject({ appended: [], problem: expect.stringMatching(new RegExp(`lists ${second}, after the day its rotation fixed \\(${first}\\), which this key did not sign`)) });
    expect(logger.events('archive_broken')).toHaveLength(1);
    expect(files.has(archiveDayFileName(third))).toBe(false);
  });

  it('an index the retired key signed when the statement fixed no day: archiving stops', async () => {
    const { archivist } = await rotated(2, 2, null);
    expect(await archivist.archive(all())).toMatchObject({ appended: [], problem: expect.stringMatching(/after the day its rotation fixed \(none\)/) });
  });

  it('an index that no longer lists the fixed day as the statement fixed it (rolled back, or rewritten): archiving stops', async () => {
    const { archivist } = await rotated(2, 2, { last: second, head: 'ab'.repeat(32) });
    expect(await archivist.archive(all())).toMatchObject({ appended: [], problem: expect.stringMatching(new RegExp(`no longer lists ${second} as a rotation statement fixed it`)) });
  });

  it('statements that hand over from the retired key to a key of its holder, not to this one: archiving stops', async () => {
    const { files, archivist, oldKey } = await rotated(2, 2);
    const thief = generateKeyPairSync('ed25519').privateKey;
    const { rotations } = JSON.parse(files.get(keyRotationsFileName)!);
    files.set(keyRotationsFileName, JSON.stringify({ rotations: [...rotations, createRotationStatement(oldKey, thief, at(third, 1), fixedArchive(files))] }));
    expect(await archivist.archive(all())).toMatchObject({ appended: [], problem: expect.stringMatching(/which no rotation statement .* hands over to this worker's key/) });
  });

  it('statements not published yet when the new key starts: archiving waits, and goes on once they are', async () => {
    const { files, archivist, logger } = await rotated(2, 2);
    const statements = files.get(keyRotationsFileName)!;
    files.delete(keyRotationsFileName);
    expect(await archivist.archive(all())).toMatchObject({ appended: [], problem: expect.stringMatching(/archiving waits until statements that do are published/) });
    expect(logger.events('archive_waiting')).toHaveLength(1);
    files.set(keyRotationsFileName, statements);
    expect(await archivist.archive(all())).toMatchObject({ appended: [third], problem: null });
  });

  it("a day the retired key signed after the index's last, at the next day's name: not taken, whatever it counts", async () => {
    const { files, archivist, logger, old } = await rotated(2, 2);
    // the thief's day, with the figures the new worker counts, signed by the retired key
    const bytes = serializeArchiveDay(closedDay(third), sha256(files.get(archiveDayFileName(second))!));
    files.set(archiveDayFileName(third), bytes);
    files.set(signatureFileName(archiveDayFileName(third)), old.sign(bytes));
    const outcome = await archivist.archive(all());
    expect(outcome).toMatchObject({ appended: [], adopted: [], problem: expect.stringMatching(/carries a signature by another key .*which this worker cannot replace/) });
    expect(logger.events('archive_day_not_vouched')).toHaveLength(1);
  });
});

describe('a signed record with an unsigned day appended to it and its index', () => {
  it('(a bucket writer without the key, who deleted the index\'s signature) is not signed as found: archiving stops', async () => {
    const signer = newSigner();
    const memory = createMemoryStore();
    await createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => at(second, 15) }).archive([closedDay(first), closedDay(second)]);
    const bytes = serializeArchiveDay(closedDay(third, { charters: cleaned.charters, incidents: [] }), sha256(memory.files.get(archiveDayFileName(second))!));
    memory.files.set(archiveDayFileName(third), bytes);
    const listed = JSON.parse(memory.files.get(archiveIndexFileName)!).days;
    memory.files.set(archiveIndexFileName, serializeArchiveIndex([...listed, { day: third, sha256: sha256(bytes) }], at(third, 20).toISOString()));
    memory.files.delete(signatureFileName(archiveIndexFileName));
    const logger = recordingLogger();
    const outcome = await createArchivist({ store: memory.store, signer, logger, clock: () => at(third, 30) }).archive([closedDay(first), closedDay(second), closedDay(third)]);
    expect(outcome.problem).toMatch(/the record before it is signed .*appended unsigned by another writer/);
    expect(memory.files.has(signatureFileName(archiveDayFileName(third)))).toBe(false);
    expect(logger.events('archive_signatures_added')).toEqual([]);
  });
});
