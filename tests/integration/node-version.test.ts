// `node worker/main.js` on a Node older than 24 stops with one clear line and exit 78, instead of
// an older Node's error about a ".ts" file extension; on Node 24 it runs the worker.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../worker/main.js', import.meta.url));

/** The machine's own node, outside node_modules (which npm and npx put first on PATH), when older than 24. */
function machineOldNode(): { path: string; version: string } | undefined {
  const folders = (process.env.PATH ?? '').split(delimiter).filter((folder) => folder && !folder.includes('node_modules'));
  for (const path of [...folders.map((folder) => join(folder, 'node')), '/usr/bin/node']) {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
    if (Number(version.split('.')[0]) < 24) return { path, version };
  }
  return undefined;
}

function run(node: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(node, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function expectOneClearLine(result: { code: number | null; stdout: string; stderr: string }, version: string) {
  expect(result.code).toBe(78);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({
    level: 'error',
    event: 'node_too_old',
    message: expect.stringMatching(new RegExp(`needs Node\\.js 24 or later .*this is Node\\.js ${version.replaceAll('.', '\\.')} .*npm run worker`)),
  });
}

describe('worker/main.js', () => {
  const old = machineOldNode();
  it.skipIf(!old)(`on this machine's own older Node (${old?.path} ${old?.version}) says it needs Node 24, and exits 78`, async () => {
    expectOneClearLine(await run(old!.path, [entry, '--once', '--stdout']), old!.version);
  });

  it('on a Node that reports 22.12.0 says the same, whatever machine runs the test', async () => {
    const fake = `data:text/javascript,Object.defineProperty(process.versions, 'node', { value: '22.12.0' })`;
    expectOneClearLine(await run(process.execPath, ['--import', fake, entry, '--once', '--stdout']), '22.12.0');
  });

  it('on Node 24 runs the worker itself (here: its check of the settings)', async () => {
    const result = await run(process.execPath, [entry, '--once', '--stdout']);
    expect(result.code).toBe(78);
    expect(result.stderr).not.toContain('node_too_old');
    expect(JSON.parse(result.stderr.trim().split('\n')[0]!)).toMatchObject({ event: 'config_invalid', variable: 'DATABASE_URL' });
  });
});
