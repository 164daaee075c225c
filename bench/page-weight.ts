// The built page: bytes per file type, raw and gzip, from a fresh `npm run build` into a folder
// of our own (dist/ belongs to whoever builds the site), and Lighthouse's performance and
// accessibility scores of that build served on 127.0.0.1 with a fixture snapshot.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { snapshotFileName } from '../shared/contract.ts';
import { startStaticServer } from '../scripts/static-server.ts';

export const lighthouseVersion = '13.5.0';
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromeFlags = '--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run';
const fixtureSnapshot = new URL('../tests/fixtures/snapshots/degraded.json', import.meta.url);

export type FileWeight = { path: string; type: string; raw: number; gzip: number };
export type Lighthouse =
  | { ok: true; performance: number; accessibility: number; metrics: Record<string, string>; totalBytes: number }
  | { ok: false; reason: string };
export type PageWeight = { files: FileWeight[]; lighthouse: Lighthouse };

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const typeOf = (path: string) => ({ '.js': 'JavaScript', '.mjs': 'JavaScript', '.html': 'HTML', '.css': 'CSS', '.json': 'JSON' })[extname(path)] ?? 'other';

async function weigh(path: string, name: string): Promise<FileWeight> {
  const body = await readFile(path);
  return { path: name, type: typeOf(name), raw: body.length, gzip: gzipSync(body).length };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

export async function measurePage(
  log: (line: string) => void,
  workerSnapshot: { json: string; source: string } | undefined,
): Promise<PageWeight> {
  const outDir = await mkdtemp(join(tmpdir(), 'governance-bench-site-'));
  try {
    const build = await run('npm', ['run', 'build', '--', '--outDir', outDir]);
    if (build.code !== 0) throw new Error(`npm run build failed:\n${build.output}`);
    const files = await Promise.all((await filesUnder(outDir)).map((file) => weigh(file, relative(outDir, file))));
    const snapshot = await readFile(fixtureSnapshot, 'utf8');
    files.push({ ...(await weigh(fileURLPath(fixtureSnapshot), snapshotFileName)), path: `${snapshotFileName} (fixture degraded.json, served)` });
    if (workerSnapshot !== undefined) {
      const body = Buffer.from(workerSnapshot.json);
      files.push({ path: `${snapshotFileName} (published by the worker, ${workerSnapshot.source})`, type: 'JSON', raw: body.length, gzip: gzipSync(body).length });
    }
    log('page built; running Lighthouse');
    return { files, lighthouse: await runLighthouse(outDir, snapshot) };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const fileURLPath = (url: URL) => decodeURIComponent(url.pathname);

async function runLighthouse(root: string, snapshot: string): Promise<Lighthouse> {
  const server = await startStaticServer({ root });
  server.setResponse(`/${snapshotFileName}`, { body: snapshot, contentType: 'application/json; charset=utf-8' });
  const report = join(root, '..', `lighthouse-${process.pid}.json`);
  try {
    // npx resolves lighthouse's `node` through PATH, which npm run puts this project's Node 24 on.
    const result = await run(
      'npx',
      ['-y', `lighthouse@${lighthouseVersion}`, `${server.url}/`, '--quiet', `--chrome-flags=${chromeFlags}`,
        '--output=json', `--output-path=${report}`, '--only-categories=performance,accessibility'],
      { env: { ...process.env, CHROME_PATH: chromium } },
    );
    if (result.code !== 0) return { ok: false, reason: `lighthouse exited with ${result.code}: ${result.output.trim().split('\n').slice(-3).join(' ')}` };
    const json = JSON.parse(await readFile(report, 'utf8')) as {
      categories: Record<string, { score: number | null }>;
      audits: Record<string, { displayValue?: string; numericValue?: number }>;
    };
    const metric = (id: string) => json.audits[id]?.displayValue ?? 'n/a';
    return {
      ok: true,
      performance: Math.round((json.categories.performance?.score ?? 0) * 100),
      accessibility: Math.round((json.categories.accessibility?.score ?? 0) * 100),
      metrics: {
        'First Contentful Paint': metric('first-contentful-paint'),
        'Largest Contentful Paint': metric('largest-contentful-paint'),
        'Total Blocking Time': metric('total-blocking-time'),
        'Cumulative Layout Shift': metric('cumulative-layout-shift'),
        'Speed Index': metric('speed-index'),
      },
      totalBytes: json.audits['total-byte-weight']?.numericValue ?? 0,
    };
  } catch (error) {
    return { ok: false, reason: String(error) };
  } finally {
    await server.close();
    await rm(report, { force: true });
  }
}
