// Attacks on the record's verifiability: a tampered past that both readers must refuse, and what is
// accepted by design (a rollback). Each builds a record with the real archivist (in memory), changes
// it, and runs both readers on it (tests/attacks/record-readers.ts); a line starting LIE is a reader
// that got it wrong. The honest pasts that must verify are in record-honest.ts.
// Run: npx node tests/attacks/record-verify.ts   (no database, no network)
import { sign } from 'node:crypto';
import { serializeArchiveIndex } from '../../shared/archive-contract.ts';
import { archiveIndexFileName, archiveRecentFileName, keyRotationsFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { base64urlEncode, utf8 } from '../../shared/jws.ts';
import { createRotationStatement, createSigner, signingKeyFileBody } from '../../worker/signing-key.ts';
import { buildRecord, fixedArchive } from '../support/archive-record.ts';
import { attack, day, detached, editBundle, key, rebundle, say, sayLies } from './record-readers.ts';

/** Day 2 of a 6-day record changed by `change`, in its file and in recent.json alike (its signature left as it was). */
const withDay2 = (change: (bytes: string) => string) => async () => {
  const r = await buildRecord({ days: 6 });
  r.files.set(day(r, 2), change(r.files.get(day(r, 2))!));
  editBundle(r.files, (b) => (b.days[2]!.bytes = r.files.get(day(r, 2))!));
  return r;
};

say('tampered pasts: every reader must refuse');
await attack('a count changed in a closed day (JSON still valid)', 'refuse', withDay2((bytes) => bytes.replace(/"failed":(\d+)/, (_, n) => `"failed":${Number(n) + 1}`)));
await attack('a number respelled (94 as 94.0): same value, other bytes', 'refuse', withDay2((bytes) => bytes.replace(/"expected":96/, '"expected":96.0')));
await attack('whitespace added to a day', 'refuse', withDay2((bytes) => bytes.replace('{', '{ ')));
await attack('a BOM before a day', 'refuse', withDay2((bytes) => `\uFEFF${bytes}`));
await attack('a charter name with a homoglyph (Cyrillic e)', 'refuse', withDay2((bytes) => bytes.replace('Engineering', 'Engin\u0435ering')));
await attack('two days swapped (files and signatures)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  for (const suffix of ['', '.jws']) {
    const a = r.files.get(day(r, 1) + suffix)!;
    r.files.set(day(r, 1) + suffix, r.files.get(day(r, 2) + suffix)!);
    r.files.set(day(r, 2) + suffix, a);
  }
  editBundle(r.files, (b) => ([b.days[1], b.days[2]] = [{ ...b.days[2]!, day: b.days[1]!.day }, { ...b.days[1]!, day: b.days[2]!.day }]));
  return r;
});
await attack('a day deleted (file and signature)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  r.files.delete(day(r, 3));
  r.files.delete(`${day(r, 3)}.jws`);
  editBundle(r.files, (b) => b.days.splice(3, 1));
  return r;
});
await attack('a day duplicated in the index (re-signed by a rogue key)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  const index = JSON.parse(r.files.get(archiveIndexFileName)!);
  index.days.splice(3, 0, index.days[3]);
  r.files.set(archiveIndexFileName, JSON.stringify(index));
  editBundle(r.files, (b) => (b.index = r.files.get(archiveIndexFileName)!));
  return r;
});
await attack('a day spliced from another deployment (its own key, its own signature)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  const other = await buildRecord({ days: 6 });
  for (const suffix of ['', '.jws']) r.files.set(day(r, 2) + suffix, other.files.get(day(other, 2) + suffix)!);
  editBundle(r.files, (b) => (b.days[2] = { day: b.days[2]!.day, bytes: other.files.get(day(other, 2))!, signature: other.files.get(`${day(other, 2)}.jws`)! }));
  return r;
});
await attack('another deployment signed by the same key: its day spliced in', 'refuse', async () => {
  const signer = createSigner(key());
  const r = await buildRecord({ days: 6, signer });
  const other = await buildRecord({ days: 6, signer, first: '2026-10-01' });
  const otherDay = other.files.get(day(other, 2))!.replace(/"spent":"\d+"/, '"spent":"1"');
  r.files.set(day(r, 2), otherDay);
  r.files.set(`${day(r, 2)}.jws`, signer.sign(otherDay));
  editBundle(r.files, (b) => (b.days[2] = { day: b.days[2]!.day, bytes: otherDay, signature: signer.sign(otherDay) }));
  return r;
});
await attack('a day file whose name and content disagree (day 3 served as day 4, index and all re-signed by the key)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  const bytes = r.files.get(day(r, 3))!;
  r.files.set(day(r, 4), bytes);
  r.files.set(`${day(r, 4)}.jws`, r.signer!.sign(bytes));
  editBundle(r.files, (b) => ((b.days[4]!.bytes = bytes), (b.days[4]!.signature = r.signer!.sign(bytes))));
  return r;
});
await attack('every day deleted (files and signatures), recent.json keeps the signed index with no day', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  for (const n of [0, 1, 2, 3, 4, 5]) for (const suffix of ['', '.jws']) r.files.delete(day(r, n) + suffix);
  editBundle(r.files, (b) => b.days.splice(0));
  return r;
});
await attack('the chain truncated: the last two days deleted, index left', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  for (const n of [4, 5]) for (const suffix of ['', '.jws']) r.files.delete(day(r, n) + suffix);
  editBundle(r.files, (b) => b.days.splice(4, 2));
  return r;
});
await attack('an index whose hashes match but whose last days are missing (index cut, signature kept)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  const index = JSON.parse(r.files.get(archiveIndexFileName)!);
  r.files.set(archiveIndexFileName, serializeArchiveIndex(index.days.slice(0, 4), index.updatedAt));
  editBundle(r.files, (b) => (b.index = r.files.get(archiveIndexFileName)!));
  return r;
});
await attack('an index that drops its first day (re-signed by the key holder)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  const index = JSON.parse(r.files.get(archiveIndexFileName)!);
  r.files.set(archiveIndexFileName, serializeArchiveIndex(index.days.slice(1), index.updatedAt));
  r.files.set(`${archiveIndexFileName}.jws`, r.signer!.sign(r.files.get(archiveIndexFileName)!));
  await rebundle(r);
  return r;
});
for (const [name, header] of [
  ['alg none', { alg: 'none', kid: 'x' }],
  ['alg HS256', { alg: 'HS256', kid: 'x' }],
  ['b64 false', { alg: 'EdDSA', kid: 'x', b64: false, crit: ['b64'] }],
  ['crit with an unknown extension', { alg: 'EdDSA', kid: 'x', crit: ['exp'], exp: 1 }],
] as const) {
  await attack(`a day's signature replaced: ${name}`, 'refuse', async () => {
    const r = await buildRecord({ days: 6 });
    const kid = r.signer!.kid;
    r.files.set(`${day(r, 2)}.jws`, detached({ ...header, kid }));
    editBundle(r.files, (b) => (b.days[2]!.signature = r.files.get(`${day(r, 2)}.jws`)!));
    return r;
  });
}
for (const [name, header64] of [
  ['header null', base64urlEncode(utf8('null'))],
  ['header a number', base64urlEncode(utf8('1'))],
  ['header an array', base64urlEncode(utf8('[]'))],
] as const) {
  await attack(`a day altered, its signature's ${name}`, 'refuse', async () => {
    const r = await buildRecord({ days: 6 });
    r.files.set(day(r, 2), r.files.get(day(r, 2))!.replace(/"failed":(\d+)/, (_, n) => `"failed":${Number(n) + 1}`));
    r.files.set(`${day(r, 2)}.jws`, `${header64}..${base64urlEncode(new Uint8Array(64))}\n`);
    editBundle(r.files, (b) => ((b.days[2]!.bytes = r.files.get(day(r, 2))!), (b.days[2]!.signature = r.files.get(`${day(r, 2)}.jws`)!)));
    return r;
  });
}
await attack('a snapshot altered, its signature\'s header null', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  r.files.set('governance-status.json', r.files.get('governance-status.json')!.replace('"healthy"', '"failing"'));
  r.files.set('governance-status.json.jws', `${base64urlEncode(utf8('null'))}..${base64urlEncode(new Uint8Array(64))}\n`);
  return r;
});
await attack('a rotation statement whose signature header is null', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  const rogue = key();
  const statement = createRotationStatement(rogue, key(), new Date(r.now - 60_000), fixedArchive(r.files));
  statement.signatures[0]!.protected = base64urlEncode(utf8('null'));
  r.files.set(keyRotationsFileName, JSON.stringify({ rotations: [statement] }));
  editBundle(r.files, (b) => (b.keyRotations = r.files.get(keyRotationsFileName)!));
  return r;
});
await attack('a signature over a different body (day 2\'s .jws beside day 3)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  r.files.set(`${day(r, 3)}.jws`, r.files.get(`${day(r, 2)}.jws`)!);
  editBundle(r.files, (b) => (b.days[3]!.signature = r.files.get(`${day(r, 3)}.jws`)!));
  return r;
});
await attack('signatures stripped and the key removed (an unsigned record, no pin)', 'unsigned', async () => {
  const r = await buildRecord({ days: 6 });
  for (const name of [...r.files.keys()]) if (name.endsWith('.jws') || name === signingKeyFileName) r.files.delete(name);
  await rebundle(r);
  return r;
});
await attack('signatures stripped and the key removed, reader pins the key', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  for (const name of [...r.files.keys()]) if (name.endsWith('.jws') || name === signingKeyFileName) r.files.delete(name);
  await rebundle(r);
  return { ...r, pinned: r.signer!.publicJwk };
});
/** The snapshot as a forger serves it: healthy, its balance inflated. */
const forged = (text: string) => text.replace(/"status": "\w+"/, '"status": "healthy"').replace(/"balance": "\d+"/, '"balance": "999999999999999"');
await attack('recent.json deleted, a forged snapshot with its signature deleted, reader pins the key', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  r.files.delete(archiveRecentFileName);
  r.files.set('governance-status.json', forged(r.files.get('governance-status.json')!));
  r.files.delete('governance-status.json.jws');
  return { ...r, pinned: r.signer!.publicJwk };
});
await attack('recent.json deleted, a forged snapshot beside its old signature (the published key)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  r.files.delete(archiveRecentFileName);
  r.files.set('governance-status.json', forged(r.files.get('governance-status.json')!));
  return r;
});
await attack('recent.json deleted, the record left as it was (the page must not say nothing is archived)', 'refuse', async () => {
  const r = await buildRecord({ days: 6 });
  r.files.delete(archiveRecentFileName);
  r.files.delete(archiveIndexFileName); // the verify command reads no bundle: the index gone too, for it
  return r;
});
await attack('the whole record swapped for another deployment\'s, reader pins the real key', 'refuse', async () => {
  const real = await buildRecord({ days: 6 });
  const other = await buildRecord({ days: 6 });
  return { ...other, pinned: real.signer!.publicJwk };
});
await attack('a forged rotation: a rogue key "takes over", signed only by itself in the old kid\'s name', 'refuse', async () => {
  const oldKey = key();
  const r = await buildRecord({ days: 6, signer: createSigner(oldKey) });
  const rogue = key();
  const statement = createRotationStatement(oldKey, rogue, new Date(r.now - 60_000), fixedArchive(r.files));
  statement.signatures[0]!.signature = sign(null, Buffer.from(`${statement.signatures[0]!.protected}.${statement.payload}`), rogue).toString('base64url');
  const next = createSigner(rogue);
  r.files.set(keyRotationsFileName, JSON.stringify({ rotations: [statement] }));
  r.files.set(signingKeyFileName, signingKeyFileBody(next));
  r.files.set('governance-status.json.jws', next.sign(r.files.get('governance-status.json')!));
  return { ...r, pinned: createSigner(oldKey).publicJwk };
});
await attack('a stolen retired key signs a fresh snapshot backdated before the rotation, staleAfter far ahead', 'stale', async () => {
  const oldKey = key();
  const newKey = key();
  const r = await buildRecord({ days: 6, signer: createSigner(oldKey) });
  // rotated after the last archived day (the index stays the old key's), the new key signs the snapshots
  const statedAt = r.now + 60_000;
  const now = r.now + 3_600_000;
  r.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(statedAt), fixedArchive(r.files))] }));
  r.files.set(signingKeyFileName, signingKeyFileBody(createSigner(newKey)));
  await rebundle(r);
  const snapshot = JSON.parse(r.files.get('governance-status.json')!);
  Object.assign(snapshot, { generatedAt: new Date(statedAt - 1000).toISOString(), staleAfter: new Date(now + 7 * 86_400_000).toISOString() });
  const body = `${JSON.stringify(snapshot, null, 2)}\n`;
  r.files.set('governance-status.json', body);
  r.files.set('governance-status.json.jws', createSigner(oldKey).sign(body));
  return { ...r, now, pinned: createSigner(newKey).publicJwk };
});

