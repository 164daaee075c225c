// Shared setup of the browser tests: Debian's Chromium through playwright-core, the site as
// `npm run test:e2e` builds it (into test-results/site/, with the operators' notes of
// tests/fixtures/notes/) on a local static server, fixture snapshots, and a record of everything that
// went wrong in the page (console errors, failed requests, requests that left the test server).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.ts';

export const distDir = fileURLToPath(new URL('../../test-results/site/', import.meta.url));
export const snapshotPath = '/governance-status.json';
export const historyPath = '/governance-history.json';
const screenshotDir = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));

/** Every fixture was generated at this instant (tests/fixtures/snapshots/*.json). */
export const fixtureTime = Date.parse('2026-11-21T12:00:30.000Z');

/** A snapshot of tests/fixtures/snapshots/ (hostile-page: strings a hostile database could hold;
 *  hostile: what the worker published from such rows, tests/integration/hostile-rows.test.ts). */
export type FixtureName = 'degraded' | 'healthy' | 'failing' | 'empty' | 'legacy-v1' | 'hostile-page' | 'hostile' | 'demo';
/** The fixtures with a history of the same name in tests/fixtures/history/ (legacy-v1 has none). */
export type HistoryName = Exclude<FixtureName, 'legacy-v1'>;

export function readFixture(name: FixtureName): string {
  return readFileSync(new URL(`../fixtures/snapshots/${name}.json`, import.meta.url), 'utf8');
}

export function readHistory(name: HistoryName): string {
  return readFileSync(new URL(`../fixtures/history/${name}.json`, import.meta.url), 'utf8');
}

const json = 'application/json; charset=utf-8';

export function serveSnapshot(server: StaticServer, body: string, status = 200): void {
  server.setResponse(snapshotPath, { status, body, contentType: json });
}

export function serveHistory(server: StaticServer, body: string, status = 200): void {
  server.setResponse(historyPath, { status, body, contentType: json });
}

/** The snapshot and the history of one scenario, as a worker publishes them side by side. */
export function serveFixture(server: StaticServer, name: HistoryName): void {
  serveSnapshot(server, readFixture(name));
  serveHistory(server, readHistory(name));
}

/**
 * The server's clock for the Date header: none by default, because the browser runs on a fake clock
 * the server cannot follow, and the page would correct that clock to the server's (tests of the
 * reader's clock set one).
 */
let serverClock: () => number | null = () => null;
export function setServerClock(clock: (() => number) | null): void {
  serverClock = clock ?? (() => null);
}

export async function startSiteServer(): Promise<StaticServer> {
  if (!existsSync(`${distDir}index.html`)) {
    throw new Error('test-results/site/ has no built site: run `npm run test:e2e` (it builds first).');
  }
  return startStaticServer({ root: distDir, recordRequests: true, clock: () => serverClock() });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface OpenOptions extends BrowserContextOptions {
  /** Fake clock start; time then flows from there unless a test pauses it. */
  time?: number;
  /** Open the page without waiting for the first snapshot to show. */
  noWait?: boolean;
  /** The page's path: / (English) by default, /de/ for German. */
  path?: string;
  /** A script run in the page before its own (a fault a test injects). */
  initScript?: string;
}

export interface OpenedPage {
  page: Page;
  consoleErrors: { text: string; url: string }[];
  failedRequests: { url: string; failure: string }[];
  foreignRequests: string[];
  close(): Promise<void>;
}

export async function openStatusPage(browser: Browser, server: StaticServer, options: OpenOptions = {}): Promise<OpenedPage> {
  const { time = fixtureTime + 10_000, noWait = false, path = '/', initScript, ...contextOptions } = options;
  const context = await browser.newContext({
    timezoneId: 'America/New_York',
    locale: 'en-US',
    viewport: { width: 1100, height: 900 },
    ...contextOptions,
  });
  const page = await context.newPage();
  const opened: OpenedPage = {
    page,
    consoleErrors: [],
    failedRequests: [],
    foreignRequests: [],
    close: () => context.close(),
  };
  page.on('console', (message) => {
    if (message.type() === 'error') opened.consoleErrors.push({ text: message.text(), url: message.location().url });
  });
  page.on('pageerror', (error) => opened.consoleErrors.push({ text: String(error), url: '' }));
  page.on('request', (request) => {
    if (!request.url().startsWith(`${server.url}/`)) opened.foreignRequests.push(request.url());
  });
  page.on('requestfailed', (request) =>
    opened.failedRequests.push({ url: request.url(), failure: request.failure()?.errorText ?? 'failed' }),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) opened.failedRequests.push({ url: response.url(), failure: String(response.status()) });
  });
  if (contextOptions.javaScriptEnabled !== false) await page.clock.install({ time });
  if (initScript !== undefined) await page.addInitScript(initScript);
  await page.goto(`${server.url}${path}`);
  if (!noWait && contextOptions.javaScriptEnabled !== false) {
    await page.locator('.island[aria-busy="false"]').waitFor();
    // The history comes with the snapshot: its section lists the incidents, or says why there are none.
    await page.locator('section[aria-labelledby="incidents-heading"] :is(ol.incidents, .empty)').first().waitFor();
    // and the page has rendered its last part (it renders one part per task at first: use-unfolding.ts)
    await page.locator('.unfolding').waitFor({ state: 'detached' });
  }
  return opened;
}

