// The built page: bytes per file type, raw and gzip, from a fresh `npm run build` into a folder
// of our own (dist/ belongs to whoever builds the site), and the demo's files it fetches.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { historyFileName, snapshotFileName } from '../shared/contract.ts';
import { run } from './run-command.ts';

export type FileWeight = { path: string; type: string; raw: number; gzip: number };
export type PageWeight = { files: FileWeight[] };

const typeOf = (path: string) => ({ '.js': 'JavaScript', '.mjs': 'JavaScript', '.html': 'HTML', '.css': 'CSS', '.json': 'JSON' })[extname(path)] ?? 'other';

async function weigh(path: string, name: string): Promise<FileWeight> {
  const body = await readFile(path);
  return { path: name, type: typeOf(name), raw: body.length, gzip: gzipSync(body).length };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

/** `npm run build` into a new temporary folder; returns the folder. */
export async function buildSite(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'governance-bench-site-'));
  const build = await run('npm', ['run', 'build', '--', '--outDir', outDir]);
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.output}`);
  return outDir;
}

export async function weighPage(outDir: string, workerSnapshot: { json: string; source: string } | undefined): Promise<PageWeight> {
  const files = await Promise.all((await filesUnder(outDir)).map((file) => weigh(file, relative(outDir, file))));
  for (const [kind, name] of [['snapshots', snapshotFileName], ['history', historyFileName]] as const) {
    const path = decodeURIComponent(new URL(`../tests/fixtures/${kind}/demo.json`, import.meta.url).pathname);
    files.push({ ...(await weigh(path, name)), path: `${name} (fixture demo.json, served)` });
  }
  if (workerSnapshot !== undefined) {
    const body = Buffer.from(workerSnapshot.json);
    files.push({ path: `${snapshotFileName} (published by the worker, ${workerSnapshot.source})`, type: 'JSON', raw: body.length, gzip: gzipSync(body).length });
  }
  return { files };
}
