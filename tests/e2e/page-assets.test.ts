// What the built site ships besides the island's behaviour: the JSON Schemas, the links to them,
// to the data and (only when the worker publishes them) to the feeds, the favicons, the badge
// snippets for maintainers, the no-JavaScript fallback, and the JavaScript budget.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { governanceHistoryJsonSchema, governanceStatusJsonSchema } from '../../shared/json-schema.ts';
import {
  listUnexpectedProblems,
  readFixture,
  saveScreenshot,
  serveSnapshot,
  snapshotPath,
  type OpenedPage,
  usePageSuite,
} from './page-harness.ts';

const jsBudgetBytes = 80_000;

const suite = usePageSuite(() => readFixture('degraded'));
let opened: OpenedPage | undefined;

const dataLinks = [snapshotPath, '/governance-status.schema.json', '/governance-history.json', '/governance-history.schema.json'];
/** The feeds the degraded fixture's snapshot names (tests/fixtures/page-fixture-builder.ts). */
const feedLinks = ['https://status.example.org/governance-feed.xml', 'https://status.example.org/governance-feed.json'];

const readFeedLinks = (page: OpenedPage['page']) =>
  page.evaluate(() => ({
    head: [...document.head.querySelectorAll('link[rel="alternate"]')].map((link) => `${link.getAttribute('type')} ${link.getAttribute('href')}`),
    footer: [...document.querySelectorAll<HTMLAnchorElement>('footer a[data-feed]')].map((a) => a.getAttribute('href')),
    shown: !document.querySelector<HTMLElement>('[data-feed-links]')!.hidden,
  }));

describe('the built site', () => {
  it.each([
    ['governance-status.schema.json', governanceStatusJsonSchema()],
    ['governance-history.schema.json', governanceHistoryJsonSchema()],
  ])('publishes %s, generated from the contract', async (file, schema) => {
    const response = await fetch(`${suite.server.url}/${file}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(schema);
  });

  it('links to the data, the schemas and the feeds the snapshot names, and has a favicon for every state', async () => {
    opened = await suite.open();
    const { page } = opened;
    expect(await page.locator('footer a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([...dataLinks, ...feedLinks]);
    expect(await readFeedLinks(page)).toEqual({
      head: [`application/atom+xml ${feedLinks[0]}`, `application/feed+json ${feedLinks[1]}`],
      footer: feedLinks,
      shown: true,
    });
    // The static page starts with the neutral icon; the island swaps it for the headline's.
    const html = await (await fetch(`${suite.server.url}/`)).text();
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    for (const state of ['', '-loading', '-healthy', '-degraded', '-failing', '-unknown']) {
      const response = await fetch(`${suite.server.url}/favicon${state}.svg`);
      expect([state, response.status, response.headers.get('content-type')]).toEqual([state, 200, 'image/svg+xml']);
    }
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each([
    ['a worker without feeds (null)', (snapshot: Record<string, unknown>) => ({ ...snapshot, feeds: null })],
    ['a worker that does not say (no field)', ({ feeds, ...snapshot }: Record<string, unknown>) => snapshot],
  ])('links no feed for %s, and links them once a snapshot names them', async (_name, change) => {
    const degraded = JSON.parse(readFixture('degraded'));
    serveSnapshot(suite.server, JSON.stringify(change(degraded)));
    opened = await suite.open();
    const { page } = opened;
    expect(await readFeedLinks(page)).toEqual({ head: [], footer: [null, null], shown: false });
    expect(await page.locator('footer a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(dataLinks);
    serveSnapshot(suite.server, JSON.stringify(degraded));
    await page.clock.runFor(30_000);
    await expect.poll(() => readFeedLinks(page)).toEqual({
      head: [`application/atom+xml ${feedLinks[0]}`, `application/feed+json ${feedLinks[1]}`],
      footer: feedLinks,
      shown: true,
    });
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('offers the badges to maintainers at the end, as Markdown and HTML with absolute URLs, and copies them', async () => {
    opened = await suite.open();
    const { page } = opened;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    // Out of the members' way: in the footer, closed.
    expect(await page.locator('footer details.badges').evaluate((details) => (details as HTMLDetailsElement).open)).toBe(false);
    await page.locator('footer details.badges summary').click();
    const origin = suite.server.url;
    const endpoint = encodeURIComponent(`${origin}/governance-badge.json`);
    const snippets = await page.locator('.snippet code').allInnerTexts();
    expect(snippets).toEqual([
      `[![Governance status](${origin}/governance-badge.svg)](${origin}/)`,
      `<a href="${origin}/"><img src="${origin}/governance-badge.svg" alt="Governance status"></a>`,
      `[![Governance status](https://img.shields.io/endpoint?url=${endpoint})](${origin}/)`,
      `<a href="${origin}/"><img src="https://img.shields.io/endpoint?url=${endpoint}" alt="Governance status"></a>`,
    ]);
    const buttons = page.locator('.snippet button');
    expect(await buttons.count()).toBe(4);
    await buttons.nth(2).click();
    await expect.poll(() => page.getByTestId('copy-status').innerText()).toBe('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(snippets[2]);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('without JavaScript, hides the island, links to the JSON instead, and keeps the snippets as text', async () => {
    opened = await suite.open({ javaScriptEnabled: false });
    const { page } = opened;
    expect(await page.locator('.island').isVisible()).toBe(false);
    const fallback = page.locator('main .banner-note');
    expect(await fallback.innerText()).toContain('This page needs JavaScript to show the live status.');
    expect(await fallback.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([
      snapshotPath,
      '/governance-status.schema.json',
    ]);
    // Without a known origin the snippets name the files from the site's root; they stay selectable.
    expect(await page.locator('.snippet code').first().textContent()).toBe('[![Governance status](/governance-badge.svg)](/)');
    expect(await page.locator('.snippet code').first().evaluate((code) => getComputedStyle(code).userSelect)).not.toBe('none');
    expect(await page.locator('.snippet button').evaluateAll((buttons) => buttons.map((b) => (b as HTMLButtonElement).hidden))).toEqual([
      true, true, true, true,
    ]);
    expect(await page.locator('footer a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(dataLinks);
    await saveScreenshot(page, 'no-javascript');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  // Every locale's page: a locale's words are data in its HTML (site/i18n/), never JavaScript.
  it.each(['/', '/de/'])(`loads at most ${jsBudgetBytes / 1000} kB of gzipped JavaScript, all from its own origin (%s)`, async (path) => {
    const pending: Promise<{ url: string; body: Buffer }>[] = [];
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') {
        pending.push(response.body().then((body) => ({ url: response.url(), body })));
      }
    });
    await page.goto(`${suite.server.url}${path}`);
    await page.locator('.island[aria-busy="false"]').waitFor();
    const inline = await page.evaluate(() =>
      [...document.querySelectorAll('script:not([src])')].map((script) => script.textContent ?? ''),
    );
    const scripts = await Promise.all(pending);
    await context.close();

    const sizes = [
      ...scripts.map(({ url, body }) => ({ what: new URL(url).pathname, gzip: gzipSync(body, { level: 9 }).length })),
      ...inline.map((text, index) => ({ what: `inline script ${index + 1}`, gzip: gzipSync(text, { level: 9 }).length })),
    ];
    const total = sizes.reduce((sum, size) => sum + size.gzip, 0);
    console.info(`JavaScript loaded by ${path}, gzip -9: ${JSON.stringify(sizes)}, total ${total} bytes`);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every(({ url }) => url.startsWith(`${suite.server.url}/`))).toBe(true);
    expect(total).toBeLessThanOrEqual(jsBudgetBytes);
  });
});
