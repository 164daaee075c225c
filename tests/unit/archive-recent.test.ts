// governance-archive/recent.json (worker/archive-recent.ts) and its reader (shared/archive-bundle.ts):
// the newest year of the record as exact copies, verified by shared/archive-verify.ts as if read
// file by file; written only when a day is archived, at a flat cost; rewritten when it is missing.
import { describe, expect, it } from 'vitest';
import { parseArchiveRecent } from '../../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, archiveRecentFileName, endOfUtcDate, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { asRecentBundle, bundleRange, readWithBundle } from '../../shared/archive-bundle.ts';
import { verifyRecord } from '../../shared/archive-verify.ts';
import type { SnapshotStorePort } from '../../shared/ports.ts';
import { createArchivist } from '../../worker/archive.ts';
import { buildRecord, closedDay, dates, newSigner, readFrom, recordingLogger } from '../support/archive-record.ts';

const bundleOf = (files: Map<string, string>) => {
  const parsed = parseArchiveRecent(JSON.parse(files.get(archiveRecentFileName)!));
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error.issues));
  return parsed.data;
};

/** Only the files the bundle does not copy (the key, the snapshot and its signature) come from the store; each read is counted. */
function bundleReader(files: Map<string, string>) {
  const fetched: string[] = [];
  const bundle = asRecentBundle(JSON.parse(files.get(archiveRecentFileName)!))!;
  const read = readWithBundle(bundle, (name) => (fetched.push(name), readFrom(files)(name)));
  return { bundle, fetched, read };
}

function counting(store: SnapshotStorePort) {
  const reads: string[] = [];
  return { reads, store: { ...store, get: (name: string, signal?: AbortSignal) => (reads.push(name), store.get(name, signal)) } };
}

describe('the bundle of recent days', () => {
  it('copies each day, its signature and the index byte for byte, and verifies as the files do', async () => {
    const { files, now, days, signer } = await buildRecord({ days: 6 });
    const bundle = bundleOf(files);
    expect(bundle.index).toBe(files.get(archiveIndexFileName));
    expect(bundle.indexSignature).toBe(files.get(signatureFileName(archiveIndexFileName)));
    expect(bundle.days.map((day) => day.day)).toEqual(days);
    for (const day of bundle.days) {
      expect(day.bytes).toBe(files.get(archiveDayFileName(day.day)));
      expect(day.signature).toBe(files.get(signatureFileName(archiveDayFileName(day.day))));
    }
    const { read, fetched } = bundleReader(files);
    const result = await verifyRecord({ read, now, range: bundleRange(asRecentBundle(bundle)!) });
    expect(result).toMatchObject({ ok: true, report: { keyId: signer!.kid, days: 6, checkedDays: 6 } });
    // the bundle holds the key too (and says there is no rotation): only the snapshot and its signature are read elsewhere
    expect(bundle.signingKey).toBe(files.get(signingKeyFileName));
    expect(bundle.keyRotations).toBeNull();
    expect(fetched).toEqual(['governance-status.json', 'governance-status.json.jws']);
  });

  it('a day altered in the bundle fails at that day, as the file would', async () => {
    const { files, now, days } = await buildRecord({ days: 4 });
    const bundle = bundleOf(files);
    bundle.days[2]!.bytes = bundle.days[2]!.bytes.replace('"expected":24', '"expected":23');
    files.set(archiveRecentFileName, JSON.stringify(bundle));
    const { read } = bundleReader(files);
    expect(await verifyRecord({ read, now, range: bundleRange(bundle) })).toMatchObject({ ok: false, failure: { kind: 'signature', day: days[2] } });
  });

  it('holds the newest 365 days of a longer record, and the reader checks those against the signed index', async () => {
    const { files, now } = await buildRecord({ days: 370, first: '2025-10-01' });
    const bundle = bundleOf(files);
    expect(bundle.days).toHaveLength(365);
    expect(bundle.days[0]!.day).toBe('2025-10-06');
    const { read } = bundleReader(files);
    expect(await verifyRecord({ read, now, range: bundleRange(bundle) })).toMatchObject({ ok: true, report: { days: 370, checkedDays: 365 } });
  });

  it('unsigned, it copies null signatures, and the record verifies as unsigned', async () => {
    const { files, now } = await buildRecord({ days: 2, signer: null });
    const bundle = bundleOf(files);
    expect(bundle.indexSignature).toBeNull();
    expect(bundle.days.every((day) => day.signature === null)).toBe(true);
    const { read } = bundleReader(files);
    expect(await verifyRecord({ read, now, range: bundleRange(bundle) })).toMatchObject({ ok: true, report: { keyId: null, checkedDays: 2 } });
  });

  it('a new day costs one read of the old bundle and of the new day, never the older days', async () => {
    const signer = newSigner();
    const { store: memory, days } = await buildRecord({ days: 30, signer });
    const { store, reads } = counting(memory);
    const next = dates(days.at(-1)!, 2)[1]!;
    const archivist = createArchivist({ store, signer, logger: recordingLogger(), clock: () => new Date(endOfUtcDate(next) + 60_000) });
    await archivist.archive([closedDay(next)]);
    const dayReads = reads.filter((name) => /^governance-archive\/\d{4}-.*\.json(\.jws)?$/.test(name));
    expect(dayReads.every((name) => name.includes(next) || name.includes(days.at(-1)!))).toBe(true);
    expect(reads.filter((name) => name === archiveRecentFileName)).toHaveLength(1);
  });

  it('is written again, once, when it is missing and no day closes', async () => {
    const signer = newSigner();
    const { store: memory, files, days, now } = await buildRecord({ days: 3, signer });
    const before = files.get(archiveRecentFileName);
    files.delete(archiveRecentFileName);
    const logger = recordingLogger();
    const archivist = createArchivist({ store: memory, signer, logger, clock: () => new Date(now) });
    await archivist.archive(days.map((date) => closedDay(date)));
    expect(files.get(archiveRecentFileName)).toBe(before);
    await archivist.archive(days.map((date) => closedDay(date)));
    expect(logger.events('archive_recent_rewritten')).toHaveLength(1);
  });

  it('a reader takes nothing from a bundle of the wrong shape', () => {
    expect(asRecentBundle({ index: 'x', indexSignature: null, signingKey: null, keyRotations: null, days: [] })).not.toBeNull();
    expect(asRecentBundle({ index: 'x', indexSignature: null, signingKey: null, keyRotations: null, days: [{ day: '2026-13-01', bytes: '', signature: null }] })).toBeNull();
    expect(asRecentBundle({ index: 'x', indexSignature: null, signingKey: 7, keyRotations: null, days: [] })).toBeNull();
    expect(asRecentBundle({ index: 1, days: [] })).toBeNull();
    expect(asRecentBundle(null)).toBeNull();
  });
});