await attack('a stolen retired key rolls the record back to before its rotation (two days fewer, index dated before it)', 'refuse', async () => {
  const [oldKey, newKey] = [key(), key()];
  const signer = createSigner(oldKey);
  const before = await buildRecord({ days: 4, signer });
  const r = await buildRecord({ days: 6, signer });
  // the operator rotated after the sixth day (npm run rotate-signing-key fixes it in the statement)
  const { last, head } = JSON.parse(r.files.get(archiveIndexFileName)!);
  r.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(r.now + 60_000), { last, head })] }));
  r.files.set(signingKeyFileName, signingKeyFileBody(createSigner(newKey)));
  for (const name of [archiveIndexFileName, `${archiveIndexFileName}.jws`]) r.files.set(name, before.files.get(name)!);
  await rebundle(r);
  return { ...r, pinned: createSigner(newKey).publicJwk };
});

await attack('a stolen retired key adds two days after the one its rotation fixed, closed before the rotation, with an index dated before it', 'refuse', async () => {
  const [oldKey, newKey] = [key(), key()];
  const signer = createSigner(oldKey);
  const fixed = fixedArchive((await buildRecord({ days: 4, signer })).files);
  // the thief's six days: the first four as they were, two more, all by the old key before the rotation
  const r = await buildRecord({ days: 6, signer });
  r.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(r.now + 60_000), fixed)] }));
  r.files.set(signingKeyFileName, signingKeyFileBody(createSigner(newKey)));
  await rebundle(r);
  return { ...r, pinned: createSigner(newKey).publicJwk };
});

say('by design: accepted, and why');
// A rollback: the index and its signature as they were two days ago, the later days' files left or
// deleted. Both readers verify the shorter record: only a reader who kept the head hash the verify
// command printed can tell, and give it back with --seen (tests/integration/verify-command.test.ts);
// across a key rotation, the statement fixes the record as it stood then (refused above).
await attack('an old signed index replayed (rollback: two days fewer)', 'accept', async () => {
  const signer = createSigner(key());
  const old = await buildRecord({ days: 4, signer });
  const r = await buildRecord({ days: 6, signer });
  for (const name of [archiveIndexFileName, `${archiveIndexFileName}.jws`, archiveRecentFileName]) r.files.set(name, old.files.get(name)!);
  return r;
});


sayLies();
