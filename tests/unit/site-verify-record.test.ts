// The page's check of the record (site/lib/verify-record.ts) over a record the real archivist wrote,
// fetched through a fetch that serves the store's files: what it asks for, and what it finds.
import { describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveRecentBytes, archiveRecentFileName, keyRotationsFileName, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { checkRecord, loadBundle, snapshotFreshUntil, type RecordSource } from '../../site/lib/verify-record.ts';
import { createRotationStatement, createSigner, publicJwkOf, signingKeyFileBody } from '../../worker/signing-key.ts';
import { generateKeyPairSync } from 'node:crypto';
import { buildRecord } from '../support/archive-record.ts';

function sourceOf(files: Map<string, string>) {
  const asked: string[] = [];
  const source: RecordSource = {
    url: (name) => `https://status.example.org/${name}`,
    snapshotName: 'governance-status.json',
    fetch: (async (url: string) => {
      const name = new URL(url).pathname.slice(1);
      asked.push(name);
      const body = files.get(name);
      return body === undefined ? new Response('not found', { status: 404 }) : new Response(body);
    }) as typeof fetch,
  };
  return { source, asked };
}

async function check(files: Map<string, string>, now: number, pinnedKey: unknown = null) {
  const { source, asked } = sourceOf(files);
  const bundle = await loadBundle(source);
  const state = await checkRecord(source, { bundle, snapshotText: files.get('governance-status.json')!, pinnedKey, now });
  return { state, asked };
}

describe('the page checks the record', () => {
  it('with two requests: the bundle and the snapshot signature, and says what verified', async () => {
    const { files, now, signer } = await buildRecord({ days: 12 });
    const { state, asked } = await check(files, now, signer!.publicJwk);
    const { generatedAt, staleAfter } = JSON.parse(files.get('governance-status.json')!);
    expect(state).toEqual({ kind: 'verified', keyId: signer!.kid, days: 12, checkedDays: 12, snapshot: { generatedAt, freshUntil: staleAfter } });
    expect(asked).toEqual([archiveRecentFileName, signatureFileName('governance-status.json')]);
  });

  it('names the day that was altered', async () => {
    const { files, now, days } = await buildRecord({ days: 6 });
    const bundle = JSON.parse(files.get(archiveRecentFileName)!);
    bundle.days[4].bytes = bundle.days[4].bytes.replace('"succeeded":24', '"succeeded":23');
    files.set(archiveRecentFileName, JSON.stringify(bundle));
    expect((await check(files, now)).state).toEqual({ kind: 'broken', failure: 'signature', file: archiveDayFileName(days[4]!), day: days[4] });
  });

  it('fails a record signed by another key than the one pinned', async () => {
    const { files, now } = await buildRecord({ days: 3 });
    const pinned = publicJwkOf(generateKeyPairSync('ed25519').privateKey);
    expect((await check(files, now, pinned)).state).toMatchObject({ kind: 'broken', failure: 'unknown_key', file: signingKeyFileName });
  });

  it('says an unsigned record is not signed, and fails it when the page pins a key', async () => {
    const { files, now } = await buildRecord({ days: 3, signer: null });
    expect((await check(files, now)).state).toEqual({ kind: 'unsigned', days: 3 });
    const pinned = publicJwkOf(generateKeyPairSync('ed25519').privateKey);
    expect((await check(files, now, pinned)).state).toMatchObject({ kind: 'broken', failure: 'signature' });
  });

  it('fetches the snapshot again when the polled one is not the one signed (a newer one was published in between)', async () => {
    const { files, now, signer } = await buildRecord({ days: 2 });
    const { source, asked } = sourceOf(files);
    const bundle = await loadBundle(source);
    const older = files.get('governance-status.json')!.replace('"schemaVersion": 1', '"schemaVersion": 1 ');
    expect(await checkRecord(source, { bundle, snapshotText: older, pinnedKey: null, now })).toMatchObject({ kind: 'verified', keyId: signer!.kid });
    expect(asked.filter((name) => name === 'governance-status.json')).toHaveLength(1);
  });

  it('a snapshot signed by a key retired since reads as stale from the retirement, whatever its staleAfter says', async () => {
    const oldKey = generateKeyPairSync('ed25519').privateKey;
    const newKey = generateKeyPairSync('ed25519').privateKey;
    const { files, now } = await buildRecord({ days: 2, signer: createSigner(oldKey) });
    const snapshot = JSON.parse(files.get('governance-status.json')!);
    // the old key signed the index at `now` and the snapshot before it; the new one takes over after both
    const statedAt = now + 1_000;
    files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(statedAt))] }));
    files.set(signingKeyFileName, signingKeyFileBody(createSigner(newKey)));
    const bundle = JSON.parse(files.get(archiveRecentFileName)!);
    files.set(archiveRecentFileName, JSON.stringify({ ...bundle, signingKey: files.get(signingKeyFileName), keyRotations: files.get(keyRotationsFileName) }));
    const { state } = await check(files, now + 2_000);
    expect(state).toMatchObject({ kind: 'verified', snapshot: { freshUntil: new Date(statedAt).toISOString() } });
    expect(snapshotFreshUntil(snapshot, state)).toBe(new Date(statedAt).toISOString());
    // a newer snapshot polled since is not judged by the state of the one checked before it
    expect(snapshotFreshUntil({ generatedAt: new Date(now).toISOString(), staleAfter: 'later' }, state)).toBe('later');
    expect(snapshotFreshUntil(snapshot, { kind: 'checking' })).toBe(snapshot.staleAfter);
  });

  it('says when there is no record yet, when the bundle is not one, and when it cannot be fetched', async () => {
    const { files, now } = await buildRecord({ days: 2 });
    files.delete(archiveRecentFileName);
    expect((await check(files, now)).state).toEqual({ kind: 'none' });
    files.set(archiveRecentFileName, '{"days": 3}');
    expect((await check(files, now)).state).toEqual({ kind: 'broken', failure: 'invalid', file: archiveRecentFileName, day: null });
    const failing: RecordSource = { url: (name) => name, snapshotName: 'governance-status.json', fetch: (async () => new Response('', { status: 503 })) as unknown as typeof fetch };
    await expect(loadBundle(failing)).rejects.toThrow(/answered 503/);
  });

  it('refuses a file longer than its bound, read no further: a bundle is then not one, a snapshot cannot be checked', async () => {
    const { files, now } = await buildRecord({ days: 2 });
    let pulled = 0;
    // far past every bound (an endless one would not end a test that fails)
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull: (controller) => {
            pulled += 1;
            controller.enqueue(new Uint8Array(1_048_576).fill(0x20));
            if (pulled === 40) controller.close();
          },
        }),
      );
    const source = (endlessName: string): RecordSource => ({
      ...sourceOf(files).source,
      fetch: (async (url: string) => (new URL(url).pathname.slice(1) === endlessName ? endless() : new Response(files.get(new URL(url).pathname.slice(1))))) as typeof fetch,
    });
    expect(await loadBundle(source(archiveRecentFileName))).toBe('invalid');
    expect(pulled).toBeLessThanOrEqual(archiveRecentBytes / 1_048_576 + 2);
    // the polled snapshot's signature fails: the snapshot fetched again is endless
    pulled = 0;
    const snapshotSource = source('governance-status.json');
    const state = await checkRecord(snapshotSource, { bundle: await loadBundle(snapshotSource), snapshotText: '{}', pinnedKey: null, now });
    expect(state).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(/^governance-status\.json is larger than its bound/) });
    expect(pulled).toBeLessThanOrEqual(3);
  });
});
