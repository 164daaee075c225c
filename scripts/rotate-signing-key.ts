// npm run -s rotate-signing-key -- --old old.pem --new new.pem --record <folder or URL> [--rotations governance-key-rotations.json] > rotations.json
// Prints governance-key-rotations.json with one more statement: the old key hands over to the new
// one from now on, signed by both (shared/key-chain.ts says how readers follow it), and fixes the
// archive as the old key signed it: the record given (the published folder or URL) is verified as
// every reader verifies it, with the old key pinned, and its last day and head go into the statement,
// so that nobody holding the old key can re-sign those days later. The result is checked the way
// every reader checks it before it is printed. Stop the worker first, publish the printed file and
// the new governance-signing-key.json, then start the worker with the new key.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { archiveIndexFileName } from '../shared/archive-files.ts';
import { verifyRecord } from '../shared/archive-verify.ts';
import { resolveKeyChain } from '../shared/key-chain.ts';
import { openSource } from '../verify/sources.ts';
import { createRotationStatement, loadSigningKey, publicJwkOf, type RotationStatement } from '../worker/signing-key.ts';

const usage = 'usage: npm run -s rotate-signing-key -- --old <old.pem> --new <new.pem> --record <folder or URL of governance-status.json> [--rotations <governance-key-rotations.json>]';

/** The record's last archived day and head, verified with the old key pinned; null when nothing is archived yet, or why not. */
async function archiveOf(where: string, oldKey: unknown): Promise<RotationStatement['archive'] | string> {
  const source = await openSource(where);
  const result = await verifyRecord({ read: source.read, now: Date.now(), pinnedKey: oldKey, snapshotName: source.snapshotName });
  if (result.ok) return { last: result.report.last, head: result.report.head };
  if (result.failure.file === archiveIndexFileName && result.failure.code === 'missing') return null;
  return `the record at ${source.description} does not verify with the old key: ${result.failure.message}`;
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
  const archive = await archiveOf(values.record, publicJwkOf(previous.key)).catch((error: Error) => `the record cannot be read: ${error.message}`);
  if (typeof archive === 'string') return (process.stderr.write(`${archive}\n`), 1);
  if (archive === null) process.stderr.write(`no day is archived at ${values.record} yet: the statement fixes none\n`);
  const file = values.rotations ? (JSON.parse(readFileSync(values.rotations, 'utf8')) as { rotations: unknown[] }) : { rotations: [] };
  const rotations = { rotations: [...file.rotations, createRotationStatement(previous.key, next.key, new Date(), archive)] };
  const chain = await resolveKeyChain({ published: publicJwkOf(next.key), rotations, pinned: publicJwkOf(previous.key) });
  if (chain === null || 'kind' in chain) {
    process.stderr.write(`the statement would not verify: ${chain?.message ?? 'no key'}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(rotations, null, 2)}\n`);
  return 0;
}

process.exitCode = await main();
