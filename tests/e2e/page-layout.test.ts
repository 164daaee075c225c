// The page at the demo's size (tests/fixtures/*/demo.json: 90 days, 4 charters, a few dozen
// incidents): an order and an end on a phone, the top that matters within two screens, only the
// ticking times changing each second, and small truths kept (tones, the cron, the last run).
import { describe, expect, it } from 'vitest';
import { fixtureTime, isRecordFile, listUnexpectedProblems, readFixture, saveScreenshot, serveFixture, type OpenedPage, usePageSuite } from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

const phone = { width: 360, height: 780 };

/**
 * Counts what changes in the document: every mutation, and those outside a <time>. The island runs on
 * preact/compat in the browser (astro.config.mjs), whose renders no developer-tools hook counts from
 * outside; what a render changes in the document is what a reader's browser pays for in layout.
 */
function countMutations() {
  const counts = { total: 0, outsideTimes: 0, outside: [] as string[] };
  (window as unknown as { mutations: typeof counts }).mutations = counts;
  new MutationObserver((records) => {
    for (const record of records) {
      counts.total += 1;
      const element = record.target instanceof Element ? record.target : record.target.parentElement;
      if (element?.closest('time')) continue;
      counts.outsideTimes += 1;
      if (counts.outside.length < 10) counts.outside.push(`${record.type} in ${element?.tagName.toLowerCase()}.${element?.className}`);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

/**
 * Counts the elements each batch of changes adds inside the island. A MutationObserver hears each batch
 * at the end of the task (or microtask) that made it, so a page drawn in one long task arrives as
 * one batch.
 */
function countAddedPerBatch() {
  const batches: number[] = [];
  (window as unknown as { batches: number[] }).batches = batches;
  new MutationObserver((records) => {
    let added = 0;
    for (const record of records) {
      // the island's own changes, not the parser's reading of the page around it
      if (!(record.target instanceof Element && record.target.closest('.island'))) continue;
      for (const node of record.addedNodes) if (node instanceof Element) added += 1 + node.getElementsByTagName('*').length;
    }
    if (added > 0) batches.push(added);
  }).observe(document, { subtree: true, childList: true });
}

describe('the page with the demo data', () => {
  it.each(['light', 'dark'] as const)('is at most 8 screens tall on a phone, with the headline, every charter\'s state and the open incidents in the first two (%s)', async (colorScheme) => {
    serveFixture(suite.server, 'demo');
    opened = await suite.open({ viewport: phone, colorScheme });
    const { page } = opened;
    const layout = await page.evaluate(() => {
      const bottom = (element: Element) => element.getBoundingClientRect().bottom + scrollY;
      return {
        height: document.documentElement.scrollHeight,
        headline: bottom(document.querySelector('.headline')!),
        openIncidents: bottom(document.querySelector('[data-testid="open-incidents"]')!),
        states: [...document.querySelectorAll('li[data-charter] .card-head .state')].map(bottom),
      };
    });
    expect(layout.height).toBeLessThanOrEqual(8 * phone.height);
    expect(layout.states).toHaveLength(4);
    expect(Math.max(layout.headline, layout.openIncidents, ...layout.states)).toBeLessThanOrEqual(2 * phone.height);
    console.info(`demo at 360 px, ${colorScheme}: ${layout.height} px tall (${(layout.height / phone.height).toFixed(1)} screens); the last charter's state ends at ${Math.round(Math.max(...layout.states))} px`);
    await saveScreenshot(page, `demo-360-${colorScheme}`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each(['light', 'dark'] as const)('reads in order at 1280 px: headline, charters, credits, usage, incidents, threads, notes (%s)', async (colorScheme) => {
    serveFixture(suite.server, 'demo');
    opened = await suite.open({ viewport: { width: 1280, height: 900 }, colorScheme });
    const { page } = opened;
    const headings = await page.locator('main h2:not(.visually-hidden)').allInnerTexts();
    expect(headings).toEqual(['Charters', 'Credits', 'Usage', 'Incidents, last 90 days', 'Latest threads', 'Notes from the operators']);
    await saveScreenshot(page, `demo-1280-${colorScheme}`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('draws the data in parts, the headline, each charter and each section on its own, none of them a third of the page', async () => {
    serveFixture(suite.server, 'demo');
    opened = await suite.open({ noWait: true, viewport: phone });
    const { page } = opened;
    await page.addInitScript(countAddedPerBatch);
    // A phone spends more than a task's budget on each part (use-unfolding.ts), so it draws each in a
    // task of its own, where a fast machine draws several. A page clock that moves 10 ms at each reading
    // stands for that phone: the parts counted then do not depend on how busy this machine is.
    await page.addInitScript(() => {
      const now = performance.now.bind(performance);
      let readings = 0;
      performance.now = () => now() + 10 * ++readings;
    });
    await page.reload();
    await page.locator('ol.incidents').first().waitFor();
    await page.locator('.unfolding').waitFor({ state: 'detached' });
    const batches = await page.evaluate(() => (window as unknown as { batches: number[] }).batches);
    const island = await page.locator('.island').evaluate((element) => element.getElementsByTagName('*').length);
    console.info(`the demo's ${island} elements arrived in ${batches.length} batches: ${batches.join(', ')}`);
    // The headline, 4 charters and 4 later sections, each on its own, none as large as a third of the page.
    expect(batches.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...batches)).toBeLessThan(island / 3);
    // (The reload cuts the first load's requests short: only errors of the page itself count here.)
    expect(opened.consoleErrors.filter((error) => !isRecordFile(error.url))).toEqual([]);
  });

  it('changes only its ticking times each second, nothing else in the page', async () => {
    serveFixture(suite.server, 'demo');
    opened = await suite.open({ noWait: true });
    const { page } = opened;
    await page.addInitScript(countMutations);
    await page.reload();
    await page.locator('ol.incidents').first().waitFor();
    await page.getByTestId('record').filter({ hasNotText: 'Checking' }).waitFor();
    await page.clock.runFor(2_000);
    type Counts = { total: number; outsideTimes: number; outside: string[] };
    const before = await page.evaluate(() => ({ ...(window as unknown as { mutations: Counts }).mutations }));
    await page.clock.runFor(10_000);
    const after = await page.evaluate(() => ({ ...(window as unknown as { mutations: Counts }).mutations }));
    console.info(`${(after.total - before.total) / 10} changes per second, all in ticking times`);
    expect(after.total).toBeGreaterThan(before.total);
    expect(after.outside.slice(before.outside.length)).toEqual([]);
    expect(after.outsideTimes).toBe(before.outsideTimes);
    // (The reload cuts the first load's requests short: only errors of the page itself count here;
    // the demo fixture has no signed record yet, whose files are 404s.)
    expect(opened.consoleErrors.filter((error) => !isRecordFile(error.url))).toEqual([]);
  });
});

describe('small truths', () => {
  it('gives a charter the tone of its reason: no red on a card whose reason is degraded, even under a failing headline', async () => {
    serveFixture(suite.server, 'failing');
    opened = await suite.open();
    const { page } = opened;
    expect(await page.locator('.headline').getAttribute('class')).toBe('headline tone-box-bad');
    const severities = (JSON.parse(readFixture('failing')) as { reasons: { charterId: string | null; severity: string }[] }).reasons
      .filter((reason) => reason.charterId !== null)
      .map((reason) => reason.severity);
    expect(new Set(severities)).toEqual(new Set(['degraded']));
    expect(await page.locator('li[data-charter] :is(.tone-bad, .icon-bad)').count()).toBe(0);
    expect(await page.locator('li[data-charter] .card-head .tone-warn').count()).toBe(3);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('never breaks a cron inside itself at 360 px', async () => {
    serveFixture(suite.server, 'demo');
    opened = await suite.open({ viewport: phone });
    const { page } = opened;
    const lines = await page.locator('.cron').evaluateAll((crons) => crons.map((cron) => `${cron.textContent} ${cron.getClientRects().length}`));
    expect(lines.map((line) => line.replace(/\u00a0/g, ' '))).toEqual(['0 */4 * * * 1', '*/30 * * * * 1', '15 * * * * 1', '0 6 * * * 1']);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says which run "last" means: the last finished one, by when it finished, beside a stuck one', async () => {
    const degraded = JSON.parse(readFixture('degraded'));
    const community = degraded.charters.find((charter: { name: string }) => charter.name === 'Community');
    Object.assign(community, { state: 'stuck', stateSince: '2026-11-21T10:40:00.000Z' });
    suite.server.setResponse('/governance-status.json', { body: JSON.stringify(degraded), contentType: 'application/json' });
    opened = await suite.open({ time: fixtureTime + 15_000 });
    const { page } = opened;
    const card = page.locator('li[data-charter="Community"]');
    expect((await card.locator('h3').innerText()).replace(/\s+/g, ' ')).toBe('Community Stuck since Nov 21, 05:40 EST');
    expect(await card.locator('dt').allInnerTexts()).toContain('Last finished');
    expect(await card.locator('dt').allInnerTexts()).not.toContain('Last success');
    // One run, one time: when it finished (12:00:21), not when it was due (12:00:00).
    expect(await card.locator('.fields > div', { hasText: 'Last finished' }).locator('time').getAttribute('datetime')).toBe(community.lastRun.finishedAt);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});
