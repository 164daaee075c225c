// npm run -s rotate-signing-key -- --old old.pem --new new.pem [--rotations governance-key-rotations.json] > rotations.json
// Prints governance-key-rotations.json with one more statement: the old key hands over to the new
// one from now on, signed by both (shared/key-chain.ts says how readers follow it). The result is
// checked the way every reader checks it before it is printed. Stop the worker first, publish the
// printed file and the new governance-signing-key.json, then start the worker with the new key.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveKeyChain } from '../shared/key-chain.ts';
import { createRotationStatement, loadSigningKey, publicJwkOf } from '../worker/signing-key.ts';

const usage = 'usage: npm run -s rotate-signing-key -- --old <old.pem> --new <new.pem> [--rotations <governance-key-rotations.json>]';

async function main(): Promise<number> {
  let values: { old?: string; new?: string; rotations?: string };
  try {
    values = parseArgs({ options: { old: { type: 'string' }, new: { type: 'string' }, rotations: { type: 'string' } } }).values;
  } catch {
    values = {};
  }
  if (!values.old || !values.new) return (process.stderr.write(`${usage}\n`), 64);
  const previous = loadSigningKey(values.old);
  const next = loadSigningKey(values.new);
  for (const [flag, loaded] of [['--old', previous], ['--new', next]] as const) {
    if ('problem' in loaded) return (process.stderr.write(`${flag} ${loaded.problem}\n`), 78);
  }
  if (!('key' in previous) || !('key' in next)) return 78;
  const file = values.rotations ? (JSON.parse(readFileSync(values.rotations, 'utf8')) as { rotations: unknown[] }) : { rotations: [] };
  const rotations = { rotations: [...file.rotations, createRotationStatement(previous.key, next.key, new Date())] };
  const chain = await resolveKeyChain({ published: publicJwkOf(next.key), rotations, pinned: publicJwkOf(previous.key) });
  if (chain === null || 'kind' in chain) {
    process.stderr.write(`the statement would not verify: ${chain?.message ?? 'no key'}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(rotations, null, 2)}\n`);
  return 0;
}

process.exitCode = await main();
