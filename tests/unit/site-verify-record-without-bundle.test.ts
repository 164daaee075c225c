// The page without governance-archive/recent.json (site/lib/verify-record.ts checkWithoutBundle): a
// deleted bundle must not turn the checks off. The snapshot is still checked against the key pinned
// or published, and a record that exists (a key, an index) reads as broken, not "no day archived yet".
import { describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveIndexFileName, archiveRecentFileName, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { checkPolledRecord, loadBundle, type RecordMemory, type RecordSource } from '../../site/lib/verify-record.ts';
import { buildRecord, newSigner, snapshotAt } from '../support/archive-record.ts';
import { checkFiles, sourceOf } from '../support/page-record.ts';

const snapshotName = 'governance-status.json';
/** The snapshot as a forger with write access serves it: healthy, the balance inflated. */
const forge = (text: string) => text.replace(/"status": "\w+"/, '"status": "healthy"').replace(/"balance": "\d+"/, '"balance": "999999999999999"');
/** Only the snapshot (and, when signed, its signature and the key), as a deployment publishes it before its first archived day. */
function deploymentBeforeItsFirstDay(signed: boolean) {
  const signer = newSigner();
  const now = Date.parse('2026-10-01T00:01:00.000Z');
  const snapshot = snapshotAt(now - 30_000);
  const files = new Map([[snapshotName, snapshot]]);
  if (signed) files.set(signatureFileName(snapshotName), signer.sign(snapshot)).set(signingKeyFileName, `${JSON.stringify(signer.publicJwk)}\n`);
  return { files, now, signer };
}

describe('the page without recent.json', () => {
  it('fails a forged snapshot whose signature was deleted, with the key pinned', async () => {
    const { files, now, signer } = await buildRecord({ days: 6 });
    files.delete(archiveRecentFileName);
    files.set(snapshotName, forge(files.get(snapshotName)!));
    files.delete(signatureFileName(snapshotName));
    const { state } = await checkFiles(files, now, signer!.publicJwk);
    expect(state).toEqual({ kind: 'broken', failure: 'signature', file: snapshotName, day: null });
  });

  it('fails a forged snapshot against the published key, the page pinning none', async () => {
    const { files, now } = await buildRecord({ days: 6 });
    files.delete(archiveRecentFileName);
    files.set(snapshotName, forge(files.get(snapshotName)!));
    expect((await checkFiles(files, now)).state).toEqual({ kind: 'broken', failure: 'signature', file: snapshotName, day: null });
  });

  it('reads a signed record whose bundle is gone as broken, its snapshot verified or not', async () => {
    const { files, now, signer } = await buildRecord({ days: 6 });
    files.delete(archiveRecentFileName);
    const missing = { kind: 'broken', failure: 'missing', file: archiveRecentFileName, day: null };
    expect((await checkFiles(files, now)).state).toEqual(missing);
    expect((await checkFiles(files, now, signer!.publicJwk)).state).toEqual(missing);
    // every file of the archive deleted, the key and the snapshot left: still a record that should be there
    for (const name of [...files.keys()]) if (name.startsWith('governance-archive')) files.delete(name);
    expect((await checkFiles(files, now)).state).toEqual(missing);
  });

  it('reads an unsigned record whose bundle is gone as broken: its index is published', async () => {
    const { files, now } = await buildRecord({ days: 3, signer: null });
    files.delete(archiveRecentFileName);
    expect((await checkFiles(files, now)).state).toEqual({ kind: 'broken', failure: 'missing', file: archiveRecentFileName, day: null });
  });

  it('with a pinned key, a deployment with nothing published but the snapshot is broken: unsigned, or signed with no record', async () => {
    const unsigned = deploymentBeforeItsFirstDay(false);
    expect((await checkFiles(unsigned.files, unsigned.now, unsigned.signer.publicJwk)).state).toEqual({ kind: 'broken', failure: 'signature', file: snapshotName, day: null });
    const signed = deploymentBeforeItsFirstDay(true);
    signed.files.delete(signingKeyFileName);
    expect((await checkFiles(signed.files, signed.now, signed.signer.publicJwk)).state).toEqual({ kind: 'broken', failure: 'missing', file: archiveRecentFileName, day: null });
  });

  it('says no day is archived yet only where nothing is archived and nothing signed, and finds the first day at the next snapshot', async () => {
    const { files, now } = deploymentBeforeItsFirstDay(false);
    const { source, asked } = sourceOf(files);
    const memory: RecordMemory = { bundle: null, checkedDays: null };
    const poll = () => checkPolledRecord(source, memory, { snapshotText: files.get(snapshotName)!, pinnedKey: null, now });
    expect((await poll()).state).toEqual({ kind: 'none' });
    expect(asked).toContain(archiveIndexFileName);
    // the worker archives its first day
    const first = await buildRecord({ days: 1, signer: null });
    for (const [name, body] of first.files) if (name.startsWith('governance-archive')) files.set(name, body);
    expect((await poll()).state).toEqual({ kind: 'unsigned', days: 1 });
    expect(files.has(archiveDayFileName(first.days[0]!))).toBe(true);
  });

  it('says when the bundle is not one, and when it cannot be fetched', async () => {
    const { files, now } = await buildRecord({ days: 2 });
    files.set(archiveRecentFileName, '{"days": 3}');
    expect((await checkFiles(files, now)).state).toEqual({ kind: 'broken', failure: 'invalid', file: archiveRecentFileName, day: null });
    const failing: RecordSource = { url: (name) => name, snapshotName, fetch: (async () => new Response('', { status: 503 })) as unknown as typeof fetch };
    await expect(loadBundle(failing)).rejects.toThrow(/answered 503/);
  });
});
