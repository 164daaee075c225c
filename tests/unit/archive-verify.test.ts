// The verification core (shared/archive-verify.ts) on records the real archivist wrote: a good record
// verifies, and each kind of break is found at the day it touches, never earlier.
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveIndexFileName, keyRotationsFileName, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { forgottenDay, parseSeenDay, verifyRecord, type VerifyOptions } from '../../shared/archive-verify.ts';
import { base64urlEncode, utf8 } from '../../shared/jws.ts';
import { createRotationStatement, createSigner, signingKeyFileBody } from '../../worker/signing-key.ts';
import { buildRecord, fixedArchive, newSigner, readFrom } from '../support/archive-record.ts';

const verify = (files: Map<string, string>, now: number, extra: Partial<VerifyOptions> = {}) => verifyRecord({ read: readFrom(files), now, ...extra });

/** Replaces the first match of `pattern` in a stored file, checking that it matched. */
function tamper(files: Map<string, string>, name: string, pattern: RegExp, replace: (match: string) => string) {
  const body = files.get(name)!;
  expect(body).toMatch(pattern);
  files.set(name, body.replace(pattern, replace));
}

describe('a good record', () => {
  it('verifies, with what was verified', async () => {
    const { files, now, signer, days, outcome } = await buildRecord({ days: 5 });
    expect(outcome.appended).toEqual(days);
    const result = await verify(files, now);
    expect(result).toEqual({
      ok: true,
      report: {
        keyId: signer!.kid,
        anchor: 'published',
        days: 5,
        checkedDays: 5,
        first: '2026-10-01',
        last: '2026-10-05',
        head: JSON.parse(files.get(archiveIndexFileName)!).head,
        entries: JSON.parse(files.get(archiveIndexFileName)!).days,
        snapshot: { generatedAt: new Date(now - 30_000).toISOString(), staleAfter: new Date(now + 150_000).toISOString(), freshUntil: now + 150_000, ageMs: 30_000, stale: false },
      },
    });
  });

  it('says the snapshot is stale past its staleAfter: an old green snapshot replayed cannot pass for current', async () => {
    const { files, now } = await buildRecord({ days: 2 });
    const result = await verify(files, now + 10 * 60_000);
    expect(result.ok && result.report.snapshot).toMatchObject({ stale: true, ageMs: 10 * 60_000 + 30_000 });
  });

  it('verifies an unsigned record by its chain alone, and says it is not signed (no key)', async () => {
    const { files, now } = await buildRecord({ days: 3, signer: null });
    const result = await verify(files, now);
    expect(result.ok && result.report).toMatchObject({ keyId: null, anchor: null, days: 3 });
  });

  it('fetches only the days of a range, and checks their links from the index', async () => {
    const { files, now, days } = await buildRecord({ days: 5 });
    const read = readFrom(files);
    const asked: string[] = [];
    const result = await verifyRecord({ read: (name) => (asked.push(name), read(name)), now, range: { from: days[3]! } });
    expect(result.ok && result.report.checkedDays).toBe(2);
    expect(asked.filter((name) => name.startsWith('governance-archive/') && name.endsWith('.json'))).toEqual([archiveDayFileName(days[3]!), archiveDayFileName(days[4]!)]);
  });
});

