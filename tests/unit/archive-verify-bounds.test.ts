// What a reader reads and parses of files no one signed: with a key known, each file's signature is
// checked over its bytes before anything parses it; each file is read within its own bound; the verify
// command keeps only the archived days its history check needs. Counted by what was parsed, read or
// kept, never by memory or time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asRecentBundle } from '../../shared/archive-bundle.ts';
import { archiveDayBytes, archiveDayFileName, archiveIndexBytes, archiveIndexFileName, archiveRecentBytes, archiveRecentFileName, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { verifyRecord } from '../../shared/archive-verify.ts';
import { limits } from '../../shared/constants.ts';
import { publishedFileBound } from '../../shared/published-bounds.ts';
import { keepingDays, type HistoryFile } from '../../verify/history.ts';
import { buildRecord, readFrom } from '../support/archive-record.ts';
import { checkFiles } from '../support/page-record.ts';

/** JSON.parse's calls on a text as long as `text` or longer (what a reader parsed of it). */
function parsesOf(text: string) {
  const parse = vi.spyOn(JSON, 'parse');
  return () => parse.mock.calls.filter(([argument]) => typeof argument === 'string' && argument.length >= text.length).length;
}
afterEach(() => vi.restoreAllMocks());

// valid JSON of many objects: parsed, it costs far more than its bytes
const objects = `{"a":[${'{},'.repeat(200_000)}{}]}`;

describe('with a key known, a file is not parsed before its signature verifies', () => {
  it.each([
    ['the index', () => archiveIndexFileName, null],
    ['a day', (days: string[]) => archiveDayFileName(days[2]!), 2],
    ['the snapshot', () => 'governance-status.json', null],
  ] as const)('%s replaced by unsigned JSON of many objects, its signature deleted', async (_, name, dayAt) => {
    const { files, now, signer, days } = await buildRecord({ days: 4 });
    files.set(name(days), objects);
    files.delete(signatureFileName(name(days)));
    const parsed = parsesOf(objects);
    const result = await verifyRecord({ read: readFrom(files), now, pinnedKey: signer!.publicJwk });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'signature', code: 'no_signature', file: name(days), day: dayAt === null ? null : days[dayAt] } });
    expect(parsed()).toBe(0);
  });

  it('an unsigned record (no key anywhere) still parses its files: there is nothing to check first', async () => {
    const { files, now } = await buildRecord({ days: 2, signer: null });
    files.set(archiveIndexFileName, objects);
    const parsed = parsesOf(objects);
    expect(await verifyRecord({ read: readFrom(files), now })).toMatchObject({ ok: false, failure: { code: 'bad_index' } });
    expect(parsed()).toBe(1);
  });
});

describe('each file within its own bound', () => {
  it('names each published file with the most the worker writes of it', () => {
    expect(publishedFileBound(archiveIndexFileName)).toBe(archiveIndexBytes);
    expect(publishedFileBound(archiveDayFileName('2026-10-01'))).toBe(archiveDayBytes);
    expect(publishedFileBound(signatureFileName(archiveDayFileName('2026-10-01')))).toBe(4_096);
    expect(publishedFileBound(signingKeyFileName)).toBe(4_096);
    expect(publishedFileBound(archiveRecentFileName)).toBe(archiveRecentBytes);
    expect(publishedFileBound('status.json', 'status.json')).toBe(limits.snapshotBytes);
  });

  it("the page refuses a bundle whose copy of the index or of a day is longer than that file's bound, before parsing the copy", async () => {
    const { files, now, signer } = await buildRecord({ days: 3 });
    const honest = JSON.parse(files.get(archiveRecentFileName)!);
    expect(asRecentBundle(honest)).not.toBeNull();
    const longIndex = `{"a":[${'{},'.repeat(archiveIndexBytes / 3)}{}]}`;
    expect(asRecentBundle({ ...honest, index: longIndex })).toBeNull();
    expect(asRecentBundle({ ...honest, days: [{ ...honest.days[0], bytes: ' '.repeat(archiveDayBytes + 1) }] })).toBeNull();
    files.set(archiveRecentFileName, JSON.stringify({ ...honest, index: longIndex }));
    const parsed = parsesOf(longIndex);
    expect((await checkFiles(files, now, signer!.publicJwk)).state).toEqual({ kind: 'broken', failure: 'invalid', file: archiveRecentFileName, day: null });
    expect(parsed()).toBe(1); // the bundle itself, the index within it never
  });
});

describe('the verify command keeps only the days its history check needs', () => {
  it("keeps the days of the history's range, of every day it reads", async () => {
    const { files, now, days } = await buildRecord({ days: 10 });
    const file = { kind: 'read', history: { from: days[6]!, to: days[8]! } } as unknown as HistoryFile;
    const kept = keepingDays(readFrom(files), file);
    expect(await verifyRecord({ read: kept.read, now })).toMatchObject({ ok: true, report: { checkedDays: 10 } });
    expect(kept.held()).toBe(3);
    expect(kept.archived(days.map((day) => ({ day }))).map((day) => day.day)).toEqual(days.slice(6, 9));
    const none = keepingDays(readFrom(files), { kind: 'said', check: { exit: 0, line: 'not published' } });
    await verifyRecord({ read: none.read, now });
    expect(none.held()).toBe(0);
  });
});
