// The page at the demo's size (tests/fixtures/*/demo.json: 90 days, 4 charters, a few dozen
// incidents): an order and an end on a phone, the top that matters within two screens, only the
// ticking times re-rendering each second, and small truths kept (tones, the cron, the last run).
import { describe, expect, it } from 'vitest';
import { fixtureTime, listUnexpectedProblems, readFixture, saveScreenshot, serveFixture, type OpenedPage, usePageSuite } from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

const phone = { width: 360, height: 780 };

/**
 * Counts the components React renders, through the hook React calls on every commit when developer
 * tools are present (it does so in production builds too): a component counts when it performed work
 * in a commit; a subtree React left as it was is skipped, as React's developer tools skip it.
 */
function countRenders() {
  type Fiber = { tag: number; flags: number; child: Fiber | null; sibling: Fiber | null; alternate: Fiber | null };
  const counts = { commits: 0, renders: 0 };
  (window as unknown as { renders: typeof counts }).renders = counts;
  const components = new Set([0, 1, 11, 14, 15]);
  const performedWork = 1;
  const visit = (next: Fiber, previous: Fiber | null) => {
    if (components.has(next.tag) && (previous === null || (next.flags & performedWork) !== 0)) counts.renders += 1;
    if (previous !== null && next.child === previous.child) return;
    for (let child = next.child; child; child = child.sibling) visit(child, child.alternate);
  };
  let renderers = 0;
  (window as unknown as Record<string, unknown>).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    isDisabled: false,
    renderers: new Map(),
    inject: () => ++renderers,
    checkDCE: () => {},
    onCommitFiberUnmount: () => {},
    onPostCommitFiberRoot: () => {},
    onCommitFiberRoot: (_id: number, root: { current: Fiber }) => {
      counts.commits += 1;
      visit(root.current, root.current.alternate);
    },
  };
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

  it('re-renders only its ticking times each second, not the page', async () => {
    serveFixture(suite.server, 'demo');
    opened = await suite.open({ noWait: true });
    const { page } = opened;
    await page.addInitScript(countRenders);
    await page.reload();
    await page.locator('ol.incidents').first().waitFor();
    await page.clock.runFor(2_000);
    const ticking = await page.locator('time[title*="("]').count();
    const before = await page.evaluate(() => (window as unknown as { renders: { commits: number; renders: number } }).renders);
    expect(before.renders).toBeGreaterThan(100);
    await page.clock.runFor(10_000);
    const after = await page.evaluate(() => (window as unknown as { renders: { commits: number; renders: number } }).renders);
    const perSecond = (after.renders - before.renders) / 10;
    console.info(`${ticking} ticking times; ${perSecond} component renders per second (${before.renders} to load)`);
    expect(after.commits).toBeGreaterThan(before.commits);
    expect(perSecond).toBeLessThanOrEqual(ticking);
    // (The reload cuts the first load's requests short: only errors of the page itself count here.)
    expect(opened.consoleErrors).toEqual([]);
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
