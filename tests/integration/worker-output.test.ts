// What the worker prints, run the way the README says: `npm run -s worker -- --once --stdout > out.json`
// (and the package's bin) leaves exactly the JSON in the file, and every other line is one JSON object,
// also when a library (pg, node) has something to say.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGovernanceStatus } from '../../shared/contract.ts';
import { seedScenario } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker } from '../support/worker-process.ts';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../..', import.meta.url));
let database: TestDatabase;
let folder: string;

beforeAll(async () => {
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
  folder = await mkdtemp(join(tmpdir(), 'governance-output-'));
});
afterAll(async () => {
  await database?.drop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** Runs a shell command line in the repository, as an operator would type it. */
async function shell(command: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('sh', ['-c', command], { cwd: repository, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Every non-empty line is a JSON object with an event, except npm's own engine warnings (stderr). */
function expectJsonLines(text: string) {
  const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('npm warn'));
  for (const line of lines) expect(JSON.parse(line)).toMatchObject({ event: expect.any(String) });
  return lines.map((line) => JSON.parse(line) as { event: string; [key: string]: unknown });
}

describe('--once --stdout redirected to a file', () => {
  it.each([
    ['npm run -s worker', 'npm run -s worker -- --once --stdout'],
    ['the package bin', 'npx governance-status-worker --once --stdout'],
  ])('%s writes exactly the JSON', async (_name, command) => {
    const out = join(folder, `${_name.replaceAll(' ', '-')}.json`);
    const result = await shell(`${command} > ${out}`, { DATABASE_URL: database.readerUrl });
    expect(result.code, result.stderr).toBe(0);
    const snapshot = JSON.parse(await readFile(out, 'utf8'));
    expect(parseGovernanceStatus(snapshot).success).toBe(true);
    expectJsonLines(result.stderr);
  });
});

describe('library output is JSON lines too', () => {
  it("pg's SSL-mode warning becomes one node_warning line; the failure says the server has no TLS", async () => {
    const url = new URL(database.readerUrl);
    url.searchParams.set('sslmode', 'require');
    const worker = startWorker(['--once'], { DATABASE_URL: url.href, SNAPSHOT_DESTINATION: `file://${join(folder, 'ssl', 'governance-status.json')}` });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toBe('');
    const lines = expectJsonLines(worker.stdout());
    expect(lines.filter((line) => line.event === 'node_warning')).toHaveLength(1);
    expect(lines.find((line) => line.event === 'node_warning')?.message).toMatch(/^SECURITY WARNING: The SSL modes/);
    expect(lines.find((line) => line.event === 'snapshot_failed')?.error).toMatchObject({ message: 'The server does not support SSL connections' });
    expect(worker.stdout()).not.toContain(url.password);
  });

  it('with --stdout every log line, library output included, goes to stderr as JSON', async () => {
    const url = new URL(database.readerUrl);
    url.searchParams.set('sslmode', 'require');
    const result = await shell('npm run -s worker -- --once --stdout', { DATABASE_URL: url.href });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(expectJsonLines(result.stderr).map((line) => line.event)).toEqual(['node_warning', 'snapshot_failed']);
  });
});
