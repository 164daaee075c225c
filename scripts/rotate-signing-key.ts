// npm run -s rotate-signing-key -- --old old.pem --new new.pem --record <folder or URL> [--rotations governance-key-rotations.json] > rotations.json
// Prints governance-key-rotations.json with one more statement: the old key hands over to the new
// one from now on, signed by both (shared/key-chain.ts says how readers follow it), and fixes the
// archive as the old key signed it. The record given (the published folder or URL) is verified as
// every reader verifies it, with the old key pinned, and its last day and head go into the statement,
// so that nobody holding the old key can re-sign those days or add one later (a day archived but not
// yet listed is refused: the old worker lists it first). The statements before it are the record's own unless
// --rotations names others. Before it prints, it checks the record as every reader will once the
// output and the new key are published, the new key pinned. Stop the worker first, publish the printed
// file and the new governance-signing-key.json, then start the worker with the new key.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { archiveDayFileName, archiveIndexFileName, keyRotationsFileName, nextUtcDate, signingKeyFileName } from '../shared/archive-files.ts';
import { verifyRecord } from '../shared/archive-verify.ts';
import { importPublicJwk, type VerifyingKey } from '../shared/jws.ts';
import { openSource, type Source } from '../verify/sources.ts';
import { createRotationStatement, loadSigningKey, publicJwkOf, signingKeyFileBody, createSigner, type RotationStatement } from '../worker/signing-key.ts';

const usage = 'usage: npm run -s rotate-signing-key -- --old <old.pem> --new <new.pem> --record <folder or URL of governance-status.json> [--rotations <governance-key-rotations.json>]';
type Archive = NonNullable<RotationStatement['archive']>;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The record's last archived day and head, verified with the old key pinned; null when it verifies with no day archived yet; or why not. */
async function archiveOf(source: Source, oldKey: VerifyingKey): Promise<Archive | null | string> {
  const read = { read: source.read, now: Date.now(), pinnedKey: oldKey.jwk, snapshotName: source.snapshotName };
  const result = await verifyRecord(read);
  const none = !result.ok && result.failure.file === archiveIndexFileName && result.failure.code === 'missing';
  // no index: the key and the snapshot must still verify, or --record names no record of this key
  const checked = none ? await verifyRecord({ ...read, archive: false }) : result;
  if (!checked.ok) return `the record at ${source.description} does not verify with the old key: ${checked.failure.message}`;
  return none ? null : unlisted(source, { last: checked.report.last, head: checked.report.head });
}

/**
 * The index's last day and head, or why not: a day the old worker archived after it before it stopped
 * (written, not yet listed) would be one the old key signed after the day fixed, refused by every reader.
 */
async function unlisted(source: Source, fixed: Archive): Promise<Archive | string> {
  const file = archiveDayFileName(nextUtcDate(fixed.last));
  if ((await source.read(file)) === null) return fixed;
  return `${file} is archived but not listed in ${archiveIndexFileName}: start the worker with the old key once so that it lists it (or remove it, if no worker of this deployment wrote it), then rotate`;
}

/** The record as readers will read it once `rotations` and the new key are published, the new key pinned: null when it verifies, or why not. */
async function afterRotation(source: Source, rotations: string, newKey: string, archived: boolean): Promise<string | null> {
  const published = new Map([[keyRotationsFileName, rotations], [signingKeyFileName, newKey]]);
  const read = (name: string) => (published.has(name) ? Promise.resolve(new TextEncoder().encode(published.get(name)!)) : source.read(name));
  const result = await verifyRecord({ read, now: Date.now(), pinnedKey: JSON.parse(newKey), snapshotName: source.snapshotName, ...(archived ? {} : { archive: false as const }) });
  return result.ok ? null : `once published, the record would not verify: ${result.failure.message}`;
}

async function main(): Promise<number> {
  let values: { old?: string; new?: string; record?: string; rotations?: string };
  try {
    values = parseArgs({ options: { old: { type: 'string' }, new: { type: 'string' }, record: { type: 'string' }, rotations: { type: 'string' } } }).values;
  } catch {
    values = {};
  }
  if (!values.old || !values.new || !values.record) return (process.stderr.write(`${usage}\n`), 64);
  const previous = loadSigningKey(values.old);
  const next = loadSigningKey(values.new);
  for (const [flag, loaded] of [['--old', previous], ['--new', next]] as const) {
    if ('problem' in loaded) return (process.stderr.write(`${flag} ${loaded.problem}\n`), 78);
  }
  if (!('key' in previous) || !('key' in next)) return 78;
  try {
    const source = await openSource(values.record);
    const archive = await archiveOf(source, (await importPublicJwk(publicJwkOf(previous.key))) as VerifyingKey);
    if (typeof archive === 'string') return (process.stderr.write(`${archive}\n`), 1);
    if (archive === null) process.stderr.write(`no day is archived at ${source.description} yet: the statement fixes none\n`);
    const before = values.rotations ? readFileSync(values.rotations, 'utf8') : await source.read(keyRotationsFileName).then((bytes) => (bytes ? text(bytes) : '{"rotations": []}'));
    const rotations = { rotations: [...(JSON.parse(before) as { rotations: unknown[] }).rotations, createRotationStatement(previous.key, next.key, new Date(), archive)] };
    const output = `${JSON.stringify(rotations, null, 2)}\n`;
    const problem = await afterRotation(source, output, signingKeyFileBody(createSigner(next.key)), archive !== null);
    if (problem) return (process.stderr.write(`${problem}\n`), 1);
    process.stdout.write(output);
    return 0;
  } catch (error) {
    process.stderr.write(`the record cannot be read: ${(error as Error).message}\n`);
    return 2;
  }
}

process.exitCode = await main();
