// What the worker loads is what it resides in for its whole life (docs/measurements.md, "The
// worker's memory"): a worker that writes files loads no AWS SDK, and no module of the worker wakes
// Node's bundled undici (fetch, WebSocket), which it never uses: each is about 10 MB resident.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Every module worker/main.ts imports, and the file store it creates for a file:// destination.
const probe = `
import { createRequire } from 'node:module';
const modules = ['config', 'build-snapshot', 'logger', 'metrics', 'postgres/postgres-governance-source', 'snapshot-runner', 'postgres/advisory-lock-leader', 'health-server', 'side-files', 'signing-key', 'stores/create-store', 'validate'];
for (const name of modules) await import(new URL('worker/' + name + '.ts', 'file://${root}'));
await import('pg');
await import('node-cron');
const { createStore } = await import(new URL('worker/stores/create-store.ts', 'file://${root}'));
await createStore({ kind: 'file', path: '/tmp/governance-status.json', snapshotName: 'governance-status.json' }, { s3ForcePathStyle: false, cacheControl: 'no-cache' });
const loaded = Object.keys(createRequire('${root}package.json').cache);
process.stdout.write(JSON.stringify({ builtins: process.moduleLoadList, packages: loaded }));
`;

describe('the worker’s modules, with a file destination', () => {
  const { builtins, packages } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' })) as { builtins: string[]; packages: string[] };

  it('load neither Node’s bundled undici nor the AWS SDK', () => {
    expect(packages.some((path) => path.includes('/node_modules/pg/'))).toBe(true); // the probe sees packages at all
    expect(builtins.filter((name) => name.includes('undici'))).toEqual([]);
    expect(packages.filter((path) => path.includes('@aws-sdk') || path.includes('@smithy'))).toEqual([]);
  });
});
