// `npm start`'s entry point as a child process, in a temporary data folder on an OS-chosen port: the
// first run (initdb, a real site build into a temporary folder) and a re-run on the same cluster.
// Each serves the page and a valid, changing snapshot, and SIGINT leaves no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseFeed } from '@rowanmanning/feed-parser';
import { parseGovernanceHistory, parseGovernanceStatus, type PublishedStatus as GovernanceStatus } from '../../shared/contract.ts';
import { dayMs, startOfUtcDay, utcDate } from '../../shared/history.ts';
import { defaults } from '../../worker/config.ts';
import { atomViolations, jsonFeedViolations } from '../support/feed-rules.ts';

const startScript = fileURLToPath(new URL('../../scripts/start.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

type LogLine = { event: string; [field: string]: unknown };
type Demo = { child: ChildProcess; logs: LogLine[]; output: () => string; exited: Promise<number | null>; waitFor(event: string, timeoutMs: number): Promise<LogLine> };

let dataDir: string;
let siteDir: string;
const demos: Demo[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'governance-demo-'));
  // Run as root, PostgreSQL runs as the `postgres` OS user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  siteDir = join(await mkdtemp(join(tmpdir(), 'governance-demo-site-')), 'dist');
});
afterAll(async () => {
  // After a failed test the demo may still run: stop it in order (it stops its worker and PostgreSQL),
  // and only then, or if it hangs, kill it and the postmaster it leaves.
  for (const demo of demos.filter(({ child }) => child.exitCode === null && child.signalCode === null)) {
    demo.child.kill('SIGINT');
    const stopped = await Promise.race([demo.exited.then(() => true), new Promise((resolve) => setTimeout(resolve, 20_000, false))]);
    if (!stopped) demo.child.kill('SIGKILL');
  }
  const postmaster = await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(postmaster.split('\n')[0]);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGQUIT'); // immediate shutdown of a postmaster that outlived its demo
    } catch {
      // already gone
    }
  }
  await rm(dataDir, { recursive: true, force: true });
  await rm(join(siteDir, '..'), { recursive: true, force: true });
});