describe('tampering a field of one day fails at that day and nowhere earlier', () => {
  const cases: Array<[string, RegExp, (match: string) => string]> = [
    ['a count', /"failed":\d+/, (match) => `"failed":${Number(match.split(':')[1]) + 1}`],
    ['an incident', /"insufficient_credits"/, () => '"rate_limited"'],
    ['the prev hash', /"prev":"[0-9a-f]/, (match) => `${match.slice(0, -1)}${match.endsWith('0') ? '1' : '0'}`],
    ['the spend', /"spent":"\d/, (match) => `${match.slice(0, -1)}9`],
  ];
  it.each(cases)('%s', async (_, pattern, replace) => {
    const { files, now, days } = await buildRecord({ days: 5 });
    tamper(files, archiveDayFileName(days[2]!), pattern, replace);
    const result = await verify(files, now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'signature', day: days[2], file: archiveDayFileName(days[2]!) } });
    expect(!result.ok && result.failure.message).toMatch(/altered after it was signed/);
    // the days before it still verify
    expect((await verify(files, now, { range: { to: days[1] } })).ok).toBe(true);
  });

  it('the signature', async () => {
    const { files, now, days } = await buildRecord({ days: 5 });
    tamper(files, signatureFileName(archiveDayFileName(days[2]!)), /\.\.[A-Za-z0-9_-]{10}/, (match) => `..${match.slice(2, 11)}${match.endsWith('A') ? 'B' : 'A'}`);
    const result = await verify(files, now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'signature', day: days[2] } });
  });

  it('a count, in an unsigned record: the chain breaks there (the index lists another hash)', async () => {
    const { files, now, days } = await buildRecord({ days: 5, signer: null });
    tamper(files, archiveDayFileName(days[2]!), /"failed":\d+/, () => '"failed":7');
    const result = await verify(files, now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'chain', day: days[2] } });
    expect(!result.ok && result.failure.message).toMatch(/SHA-256 differs/);
  });

  it('a day re-signed by its own key after the edit still breaks the chain at that day', async () => {
    const { files, now, days, signer } = await buildRecord({ days: 5 });
    const name = archiveDayFileName(days[2]!);
    tamper(files, name, /"failed":\d+/, () => '"failed":7');
    files.set(signatureFileName(name), signer!.sign(files.get(name)!));
    expect(await verify(files, now)).toMatchObject({ ok: false, failure: { kind: 'chain', day: days[2] } });
  });
});

describe('each kind of break', () => {
  it('a truncated day is not JSON in an unsigned record, and not the signed bytes in a signed one (checked before it is parsed)', async () => {
    for (const signer of [null, undefined]) {
      const { files, now, days } = await buildRecord({ days: 4, signer });
      const name = archiveDayFileName(days[1]!);
      files.set(name, files.get(name)!.slice(0, 40));
      expect(await verify(files, now)).toMatchObject({ ok: false, failure: { kind: signer === null ? 'not_json' : 'signature', day: days[1], file: name } });
    }
  });

  it('a day missing in the middle of the chain', async () => {
    const { files, now, days } = await buildRecord({ days: 4 });
    files.delete(archiveDayFileName(days[2]!));
    const result = await verify(files, now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'missing', day: days[2] } });
    expect(!result.ok && result.failure.message).toBe(`${days[2]}: ${archiveDayFileName(days[2]!)} is listed in the index but missing`);
  });

  it('a day signed by another key', async () => {
    const { files, now, days } = await buildRecord({ days: 4 });
    const name = archiveDayFileName(days[1]!);
    files.set(signatureFileName(name), newSigner().sign(files.get(name)!));
    expect(await verify(files, now)).toMatchObject({ ok: false, failure: { kind: 'unknown_key', day: days[1] } });
  });

  it('a day signed in the name of a kid full of terminal escapes: the sentence carries them as inert text', async () => {
    const { files, now, days } = await buildRecord({ days: 4 });
    const name = archiveDayFileName(days[1]!);
    // up a line, erase it, and print what a verified record prints; then a right-to-left override
    const kid = '\u001b[1A\u001b[2K\rVerified the governance record\u009b8m\u202e';
    files.set(signatureFileName(name), `${base64urlEncode(utf8(JSON.stringify({ alg: 'EdDSA', kid })))}..${'A'.repeat(86)}\n`);
    const result = await verify(files, now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'unknown_key', day: days[1] } });
    const message = !result.ok ? result.failure.message : '';
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(message).toContain('\\u{1b}[1A\\u{1b}[2K\\u{d}Verified the governance record\\u{9b}8m\\u{202e}, which is not');
  });

  it('a day whose signature is gone', async () => {
    const { files, now, days } = await buildRecord({ days: 4 });
    files.delete(signatureFileName(archiveDayFileName(days[3]!)));
    expect(await verify(files, now)).toMatchObject({ ok: false, failure: { kind: 'signature', day: days[3] } });
  });

  it('a day altered and its signature replaced by one whose header is JSON null: a named break, not a thrown error', async () => {
    const { files, now, days } = await buildRecord({ days: 4 });
    const name = archiveDayFileName(days[1]!);
    tamper(files, name, /"failed":\d+/, () => '"failed":0');
    files.set(signatureFileName(name), `${base64urlEncode(utf8('null'))}..${'A'.repeat(86)}\n`);
    const result = await verify(files, now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'signature', day: days[1], file: name } });
    expect(!result.ok && result.failure.message).toMatch(/its alg is undefined, not EdDSA/);
  });

  it('a snapshot whose signature does not match', async () => {
    const { files, now } = await buildRecord({ days: 2 });
    tamper(files, 'governance-status.json', /"status": "healthy"/, () => '"status": "failing"');
    expect(await verify(files, now)).toMatchObject({ ok: false, failure: { kind: 'signature', file: 'governance-status.json', day: null } });
  });

  it('an index that lists a day less (the last one dropped) no longer matches its signature', async () => {
    const { files, now } = await buildRecord({ days: 3 });
    const index = JSON.parse(files.get(archiveIndexFileName)!);
    index.days.pop();
    Object.assign(index, { count: 2, last: index.days[1].day, head: index.days[1].sha256 });
    files.set(archiveIndexFileName, `${JSON.stringify(index)}\n`);
    expect(await verify(files, now)).toMatchObject({ ok: false, failure: { kind: 'signature', file: archiveIndexFileName } });
  });

  it('a signed record whose public key was removed', async () => {
    const { files, now } = await buildRecord({ days: 2 });
    files.delete(signingKeyFileName);
    expect(await verify(files, now)).toMatchObject({ ok: false, failure: { kind: 'unknown_key', file: archiveIndexFileName } });
  });

  it('a published key swapped for another: a reader who pinned the real one is not fooled', async () => {
    const { files, now, signer } = await buildRecord({ days: 2 });
    const forger = newSigner();
    files.set(signingKeyFileName, signingKeyFileBody(forger));
    const result = await verify(files, now, { pinnedKey: signer!.publicJwk });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'unknown_key', file: signingKeyFileName } });
  });

  it('a pinned key verifies the record it signed', async () => {
    const { files, now, signer } = await buildRecord({ days: 2 });
    const result = await verify(files, now, { pinnedKey: signer!.publicJwk });
    expect(result.ok && result.report.anchor).toBe('pinned');
  });
});

