// The page's check of the record (site/lib/verify-record.ts) over a record the real archivist wrote,
// fetched through a fetch that serves the store's files: what it asks for, and what it finds.
import { describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveIndexFileName, archiveRecentBytes, archiveRecentFileName, keyRotationsFileName, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { checkPolledRecord, checkRecord, loadBundle, recheckRecord, snapshotFreshUntil, type RecordMemory, type RecordSource } from '../../site/lib/verify-record.ts';
import { createArchivist } from '../../worker/archive.ts';
import { createRotationStatement, createSigner, publicJwkOf, signingKeyFileBody } from '../../worker/signing-key.ts';
import { generateKeyPairSync } from 'node:crypto';
import { buildRecord, fixedArchive, recordingLogger, snapshotAt } from '../support/archive-record.ts';
import { checkFiles, sourceOf } from '../support/page-record.ts';

const check = (files: Map<string, string>, now: number, pinnedKey: unknown = null) => checkFiles(files, now, pinnedKey);

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

  it('fetches the snapshot again when its signature fails, and verifies the one polled when its signature had not yet arrived', async () => {
    const { files, now, signer } = await buildRecord({ days: 2 });
    const { source, asked } = sourceOf(files);
    const bundle = await loadBundle(source);
    // polled between the worker's writes of a new snapshot and of its signature: the signature is the previous one's at first
    const polled = files.get('governance-status.json')!;
    const signature = files.get('governance-status.json.jws')!;
    files.set('governance-status.json.jws', files.get(signatureFileName(archiveIndexFileName))!);
    let reads = 0;
    const racing: RecordSource = { ...source, fetch: ((url: string, init: RequestInit) => (url.endsWith('.jws') && (reads += 1) === 2 && files.set('governance-status.json.jws', signature), source.fetch(url, init))) as typeof fetch };
    expect(await checkRecord(racing, { bundle, snapshotText: polled, pinnedKey: null, now })).toMatchObject({ kind: 'verified', keyId: signer!.kid });
    expect(asked.filter((name) => name === 'governance-status.json')).toHaveLength(1);
  });

  it('never calls the record verified for a polled snapshot other than the one whose signature verified (a newer one in between, or a forged one served once)', async () => {
    const { files, now, signer } = await buildRecord({ days: 2 });
    const { source } = sourceOf(files);
    const bundle = await loadBundle(source);
    const forged = files.get('governance-status.json')!.replace(/"status": ?"\w+"/, '"status": "healthy"').replace('"schemaVersion": 1', '"schemaVersion": 1 ');
    expect(await checkRecord(source, { bundle, snapshotText: forged, pinnedKey: signer!.publicJwk, now })).toEqual({
      kind: 'unavailable',
      reason: 'governance-status.json changed while it was checked: the one shown is checked with the next',
      // the one that verified, for the page to show in its place
      newer: files.get('governance-status.json'),
    });
  });

  it('a snapshot signed by a key retired since reads as stale from the retirement, whatever its staleAfter says', async () => {
    const oldKey = generateKeyPairSync('ed25519').privateKey;
    const newKey = generateKeyPairSync('ed25519').privateKey;
    const { files, now } = await buildRecord({ days: 2, signer: createSigner(oldKey) });
    const snapshot = JSON.parse(files.get('governance-status.json')!);
    // the old key signed the index at `now` and the snapshot before it; the new one takes over after both
    const statedAt = now + 1_000;
    files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(statedAt), fixedArchive(files))] }));
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

  it('a page open across a key rotation fetches the bundle again before it calls the new key unknown, and still fails a forged snapshot', async () => {
    const [oldKey, newKey] = [generateKeyPairSync('ed25519').privateKey, generateKeyPairSync('ed25519').privateKey];
    const record = await buildRecord({ days: 3, signer: createSigner(oldKey) });
    const { files } = record;
    const { source, asked } = sourceOf(files);
    const pinnedKey = createSigner(oldKey).publicJwk;
    const bundle = await loadBundle(source);
    expect(await checkRecord(source, { bundle, snapshotText: files.get('governance-status.json')!, pinnedKey, now: record.now })).toMatchObject({ kind: 'verified' });
    // the operator rotates (README, key rotation); the new key's worker starts, writes recent.json again and a snapshot
    const now = record.now + 120_000;
    files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(record.now + 60_000), fixedArchive(files))] }));
    const next = createSigner(newKey);
    files.set(signingKeyFileName, signingKeyFileBody(next));
    await createArchivist({ store: record.store, signer: next, logger: recordingLogger(), clock: () => new Date(now) }).archive([]);
    const snapshotText = snapshotAt(now);
    files.set('governance-status.json', snapshotText);
    files.set(signatureFileName('governance-status.json'), next.sign(snapshotText));
    const options = { bundle: bundle as Exclude<typeof bundle, null | 'invalid'>, snapshotText, pinnedKey, now };
    // what the page's later polls check (the days are not checked again): the bundle from before knows no new key
    expect(await checkRecord(source, { ...options, bundle: { ...options.bundle, days: [] } })).toMatchObject({ kind: 'broken', failure: 'unknown_key' });
    asked.length = 0;
    const again = await recheckRecord(source, options);
    expect(again.state).toMatchObject({ kind: 'verified', keyId: next.kid, days: 3, checkedDays: 3 });
    expect(asked.filter((name) => name === archiveRecentFileName)).toHaveLength(1);
    // a snapshot the new key did not sign is still a break after the bundle is fetched again
    const forged = snapshotText.replace('"healthy"', '"failing"');
    files.set('governance-status.json', forged);
    expect((await recheckRecord(source, { ...options, snapshotText: forged })).state).toMatchObject({ kind: 'broken', failure: 'signature', file: 'governance-status.json' });
  });

  it("a page that polls a new key's first snapshot before the worker has written recent.json again reads the record as verified at the next snapshot", async () => {
    const [oldKey, newKey] = [generateKeyPairSync('ed25519').privateKey, generateKeyPairSync('ed25519').privateKey];
    const record = await buildRecord({ days: 3, signer: createSigner(oldKey) });
    const { files } = record;
    const { source, asked } = sourceOf(files);
    const pinnedKey = createSigner(oldKey).publicJwk;
    const memory: RecordMemory = { bundle: null, checkedDays: null };
    const poll = (now: number) => checkPolledRecord(source, memory, { snapshotText: files.get('governance-status.json')!, pinnedKey, now });
    expect((await poll(record.now)).state).toMatchObject({ kind: 'verified' });
    // the operator rotates (README, key rotation); the new key's worker writes its first snapshot, and
    // only then, in the same tick, recent.json with the statement (worker/build-snapshot.ts)
    files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(record.now + 60_000), fixedArchive(files))] }));
    const next = createSigner(newKey);
    files.set(signingKeyFileName, signingKeyFileBody(next));
    const publish = (now: number) => {
      const text = snapshotAt(now);
      files.set('governance-status.json', text);
      files.set(signatureFileName('governance-status.json'), next.sign(text));
    };
    publish(record.now + 120_000);
    expect((await poll(record.now + 120_000)).state).toMatchObject({ kind: 'broken', failure: 'unknown_key' });
    await createArchivist({ store: record.store, signer: next, logger: recordingLogger(), clock: () => new Date(record.now + 120_000) }).archive([]);
    publish(record.now + 180_000);
    asked.length = 0;
    expect(await poll(record.now + 180_000)).toMatchObject({ state: { kind: 'verified', keyId: next.kid, days: 3, checkedDays: 3 }, days: expect.any(Array) });
    expect(asked.filter((name) => name === archiveRecentFileName)).toHaveLength(1);
    // verified again: the next snapshot reads no bundle
    publish(record.now + 240_000);
    asked.length = 0;
    expect(await poll(record.now + 240_000)).toMatchObject({ state: { kind: 'verified', keyId: next.kid }, days: null });
    expect(asked).not.toContain(archiveRecentFileName);
  });

  it('fails a bundle holding a day the index does not list, or a day twice: the checks never read those copies, and the uptime would count them', async () => {
    const { files, now, signer, days } = await buildRecord({ days: 4 });
    const honest = files.get(archiveRecentFileName)!;
    const perfect = (bytes: string) => bytes.replace(/"failed":\d+/g, '"failed":0').replace(/"succeeded":\d+/g, '"succeeded":96');
    const edits: Array<(days: Array<{ day: string; bytes: string; signature: string | null }>) => void> = [
      // a forged copy of day 2 before the genuine one (the genuine one is the copy the checks read)
      (days) => days.splice(2, 0, { ...days[2]!, bytes: perfect(days[2]!.bytes) }),
      // a day from before the record, never listed, never signed
      (days) => days.unshift({ day: '2026-09-01', bytes: perfect(days[0]!.bytes), signature: null }),
      // the newest day moved first: only it would be in the range checked
      (days) => days.unshift(days.pop()!),
    ];
    for (const edit of edits) {
      const bundle = JSON.parse(honest);
      edit(bundle.days);
      files.set(archiveRecentFileName, JSON.stringify(bundle));
      expect((await check(files, now, signer!.publicJwk)).state).toEqual({ kind: 'broken', failure: 'invalid', file: archiveRecentFileName, day: null });
    }
    // fewer days than the index, the newest ones (what the worker writes when a year does not fit): verified
    const bundle = JSON.parse(honest);
    bundle.days.splice(0, 2);
    files.set(archiveRecentFileName, JSON.stringify(bundle));
    expect((await check(files, now, signer!.publicJwk)).state).toMatchObject({ kind: 'verified', days: 4, checkedDays: 2 });
    // all but the newest (written as another replica extended the index): the newest is fetched and checked
    const behind = JSON.parse(honest);
    behind.days.pop();
    files.set(archiveRecentFileName, JSON.stringify(behind));
    const { state, asked } = await check(files, now, signer!.publicJwk);
    expect(state).toMatchObject({ kind: 'verified', days: 4, checkedDays: 4 });
    expect(asked).toContain(archiveDayFileName(days.at(-1)!));
  });

  it("never says the chain is intact with no day checked: a bundle emptied of its days still has the index's last day read", async () => {
    const { files, now, signer, days } = await buildRecord({ days: 6 });
    const bundle = JSON.parse(files.get(archiveRecentFileName)!);
    files.set(archiveRecentFileName, JSON.stringify({ ...bundle, days: [] }));
    // the days' files still there: the last one is fetched and checked
    const kept = await check(files, now, signer!.publicJwk);
    expect(kept.state).toMatchObject({ kind: 'verified', days: 6, checkedDays: 1 });
    expect(kept.asked).toContain(archiveDayFileName(days[5]!));
    // every day's file deleted, the signed index left in recent.json
    for (const day of days) files.delete(archiveDayFileName(day));
    expect((await check(files, now, signer!.publicJwk)).state).toEqual({ kind: 'broken', failure: 'missing', file: archiveDayFileName(days[5]!), day: days[5] });
  });

  it("a later poll checks the index's last day from the bundle's copy: no day is fetched", async () => {
    const { files, now, signer, days } = await buildRecord({ days: 4 });
    const { source, asked } = sourceOf(files);
    const bundle = await loadBundle(source);
    asked.length = 0;
    const { state } = await recheckRecord(source, { bundle: bundle as Exclude<typeof bundle, null | 'invalid'>, snapshotText: files.get('governance-status.json')!, pinnedKey: signer!.publicJwk, now });
    expect(state).toMatchObject({ kind: 'verified', checkedDays: 1 });
    expect(asked).toEqual([signatureFileName('governance-status.json')]);
    // the last day's copy altered in the bundle held: the later poll finds it, and fetches the bundle again before a break stands
    const altered = JSON.parse(files.get(archiveRecentFileName)!);
    altered.days[3].bytes = altered.days[3].bytes.replace(/"failed":(\d+)/, (_: string, n: string) => `"failed":${Number(n) + 1}`);
    files.set(archiveRecentFileName, JSON.stringify(altered));
    expect((await recheckRecord(source, { bundle: altered, snapshotText: files.get('governance-status.json')!, pinnedKey: signer!.publicJwk, now })).state).toMatchObject({ kind: 'broken', day: days[3] });
  });

  it('says unavailable when a record file stalls or trickles, and checks the record again with the next snapshot', async () => {
    const { files, now, signer } = await buildRecord({ days: 3 });
    const snapshotText = files.get('governance-status.json')!;
    // as the browser's fetch does: the request's signal ends a pending answer, and a body still arriving
    const stalled = (signal: AbortSignal, trickle: boolean) =>
      new Promise<Response>((resolve, reject) => {
        if (!trickle) return signal.addEventListener('abort', () => reject(signal.reason));
        const body = new ReadableStream<Uint8Array>({
          start: (controller) => {
            controller.enqueue(new TextEncoder().encode('{"days": ['));
            signal.addEventListener('abort', () => controller.error(signal.reason));
          },
        });
        resolve(new Response(body));
      });
    for (const trickle of [false, true]) {
      let stall = true;
      const { source } = sourceOf(files);
      const flaky: RecordSource = {
        ...source,
        timeoutMs: 20,
        fetch: ((url: string, init: RequestInit) => (stall && url.endsWith(archiveRecentFileName) ? stalled(init.signal!, trickle) : source.fetch(url, init))) as typeof fetch,
      };
      const memory: RecordMemory = { bundle: null, checkedDays: null };
      const first = await checkPolledRecord(flaky, memory, { snapshotText, pinnedKey: signer!.publicJwk, now });
      expect(first.state).toEqual({ kind: 'unavailable', reason: `${archiveRecentFileName} did not arrive within 0.02 s` });
      stall = false;
      const second = await checkPolledRecord(flaky, memory, { snapshotText, pinnedKey: signer!.publicJwk, now });
      expect(second.state).toMatchObject({ kind: 'verified', days: 3 });
    }
  });

  it.each([
    ['S3 without ListBucket (403)', () => new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403, headers: { 'content-type': 'application/xml' } })],
    ["a host's HTML page for any path (200)", () => new Response('<!doctype html><title>Status</title>', { headers: { 'content-type': 'text/html; charset=utf-8' } })],
  ])('reads a missing file as missing where the host answers it as %s: no record yet, not a broken one', async (_, missing) => {
    const { files, now } = await buildRecord({ days: 2 });
    files.delete(archiveRecentFileName);
    const source: RecordSource = {
      url: (name) => `https://status.example.org/${name}`,
      snapshotName: 'governance-status.json',
      fetch: (async (url: string) => {
        const body = files.get(new URL(url).pathname.slice(1));
        return body === undefined ? missing() : new Response(body, { headers: { 'content-type': 'application/json' } });
      }) as typeof fetch,
    };
    expect(await loadBundle(source)).toBeNull();
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