function launchDemo(): Demo {
  const child = spawn(process.execPath, [startScript], {
    env: {
      ...process.env,
      DEMO_DATA_DIR: dataDir,
      DEMO_SITE_DIR: siteDir, // a build of its own: the repository's dist/ is left alone
      DEMO_PORT: '0',
      DEMO_TICK_MS: '500',
      HEALTH_PORT: '0',
      DATABASE_URL: '',
      SNAPSHOT_DESTINATION: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let text = '';
  let pending = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line) as LogLine);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const demo: Demo = {
    child,
    logs,
    output: () => text,
    exited,
    waitFor(event, timeoutMs) {
      // (a demo that exits fails at once, not at the end of the wait)
      const exitedEarly = exited.then(() => Promise.reject(new Error(`the demo exited before "${event}":\n${text}`)));
      const found = vi.waitFor(() => {
        const line = logs.find((candidate) => candidate.event === event);
        if (!line) throw new Error(`no "${event}" within ${timeoutMs} ms:\n${text}`);
        return line;
      }, { timeout: timeoutMs, interval: 50 });
      exitedEarly.catch(() => {}); // heard only through the race below
      return Promise.race([found, exitedEarly]);
    },
  };
  demos.push(demo);
  return demo;
}

/** A command as a newcomer types it, in the repository, outside npm's own environment. */
function runShell(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  const child = spawn('sh', ['-c', command], { cwd: repoRoot, env: { ...env, HEALTH_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function fetchSnapshot(url: string): Promise<GovernanceStatus> {
  const response = await fetch(`${url}/governance-status.json`);
  expect(response.status).toBe(200);
  const parsed = parseGovernanceStatus(await response.json());
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return parsed.data!;
}

async function waitForNewerSnapshot(url: string, than: GovernanceStatus): Promise<GovernanceStatus> {
  return vi.waitFor(async () => {
    const snapshot = await fetchSnapshot(url);
    if (snapshot.generatedAt <= than.generatedAt) throw new Error(`no snapshot newer than ${than.generatedAt} within 15 s`);
    return snapshot;
  }, { timeout: 15_000, interval: 250 });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGINT as a Ctrl-C would send it; then exit 0, no PostgreSQL, no worker, no server. */
async function interruptAndCheck(demo: Demo, url: string, workerPid: number): Promise<void> {
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  const postgresPid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  expect(isAlive(postgresPid)).toBe(true);
  demo.child.kill('SIGINT');
  expect(await demo.exited, demo.output()).toBe(0);
  expect(demo.logs.map((line) => line.event)).toContain('shutdown_complete');
  await expect(access(pidFile)).rejects.toThrow();
  expect(isAlive(postgresPid)).toBe(false);
  expect(isAlive(workerPid)).toBe(false);
  await expect(fetch(url)).rejects.toThrow();
}

/**
 * The demo's archived days as the clock at `at` sees them: the whole days of its 90, up to the last
 * one closed; for the grace after midnight (MISSED_RUN_GRACE_SECONDS) yesterday is still open.
 */
function archivedDaysAt(at: number): string {
  const first = startOfUtcDay(at) - 89 * dayMs;
  const graceSeconds = Number(process.env.MISSED_RUN_GRACE_SECONDS ?? defaults.MISSED_RUN_GRACE_SECONDS); // the demo's worker inherits it
  const last = startOfUtcDay(at - graceSeconds * 1000) - dayMs;
  return `${(last - first) / dayMs + 1} archived days, ${utcDate(first)} to ${utcDate(last)}`;
}

describe('npm start', () => {
  it('on first run creates the cluster, serves the built page and a changing snapshot, prints the reader\'s DATABASE_URL, signs a record the verify command accepts, and stops cleanly on SIGINT', { timeout: 120_000 }, async () => {
    const launchedAt = Date.now();
    const demo = launchDemo();
    const ready = await demo.waitFor('demo_ready', 40_000);
    const url = String(ready.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await demo.waitFor('postgres_started', 0)).toMatchObject({ createdCluster: true });

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toMatch(/<html/i);

    const first = await fetchSnapshot(url);
    expect(first.charters.map((charter) => charter.name)).toEqual(['Community', 'Engineering', 'Govern', 'Sustainability']);
    // what the README says it opens as, whatever the minute (tests/integration/demo-story.test.ts pins minutes)
    expect(first.status).toBe('degraded');
    expect(first.reasons?.[0]).toMatchObject({ code: 'charter_failing', charterId: 'governance:engineering' });
    expect(first.failedRuns.some((run) => run.errorCode === 'insufficient_credits')).toBe(true);
    expect(first.recentRuns.length).toBeGreaterThan(0);
    // The demo's ledger is graph_runs: each thread says its run's outcome and charter.
    expect(first.recentRuns.every((run) => run.outcome !== null && run.charterId?.startsWith('governance:'))).toBe(true);
    // The other tenants' rows are in the database; RLS keeps them out of the public file.
    expect(JSON.stringify(first)).not.toMatch(/user-acme|user-river|private/);

    // 90 days of demo history with past incidents, and feeds a feed reader reads
    const history = parseGovernanceHistory(await (await fetch(`${url}/governance-history.json`)).json());
    expect(history.success, JSON.stringify(history.error?.issues)).toBe(true);
    expect(history.data!.days).toHaveLength(90);
    const resolved = history.data!.incidents.filter((incident) => incident.resolvedAt !== null);
    expect(resolved.map((incident) => incident.kind)).toEqual(expect.arrayContaining(['failed', 'missed', 'skipped']));
    const atom = await (await fetch(`${url}/governance-feed.xml`)).text();
    expect(atomViolations(atom)).toEqual([]);
    expect(jsonFeedViolations(await (await fetch(`${url}/governance-feed.json`)).text())).toEqual([]);
    const feed = parseFeed(atom);
    expect(feed.items.length).toBeGreaterThanOrEqual(2 * resolved.length);
    expect(feed.items[0]!.url).toMatch(new RegExp(`^${url}/#incident-`));

    // The README's way in: the reader's URL is printed and in a file, and its command prints a snapshot.
    const readerUrl = String(ready.readerDatabaseUrl);
    expect(readerUrl).toMatch(/^postgres:\/\/governance_reader:governance-demo@127\.0\.0\.1:\d+\/cogni$/);
    expect(await readFile(join(dataDir, 'reader-database-url'), 'utf8')).toBe(`${readerUrl}\n`);
    expect(ready.tryIt).toBe(`DATABASE_URL=$(cat ${join(dataDir, 'reader-database-url')}) npm run -s worker -- --once --stdout`);
    const printed = await runShell(String(ready.tryIt));
    expect(printed.code, printed.stderr).toBe(0);
    expect(parseGovernanceStatus(JSON.parse(printed.stdout)).success).toBe(true);

    const second = await waitForNewerSnapshot(url, first);
    expect(BigInt(second.systemCredits)).toBeLessThan(BigInt(first.systemCredits)); // the simulator spends

    // A signed record: the demo's own key, private to its owner and never printed; the page pins its
    // public half, and the verify command the demo prints checks every archived day against it.
    expect((await stat(join(dataDir, 'signing-key.pem'))).mode & 0o777).toBe(0o600);
    const pem = await readFile(join(dataDir, 'signing-key.pem'), 'utf8');
    const secret = pem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(demo.output()).not.toContain(secret);
    expect(demo.output()).not.toContain('PRIVATE KEY');
    const pinned = JSON.parse(await readFile(join(dataDir, 'signing-key.json'), 'utf8'));
    expect(await (await fetch(`${url}/`)).text()).toContain(`&quot;pinnedKey&quot;:{&quot;kty&quot;:&quot;OKP&quot;,&quot;crv&quot;:&quot;Ed25519&quot;,&quot;x&quot;:&quot;${pinned.x}&quot;`);
    await vi.waitFor(async () => expect((await fetch(`${url}/governance-archive/recent.json`)).status).toBe(200), { timeout: 20_000, interval: 250 });
    expect(ready.verify).toBe(`npx governance-status-verify ${join(dataDir, 'public')} --key ${join(dataDir, 'signing-key.json')}`);
    const verified = await runShell(String(ready.verify));
    expect(verified.code, `${verified.stdout}${verified.stderr}`).toBe(0);
    expect(verified.stdout).toContain(`signed by key ${pinned.kid} (the key given with --key)`);
    // (a demo started just before the grace ends may have archived one day fewer than the clock now says)
    expect([archivedDaysAt(launchedAt), archivedDaysAt(Date.now())]).toContain(verified.stdout.match(/\d+ archived days, \S+ to [\d-]+/)?.[0]);

    await interruptAndCheck(demo, url, Number((ready.worker as { pid: number }).pid));
  });

  it('re-runs on the same data folder without a new initdb', { timeout: 30_000 }, async () => {
    const demo = launchDemo();
    const ready = await demo.waitFor('demo_ready', 25_000);
    expect(await demo.waitFor('postgres_started', 0)).toMatchObject({ createdCluster: false });
    const url = String(ready.url);
    expect((await fetch(`${url}/`)).status).toBe(200);
    await fetchSnapshot(url);
    await interruptAndCheck(demo, url, Number((ready.worker as { pid: number }).pid));
  });
});