describe('key rotation', () => {
  async function rotated() {
    const oldKey = generateKeyPairSync('ed25519').privateKey;
    const newKey = generateKeyPairSync('ed25519').privateKey;
    const record = await buildRecord({ days: 4, signer: createSigner(oldKey) });
    const statedAt = record.now - 60_000;
    const statement = createRotationStatement(oldKey, newKey, new Date(statedAt), fixedArchive(record.files));
    const next = createSigner(newKey);
    record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [statement] }));
    record.files.set(signingKeyFileName, signingKeyFileBody(next));
    // the new key takes over: the snapshot and the index written after statedAt are signed by it
    for (const name of ['governance-status.json', archiveIndexFileName]) record.files.set(signatureFileName(name), next.sign(record.files.get(name)!));
    return { ...record, oldKey, newKey, next, statedAt };
  }

  it('days signed by the old key before the statement verify beside files the new key signed, whichever key is pinned', async () => {
    const record = await rotated();
    expect((await verify(record.files, record.now)).ok).toBe(true);
    expect(await verify(record.files, record.now, { pinnedKey: createSigner(record.oldKey).publicJwk })).toMatchObject({ ok: true, report: { anchor: 'pinned', keyId: record.next.kid } });
    expect((await verify(record.files, record.now, { pinnedKey: record.next.publicJwk })).ok).toBe(true);
  });

  it('the old key no longer signs anything after the rotation', async () => {
    const record = await rotated();
    record.files.set(signatureFileName('governance-status.json'), createSigner(record.oldKey).sign(record.files.get('governance-status.json')!));
    const result = await verify(record.files, record.now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'unknown_key', file: 'governance-status.json' } });
    expect(!result.ok && result.failure.message).toMatch(/not in force/);
  });

  it('a retired (or stolen) old key cannot make a snapshot pass for current: one it dates before the statement is stale from the statement on', async () => {
    const record = await rotated();
    const snapshot = JSON.parse(record.files.get('governance-status.json')!);
    Object.assign(snapshot, { generatedAt: new Date(record.statedAt - 1_000).toISOString(), staleAfter: new Date(record.now + 7 * 86_400_000).toISOString() });
    const body = `${JSON.stringify(snapshot, null, 2)}\n`;
    record.files.set('governance-status.json', body);
    record.files.set(signatureFileName('governance-status.json'), createSigner(record.oldKey).sign(body));
    const result = await verify(record.files, record.now, { pinnedKey: record.next.publicJwk });
    expect(result).toMatchObject({ ok: true, report: { snapshot: { stale: true, staleAfter: snapshot.staleAfter, freshUntil: record.statedAt } } });
    // the same snapshot signed by the key in force reads as fresh up to its staleAfter
    record.files.set(signatureFileName('governance-status.json'), record.next.sign(body.replace(snapshot.generatedAt, new Date(record.statedAt).toISOString())));
    record.files.set('governance-status.json', body.replace(snapshot.generatedAt, new Date(record.statedAt).toISOString()));
    expect(await verify(record.files, record.now)).toMatchObject({ ok: true, report: { snapshot: { stale: false, freshUntil: Date.parse(snapshot.staleAfter) } } });
  });

  it('a key a later statement brings back signs again from that statement on, and nothing in between', async () => {
    const record = await rotated();
    // old -> new a minute before the index and the snapshot, then new -> old (back) 20 s before the snapshot
    const back = record.statedAt + 30_000;
    const rotations = [createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), fixedArchive(record.files)), createRotationStatement(record.newKey, record.oldKey, new Date(back), fixedArchive(record.files))];
    record.files.set(keyRotationsFileName, JSON.stringify({ rotations }));
    const old = createSigner(record.oldKey);
    record.files.set(signingKeyFileName, signingKeyFileBody(old));
    for (const name of ['governance-status.json', archiveIndexFileName]) record.files.set(signatureFileName(name), old.sign(record.files.get(name)!));
    expect(await verify(record.files, record.now, { pinnedKey: old.publicJwk })).toMatchObject({ ok: true, report: { keyId: old.kid, snapshot: { stale: false } } });
    // the same key, still not in force between the two statements
    const snapshot = JSON.parse(record.files.get('governance-status.json')!);
    const body = `${JSON.stringify({ ...snapshot, generatedAt: new Date(back - 1_000).toISOString() }, null, 2)}\n`;
    record.files.set('governance-status.json', body);
    record.files.set(signatureFileName('governance-status.json'), old.sign(body));
    expect(await verify(record.files, record.now)).toMatchObject({ ok: false, failure: { kind: 'unknown_key', code: 'not_in_force', file: 'governance-status.json' } });
  });

  describe('a statement fixes the archive as it stood at the rotation', () => {
    /** The rotation of `rotated()` (four days the old key signed), its statement naming `day`'s SHA-256 (the index's, unless `sha256`). */
    async function fixedAt(day: number, sha256?: string) {
      const record = await rotated();
      const listed = JSON.parse(record.files.get(archiveIndexFileName)!).days[day];
      const statement = createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), { last: listed.day, head: sha256 ?? listed.sha256 });
      record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [statement] }));
      return record;
    }

    /** What a holder of the retired key can serve: the index as it stood before `kept` days ago, dated before the rotation and signed by that key. */
    function rolledBack(record: Awaited<ReturnType<typeof rotated>>, kept: number) {
      const index = JSON.parse(record.files.get(archiveIndexFileName)!);
      const days = index.days.slice(0, kept);
      const body = `${JSON.stringify({ ...index, days, last: days.at(-1).day, count: days.length, head: days.at(-1).sha256, updatedAt: new Date(record.statedAt - 1_000).toISOString() }, null, 2)}\n`;
      record.files.set(archiveIndexFileName, body);
      record.files.set(signatureFileName(archiveIndexFileName), createSigner(record.oldKey).sign(body));
    }

    it('a record that still holds that day verifies, whichever key is pinned', async () => {
      const record = await fixedAt(3);
      expect((await verify(record.files, record.now)).ok).toBe(true);
      expect((await verify(record.files, record.now, { pinnedKey: record.next.publicJwk })).ok).toBe(true);
    });

    it('a retired key cannot roll the record back to before the rotation: the day it fixed is missing', async () => {
      const record = await fixedAt(3);
      rolledBack(record, 3);
      const result = await verify(record.files, record.now, { pinnedKey: record.next.publicJwk });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'chain', code: 'not_as_rotated', file: archiveIndexFileName, day: record.days[3] } });
      expect(!result.ok && result.failure.message).toMatch(/lists no such day\): the record was rewritten or rolled back/);
    });

    it('nor rewrite the days before it: the day it fixed has another SHA-256', async () => {
      const record = await fixedAt(3, 'ab'.repeat(32));
      const result = await verify(record.files, record.now);
      expect(result).toMatchObject({ ok: false, failure: { kind: 'chain', code: 'not_as_rotated', day: record.days[3] } });
    });

    it('nor add a day after it, dated before the rotation: the retired key signs no later day', async () => {
      // the statement fixed the third day; the fourth, signed by the old key, closed before the rotation
      const record = await fixedAt(2);
      const result = await verify(record.files, record.now, { pinnedKey: record.next.publicJwk });
      expect(result).toMatchObject({ ok: false, failure: { kind: 'unknown_key', code: 'after_retirement', day: record.days[3] } });
      expect(!result.ok && result.failure.message).toMatch(new RegExp(`retired by rotation statements that fixed the archive at ${record.days[2]}: it signs no later day`));
    });

    it('nor sign any day when its statement fixed none (no day was archived at the rotation)', async () => {
      const record = await rotated();
      record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), null)] }));
      expect(await verify(record.files, record.now)).toMatchObject({ ok: false, failure: { code: 'after_retirement', day: record.days[0] } });
    });

    it('nor lift that bound with a statement of its own, from the retired key to itself: the strictest bound counts', async () => {
      const record = await rotated();
      const toItself = createRotationStatement(record.oldKey, record.oldKey, new Date(record.statedAt - 1_000), fixedArchive(record.files));
      const real = createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), { last: record.days[2]!, head: JSON.parse(record.files.get(archiveIndexFileName)!).days[2].sha256 });
      record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [toItself, real] }));
      expect(await verify(record.files, record.now, { pinnedKey: record.next.publicJwk })).toMatchObject({ ok: false, failure: { code: 'after_retirement', day: record.days[3] } });
    });

    it("nor sign an index that lists the new key's days after it: the page, which checks only the newest days, would count what it lists before them", async () => {
      // old -> new ten minutes after the second day closed: the third and fourth are the new key's
      const oldKey = generateKeyPairSync('ed25519').privateKey;
      const newKey = generateKeyPairSync('ed25519').privateKey;
      const record = await buildRecord({ days: 4, signer: createSigner(oldKey) });
      const [old, next] = [createSigner(oldKey), createSigner(newKey)];
      const index = JSON.parse(record.files.get(archiveIndexFileName)!);
      const statedAt = Date.parse(JSON.parse(record.files.get(archiveDayFileName(record.days[1]!))!).closedAt) + 60_000;
      const fixed = { last: index.days[1].day, head: index.days[1].sha256 };
      record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(statedAt), fixed)] }));
      record.files.set(signingKeyFileName, signingKeyFileBody(next));
      for (const name of [archiveDayFileName(record.days[2]!), archiveDayFileName(record.days[3]!), 'governance-status.json']) record.files.set(signatureFileName(name), next.sign(record.files.get(name)!));
      record.files.set(signatureFileName(archiveIndexFileName), next.sign(record.files.get(archiveIndexFileName)!));
      expect((await verify(record.files, record.now, { pinnedKey: next.publicJwk })).ok).toBe(true);
      // the thief's index, dated before the rotation and signed by the retired key
      const body = `${JSON.stringify({ ...index, updatedAt: new Date(statedAt - 1_000).toISOString() }, null, 2)}\n`;
      record.files.set(archiveIndexFileName, body);
      record.files.set(signatureFileName(archiveIndexFileName), old.sign(body));
      expect(await verify(record.files, record.now, { pinnedKey: next.publicJwk })).toMatchObject({ ok: false, failure: { code: 'after_retirement', file: archiveIndexFileName } });
    });

    it('a statement made before statements carried it fixes nothing: that rollback verifies, as the README says', async () => {
      const record = await rotated();
      record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), undefined)] }));
      rolledBack(record, 3);
      expect(await verify(record.files, record.now, { pinnedKey: record.next.publicJwk })).toMatchObject({ ok: true, report: { days: 3 } });
    });

    it('a statement whose archive is not a day and a SHA-256 is refused', async () => {
      const record = await rotated();
      const statement = createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), { last: 'yesterday', head: 'ab'.repeat(32) });
      record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [statement] }));
      const result = await verify(record.files, record.now);
      expect(result).toMatchObject({ ok: false, failure: { kind: 'invalid', file: keyRotationsFileName } });
      expect(!result.ok && result.failure.message).toMatch(/has an archive that is not/);
    });
  });

  it('a statement not signed by the key it replaces is refused', async () => {
    const record = await rotated();
    // a rogue key signs in the old key's name (its header names the old kid)
    const forged = createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), fixedArchive(record.files));
    const rogue = generateKeyPairSync('ed25519').privateKey;
    forged.signatures[0]!.signature = sign(null, Buffer.from(`${forged.signatures[0]!.protected}.${forged.payload}`), rogue).toString('base64url');
    record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [forged] }));
    const result = await verify(record.files, record.now);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'invalid', file: keyRotationsFileName } });
    expect(!result.ok && result.failure.message).toMatch(/signature by key .* does not verify/);

    // and one the new key did not countersign
    const unaccepted = createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), fixedArchive(record.files));
    unaccepted.signatures = [unaccepted.signatures[0]!];
    record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [unaccepted] }));
    const second = await verify(record.files, record.now);
    expect(!second.ok && second.failure.message).toMatch(/is not signed by key/);

    // and one whose signature header is JSON null: refused, not thrown
    const nullHeader = createRotationStatement(record.oldKey, record.newKey, new Date(record.statedAt), fixedArchive(record.files));
    nullHeader.signatures[0]!.protected = base64urlEncode(utf8('null'));
    record.files.set(keyRotationsFileName, JSON.stringify({ rotations: [nullHeader] }));
    expect(await verify(record.files, record.now)).toMatchObject({ ok: false, failure: { kind: 'invalid', file: keyRotationsFileName } });
  });
});

