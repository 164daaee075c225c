// The folder the demo serves: a fresh copy of the built site (rebuilt first when missing or older
// than its sources or its notes), into which the worker then publishes governance-status.json and
// its siblings.
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../shared/ports.ts';

/** What `npm run build` reads: the site, the contract it embeds, and the build's own settings. */
const buildInputs = ['site', 'shared', 'astro.config.mjs', 'package.json'];

type Options = {
  repoRoot: string;
  siteDir: string;
  servedDir: string;
  logger: Logger;
  /** the operators' notes to build in (GOVERNANCE_NOTES_DIR) */
  notesDir?: string;
  /** the public JWK the page pins (PUBLIC_SIGNING_KEY_FILE) */
  pinnedKeyFile?: string;
};

export async function prepareServedSite({ repoRoot, siteDir, servedDir, logger, notesDir, pinnedKeyFile }: Options): Promise<void> {
  const builtAt = await modifiedAt(join(siteDir, 'index.html'));
  const inputs = [...buildInputs.map((input) => join(repoRoot, input)), ...(notesDir ? [notesDir] : []), ...(pinnedKeyFile ? [pinnedKeyFile] : [])];
  const sourcesAt = Math.max(...(await Promise.all(inputs.map((input) => newestIn(input)))));
  if (builtAt === null || builtAt < sourcesAt) {
    await buildSite({ repoRoot, siteDir, logger, notesDir, pinnedKeyFile, reason: builtAt === null ? 'missing' : 'older than its sources' });
  }
  // Copied, not linked: the static server serves one folder, and the published files must not land in dist/.
  await rm(servedDir, { recursive: true, force: true });
  await mkdir(servedDir, { recursive: true });
  await cp(siteDir, servedDir, { recursive: true });
}

async function buildSite({ repoRoot, siteDir, logger, reason, notesDir, pinnedKeyFile }: { repoRoot: string; siteDir: string; logger: Logger; reason: string; notesDir?: string | undefined; pinnedKeyFile?: string | undefined }) {
  const started = performance.now();
  logger.info('site_build_started', { siteDir, reason });
  // The build's own output goes to stderr: stdout carries only this demo's JSON log lines.
  // The build script writes dist/; only another folder needs saying (tests build into a temporary one).
  const outDir = resolve(siteDir) === join(repoRoot, 'dist') ? [] : ['--', '--outDir', siteDir];
  const env = { ...process.env, ...(notesDir && { GOVERNANCE_NOTES_DIR: notesDir }), ...(pinnedKeyFile && { PUBLIC_SIGNING_KEY_FILE: pinnedKeyFile }) };
  const child = spawn('npm', ['run', 'build', ...outDir], { cwd: repoRoot, env, stdio: ['ignore', 2, 2] });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`npm run build exited with ${code}: see its output above`);
  logger.info('site_built', { siteDir, durationMs: Math.round(performance.now() - started) });
}

async function modifiedAt(path: string): Promise<number | null> {
  return stat(path).then(
    (info) => info.mtimeMs,
    () => null,
  );
}

/** The newest modification time of a file or of any file below a folder (0 when absent). */
async function newestIn(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const times = await Promise.all(
    entries.filter((entry) => entry.isFile()).map((entry) => modifiedAt(join(entry.parentPath, entry.name))),
  );
  return Math.max(info.mtimeMs, ...times.map((time) => time ?? 0));
}
