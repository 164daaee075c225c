// How the built page performs with the demo's data (tests/fixtures/*/demo.json: 90 days, 4 charters,
// a few dozen incidents): Lighthouse on its mobile profile (and desktop, for layout shift), and in
// unthrottled Chromium the main thread's time (CDP Performance.getMetrics: TaskDuration,
// ScriptDuration, in the thread's own CPU time, so that other work on a shared machine does not count)
// to load and then per 20 s in a visible tab. The snapshot is served as just made.
import { readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { historyFileName, snapshotFileName } from '../shared/contract.ts';
import { startStaticServer, type StaticServer } from '../scripts/static-server.ts';
import { run } from './run-command.ts';

export const lighthouseVersion = '13.5.0';
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromeFlags = '--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run';
const fixture = (kind: 'snapshots' | 'history') => new URL(`../tests/fixtures/${kind}/demo.json`, import.meta.url);

/** benchmarkIndex: Lighthouse's measure of the machine's speed during the run (higher is faster; a busy machine scores low). */
export type LighthouseRun = { performance: number; accessibility: number; tbtMs: number; cls: number; lcpMs: number; fcpMs: number; speedIndexMs: number; ttiMs: number; benchmarkIndex: number };
export type Lighthouse = { ok: true; runs: LighthouseRun[] } | { ok: false; reason: string };
export type MainThread = { loadTaskMs: number; loadScriptMs: number; idleTaskMs: number; idleScriptMs: number; nodes: number };
export type PagePerformance = { label: string; mobile: Lighthouse; desktop: Lighthouse; mainThread: MainThread[]; /** the machine's load average (1 min) while measured */ load: number };

/** The demo fixture's snapshot as if made this moment (its other times stay as they are). */
async function serveDemo(root: string): Promise<StaticServer> {
  const snapshot = JSON.parse(await readFile(fixture('snapshots'), 'utf8')) as { generatedAt: string; staleAfter: string };
  const made = Date.now();
  snapshot.generatedAt = new Date(made).toISOString();
  snapshot.staleAfter = new Date(made + 2 * 60 * 60_000).toISOString();
  const server = await startStaticServer({ root });
  const json = 'application/json; charset=utf-8';
  server.setResponse(`/${snapshotFileName}`, { body: JSON.stringify(snapshot), contentType: json });
  server.setResponse(`/${historyFileName}`, { body: await readFile(fixture('history')), contentType: json });
  return server;
}

async function lighthouseOnce(url: string, report: string, desktop: boolean): Promise<LighthouseRun | string> {
  // npx resolves lighthouse's `node` through PATH, which npm run puts this project's Node 24 on.
  const result = await run(
    'npx',
    ['-y', `lighthouse@${lighthouseVersion}`, url, '--quiet', `--chrome-flags=${chromeFlags}`, '--output=json', `--output-path=${report}`,
      '--only-categories=performance,accessibility', ...(desktop ? ['--preset=desktop'] : [])],
    { env: { ...process.env, CHROME_PATH: chromiumPath } },
  );
  if (result.code !== 0) return `lighthouse exited with ${result.code}: ${result.output.trim().split('\n').slice(-3).join(' ')}`;
  const json = JSON.parse(await readFile(report, 'utf8')) as {
    categories: Record<string, { score: number | null }>;
    audits: Record<string, { numericValue?: number }>;
    environment?: { benchmarkIndex?: number };
  };
  const value = (id: string) => json.audits[id]?.numericValue ?? NaN;
  return {
    performance: Math.round((json.categories.performance?.score ?? 0) * 100),
    accessibility: Math.round((json.categories.accessibility?.score ?? 0) * 100),
    tbtMs: value('total-blocking-time'),
    cls: value('cumulative-layout-shift'),
    lcpMs: value('largest-contentful-paint'),
    fcpMs: value('first-contentful-paint'),
    speedIndexMs: value('speed-index'),
    ttiMs: value('interactive'),
    benchmarkIndex: json.environment?.benchmarkIndex ?? NaN,
  };
}

async function lighthouse(url: string, runs: number, desktop: boolean, scratch: string): Promise<Lighthouse> {
  const done: LighthouseRun[] = [];
  for (let index = 0; index < runs; index++) {
    const report = join(scratch, `lighthouse-${process.pid}-${index}.json`);
    try {
      const result = await lighthouseOnce(url, report, desktop);
      if (typeof result === 'string') return { ok: false, reason: result };
      done.push(result);
    } catch (error) {
      return { ok: false, reason: String(error) };
    } finally {
      await rm(report, { force: true });
    }
  }
  return { ok: true, runs: done };
}

/** Main-thread time to load (until the history's incidents show) and over the next 20 s, unthrottled. */
async function mainThread(url: string, ready: string, idleMs: number): Promise<MainThread> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromeFlags.split(' ') });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    // threadTicks: the main thread's CPU time, not the wall-clock time its tasks took while it waited for a core.
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' } as Parameters<typeof cdp.send<'Performance.enable'>>[1]);
    const read = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      const of = (name: string) => (metrics.find((metric) => metric.name === name)?.value ?? NaN) * 1000;
      return { task: of('TaskDuration'), script: of('ScriptDuration'), nodes: of('Nodes') / 1000 };
    };
    await page.goto(url);
    await page.locator(ready).first().waitFor({ state: 'attached', timeout: 60_000 });
    await page.waitForLoadState('networkidle');
    const loaded = await read();
    await page.waitForTimeout(idleMs);
    const idle = await read();
    return { loadTaskMs: loaded.task, loadScriptMs: loaded.script, idleTaskMs: idle.task - loaded.task, idleScriptMs: idle.script - loaded.script, nodes: idle.nodes };
  } finally {
    await browser.close();
  }
}

/**
 * Measures one built site (`root`): Lighthouse `runs` times on mobile and once on desktop, and the
 * main thread 3 times. `ready` is a selector that appears once the page shows the history.
 */
export async function measurePagePerformance(
  label: string,
  root: string,
  { ready, runs = 3, idleMs = 20_000, log }: { ready: string; runs?: number; idleMs?: number; log: (line: string) => void },
): Promise<PagePerformance> {
  const server = await serveDemo(root);
  const scratch = tmpdir();
  try {
    const url = `${server.url}/`;
    log(`${label}: Lighthouse, mobile, ${runs} runs`);
    const mobile = await lighthouse(url, runs, false, scratch);
    log(`${label}: Lighthouse, desktop`);
    const desktop = await lighthouse(url, 1, true, scratch);
    const threads: MainThread[] = [];
    for (let index = 0; index < 3; index++) {
      log(`${label}: main thread in Chromium, run ${index + 1} of 3`);
      threads.push(await mainThread(url, ready, idleMs));
    }
    return { label, mobile, desktop, mainThread: threads, load: loadavg()[0]! };
  } finally {
    await server.close();
  }
}