describe('a file rewritten in place', () => {
  it('read between its write and its signature\'s is read again once, then verifies', async () => {
    const { files, now } = await buildRecord({ days: 2 });
    const current = files.get('governance-status.json')!;
    const older = current.replace(/"generatedAt": "[^"]+"/, `"generatedAt": "${new Date(now - 90_000).toISOString()}"`);
    const read = readFrom(files);
    let served = 0;
    // the first read of the snapshot gets the older file, whose signature is already replaced
    const result = await verifyRecord({ now, read: (name) => (name === 'governance-status.json' && served++ === 0 ? Promise.resolve(new TextEncoder().encode(older)) : read(name)) });
    expect(served).toBe(2);
    expect(result.ok).toBe(true);
  });
});

describe('the days a reader saw before', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);
  it('are read from <day>=<SHA-256>, and nothing else', () => {
    expect(parseSeenDay(`2026-11-03=${a.toUpperCase()}`)).toEqual({ day: '2026-11-03', sha256: a });
    expect([`2026-02-30=${a}`, `2026-11-03=${a.slice(1)}`, `2026-11-03 ${a}`, '', `2026-11-03=${a}x`].map(parseSeenDay)).toEqual([null, null, null, null, null]);
  });
  it('must all still be in the record with the same bytes: a record only ever adds days', () => {
    const entries = [{ day: '2026-11-02', sha256: a }, { day: '2026-11-03', sha256: b }];
    expect(forgottenDay(entries, [])).toBeNull();
    expect(forgottenDay(entries, [{ day: '2026-11-03', sha256: b }, { day: '2026-11-02', sha256: a }])).toBeNull();
    const c = 'c'.repeat(64);
    expect(forgottenDay(entries, [{ day: '2026-11-04', sha256: c }])).toEqual({ day: '2026-11-04', problem: expect.stringMatching(/no longer lists it: the record was rolled back or cut$/) });
    expect(forgottenDay(entries, [{ day: '2026-11-02', sha256: c }])).toEqual({ day: '2026-11-02', problem: expect.stringMatching(/lists a{64}: the record was rewritten$/) });
  });
  it('a hash the record lists under another day was paired with the wrong day by the reader: no rollback, no rewrite', () => {
    // run on 2026-11-04, the command printed the head of 2026-11-03; the reader kept the date of the run
    const entries = [{ day: '2026-11-02', sha256: a }, { day: '2026-11-03', sha256: b }, { day: '2026-11-04', sha256: 'c'.repeat(64) }];
    expect(forgottenDay(entries, [{ day: '2026-11-04', sha256: b }])).toEqual({ day: '2026-11-04', misread: true, problem: `${b} is the SHA-256 of 2026-11-03, not of 2026-11-04: give each hash with the day the verify command named beside it (--seen 2026-11-03=${b})` });
    expect(forgottenDay(entries.slice(0, 2), [{ day: '2026-11-04', sha256: b }])).toMatchObject({ misread: true });
  });
});
