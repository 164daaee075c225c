// npm run -s rotate-signing-key -- --old old.pem --new new.pem --record <folder or URL> [--rotations governance-key-rotations.json] > rotations.json
// Prints governance-key-rotations.json with one more statement: the old key hands over to the new
// one from now on, signed by both (shared/key-chain.ts says how readers follow it), and fixes the
// archive as the old key signed it. The record given (the published folder or URL) is verified as
// every reader verifies it, with the old key pinned, and its last day and head go into the statement,
// so that nobody holding the old key can re-sign those days or add one later (a day archived but not
// yet listed is refused: the old worker lists it first). The statements before it are the record's own unless
// --rotations names others. Before it prints, it checks the record as every reader will once the
// output and the new key are published, the new key pinned. Stop the worker first, publish the printed
// file, then start the worker with the new key (it publishes its governance-signing-key.json).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { archiveDayFileName, archiveIndexFileName, keyRotationsFileName, nextUtcDate, signingKeyFileName } from '../shared/archive-files.ts';
import { verifyRecord } from '../shared/archive-verify.ts';
import { limits } from '../shared/constants.ts';
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
  const fixed = none ? null : { last: checked.report.last, head: checked.report.head };
  const stray = await unlisted(source, fixed?.last ?? null);
  return stray ?? fixed;
}

/**
 * Why a day archived but not listed blocks the rotation, or null: one the old worker wrote after the
 * index's last day (`last`; with no index, within the 90 days a worker's history rebuilds, which it
 * would list) before it stopped would be listed by the new key's worker, a day the old key signed
 * after the day the statement fixes, and refused by every reader. Each date up to today is looked for.
 */
async function unlisted(source: Source, last: string | null): Promise<string | null> {
  const today = new Date().toISOString().slice(0, 10);
  for (let day = last ? nextUtcDate(last) : new Date(Date.now() - (limits.historyDays + 1) * 86_400_000).toISOString().slice(0, 10); day <= today; day = nextUtcDate(day)) {
    const file = archiveDayFileName(day);
    if ((await source.read(file)) === null) continue;
    return `${file} is archived but not listed in ${archiveIndexFileName}: start the worker with the old key once so that it lists it (or remove it, if no worker of this deployment wrote it), then rotate`;
  }
  return null;
}

/** The record as readers will read it once `rotations` and the new key are published, the new key pinned: null when it verifies, or why not. */
async function afterRotation(source: Source, rotations: string, newKey: string, archived: boolean): Promise<string | null> {
  const published = new Map([[keyRotationsFileName, rotations], [signingKeyFileName, newKey]]);
  const read = (name: string) => (published.has(name) ? Promise.resolve(new TextEncoder().encode(published.get(name)!)) : source.read(name));
  const result = await verifyRecord({ read, now: Date.now(), pinnedKey: JSON.parse(newKey), snapshotName: source.snapshotName, ...(archived ? {} : { archive: false as const }) });
  return result.ok ? null : `once published, the record would not verify: ${result.failure.message}`;
}

/** The statements before this one: the file --rotations names, else the record's own; or why they cannot be read. */
async function statementsBefore(source: Source, file: string | undefined): Promise<unknown[] | string> {
  const name = file ?? `${keyRotationsFileName} at ${source.description}`;
  try {
    const bytes = file ? readFileSync(file) : await source.read(keyRotationsFileName);
    const list = bytes === null ? [] : (JSON.parse(text(bytes)) as { rotations?: unknown }).rotations;
    return Array.isArray(list) ? list : `${name} has no rotations list`;
  } catch (error) {
    return `${name} cannot be read: ${(error as Error).message}`;
  }
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
    const before = await statementsBefore(source, values.rotations);
    if (typeof before === 'string') return (process.stderr.write(`${before}\n`), 1);
    const rotations = { rotations: [...before, createRotationStatement(previous.key, next.key, new Date(), archive)] };
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
