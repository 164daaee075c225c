// The README's promise: badge snippets with absolute URLs "from the build's site", which
// PUBLIC_SITE_URL sets at build time (astro.config.mjs). A real build into a temporary folder.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function build(siteUrl: string): Promise<{ code: number | null; output: string; outDir: string }> {
  const outDir = await mkdtemp(join(tmpdir(), 'governance-site-'));
  folders.push(outDir);
  // as a person runs it: without what vitest puts into the environment (NODE_ENV=test, BASE_URL, VITEST, ...)
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ASTRO_TELEMETRY_DISABLED: '1', PUBLIC_SITE_URL: siteUrl };
  const child = spawn('npm', ['run', 'build', '--', '--outDir', outDir], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output, outDir };
}

describe('PUBLIC_SITE_URL', () => {
  it('puts absolute badge and page URLs into the built HTML, and its path under every link', { timeout: 120_000 }, async () => {
    const { code, output, outDir } = await build('https://status.example.org/dao/');
    expect(code, output).toBe(0);
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    const text = html.replace(/<[^>]*>/g, '').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
    expect(text).toContain('[![Governance status](https://status.example.org/dao/governance-badge.svg)](https://status.example.org/dao/)');
    expect(text).toContain(`https://img.shields.io/endpoint?url=${encodeURIComponent('https://status.example.org/dao/governance-badge.json')}`);
    expect(html).toContain('href="/dao/governance-status.json"');
    expect(html).toMatch(/<script type="module" src="\/dao\/_astro\/[^"]+\.js"><\/script>/);
  });

  it('stops a build with a value that is no absolute URL, saying what it must be', { timeout: 120_000 }, async () => {
    const { code, output } = await build('status.example.org');
    expect(code).not.toBe(0);
    expect(output).toContain("PUBLIC_SITE_URL must be the page's absolute http(s) URL");
  });
});
