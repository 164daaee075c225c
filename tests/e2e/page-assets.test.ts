// What the built site ships besides the island's behaviour: the JSON Schema, the links to it and
// to the data, the favicon, the no-JavaScript fallback, and the JavaScript budget.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { governanceStatusJsonSchema } from '../../shared/json-schema.ts';
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

describe('the built site', () => {
  it('publishes the JSON Schema generated from the contract', async () => {
    const response = await fetch(`${suite.server.url}/governance-status.schema.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(governanceStatusJsonSchema());
  });

  it('links to the JSON and its schema, and has a favicon', async () => {
    opened = await suite.open();
    const { page } = opened;
    const footerLinks = await page.locator('footer a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(footerLinks).toEqual([snapshotPath, '/governance-status.schema.json']);
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(icon).toBe('/favicon.svg');
    expect((await fetch(`${suite.server.url}${icon}`)).headers.get('content-type')).toBe('image/svg+xml');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('without JavaScript, hides the island and links to the JSON instead', async () => {
    opened = await suite.open({ javaScriptEnabled: false });
    const { page } = opened;
    expect(await page.locator('.island').isVisible()).toBe(false);
    const fallback = page.locator('main .banner-note');
    expect(await fallback.innerText()).toContain('This page needs JavaScript to show the live status.');
    expect(await fallback.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([
      snapshotPath,
      '/governance-status.schema.json',
    ]);
    await saveScreenshot(page, 'no-javascript');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it(`loads at most ${jsBudgetBytes / 1000} kB of gzipped JavaScript, all from its own origin`, async () => {
    const pending: Promise<{ url: string; body: Buffer }>[] = [];
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') {
        pending.push(response.body().then((body) => ({ url: response.url(), body })));
      }
    });
    await page.goto(`${suite.server.url}/`);
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
    console.info(`JavaScript loaded by the page, gzip -9: ${JSON.stringify(sizes)}, total ${total} bytes`);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every(({ url }) => url.startsWith(`${suite.server.url}/`))).toBe(true);
    expect(total).toBeLessThanOrEqual(jsBudgetBytes);
  });
});