/** The signed record's bundle: a fixture without one is a deployment before its first closed day (404). */
export const recordPath = '/governance-archive/recent.json';
/** A URL of the record's files the page asks for when there is no bundle (verify-record.ts checkWithoutBundle): absent where no record is served. */
export const isRecordFile = (url: string) => /^\/(governance-archive[/.]|governance-signing-key\.json$|governance-key-rotations\.json$|governance-status\.json\.jws$)/.test(new URL(url, 'http://x').pathname);

/**
 * The built pages as built (pinned: the key of `npm run test:e2e`), or with that key taken out of the
 * island's props, as built without PUBLIC_SIGNING_KEY_FILE: a page that pins a key fails a snapshot
 * with no record and no signature, which is what every fixture but the record's is.
 */
export function servePages(server: StaticServer, pinned: boolean) {
  for (const [path, file] of [['/', 'index.html'], ['/de/', 'de/index.html']] as const) {
    if (pinned) {
      server.clearResponse(path);
      continue;
    }
    const html = readFileSync(`${distDir}${file}`, 'utf8');
    const unpinned = html.replace(/&quot;pinnedKey&quot;:\{[^}]*\}/, '&quot;pinnedKey&quot;:null');
    if (unpinned === html) throw new Error(`${file} pins no key`);
    server.setResponse(path, { body: unpinned, contentType: 'text/html; charset=utf-8' });
  }
}

/** Problems the test did not cause on purpose: failures of `allowedPath` (and of the record's files) are expected, others not. */
export function listUnexpectedProblems(opened: OpenedPage, allowedPath?: string): string[] {
  const allowed = (url: string) => new URL(url, 'http://x').pathname === allowedPath || isRecordFile(url);
  // The tab's icon follows the headline: the browser drops an icon's request when the headline
  // changes it before it arrived, which is no problem of the page.
  const replacedIcon = ({ url, failure }: { url: string; failure: string }) => failure === 'net::ERR_ABORTED' && /\/favicon(-\w+)?\.svg$/.test(url);
  return [
    ...opened.consoleErrors.filter((error) => !allowed(error.url)).map((error) => `console: ${error.text}`),
    ...opened.failedRequests.filter((request) => !allowed(request.url) && !replacedIcon(request)).map((r) => `request: ${r.url} ${r.failure}`),
    ...opened.foreignRequests.map((url) => `third-party request: ${url}`),
  ];
}

/** axe-core's violations, each with the elements it found, in a form that reads well in a diff. */
export async function findAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }),
  );
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
  );
}

/** Writes test-results/e2e/<name>.png for a person to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
}

/**
 * Moves the page's paused clock a second at a time until `done`: the page sets its next poll only once
 * an answer is in and handled, so a single 30 s step taken before that passes without it.
 */
export function advanceUntil(page: Page, done: () => boolean | Promise<boolean>): Promise<void> {
  return expect.poll(async () => (await done()) || (await page.clock.runFor(1_000), await done()), { timeout: 30_000 }).toBe(true);
}

export function textOf(page: Page, testId: string): Promise<string> {
  return page.getByTestId(testId).innerText();
}

export type PageSuite = {
  server: StaticServer;
  browser: Browser;
  /** opens the page like openStatusPage; the suite closes it after the test */
  open(options?: OpenOptions): Promise<OpenedPage>;
};

/**
 * The hooks every page test file needs: one site server and one browser per file; after each test,
 * every page it opened is closed, the snapshot is served from dist/ again (or `snapshot` when given)
 * and the history is the degraded scenario's (dist/ has none: the worker publishes it). The pages pin
 * no key unless `pinned` (the record's tests): the fixtures have no record (servePages).
 */
export function usePageSuite(snapshot?: () => string, { pinned = false } = {}): PageSuite {
  const opened: OpenedPage[] = [];
  const suite = {
    open: async (options?: OpenOptions) => {
      const page = await openStatusPage(suite.browser, suite.server, options);
      opened.push(page);
      return page;
    },
  } as PageSuite;
  beforeAll(async () => {
    suite.server = await startSiteServer();
    suite.browser = await launchBrowser();
    if (snapshot) serveSnapshot(suite.server, snapshot());
    serveHistory(suite.server, readHistory('degraded'));
    servePages(suite.server, pinned);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((page) => page.close()));
    setServerClock(null);
    if (!snapshot) suite.server.clearResponse(snapshotPath);
    serveHistory(suite.server, readHistory('degraded'));
    servePages(suite.server, pinned);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
