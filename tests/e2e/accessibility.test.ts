// Accessibility of the page in real Chromium: axe-core in light and dark in every state, the tab
// stops, 360 px wide screens with nothing scrolling sideways, reduced motion, and a loading state
// that does not move the page.
import { describe, expect, it } from 'vitest';
import {
  findAxeViolations,
  fixtureTime,
  historyPath,
  listUnexpectedProblems,
  readFixture,
  saveScreenshot,
  serveFixture,
  serveHistory,
  serveSnapshot,
  snapshotPath,
  type OpenedPage,
  type OpenOptions,
  usePageSuite,
  isRecordFile,
} from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

type State = 'failing' | 'degraded' | 'healthy' | 'empty' | 'stale' | 'legacy-v1' | 'hostile-page';

/** Serves a state's files and opens the page on it (stale: the failing snapshot 14 minutes on). */
async function openState(state: State, options: OpenOptions = {}): Promise<OpenedPage> {
  if (state === 'legacy-v1') {
    serveSnapshot(suite.server, readFixture('legacy-v1'));
    serveHistory(suite.server, 'not found\n', 404);
  } else {
    serveFixture(suite.server, state === 'stale' ? 'failing' : state);
  }
  return suite.open({ ...(state === 'stale' ? { time: fixtureTime + 14 * 60_000 } : {}), ...options });
}

const allowedFor = (state: State) => (state === 'legacy-v1' ? historyPath : undefined);

describe('accessibility', () => {
  const states: State[] = ['failing', 'degraded', 'healthy', 'empty', 'stale', 'legacy-v1', 'hostile-page'];
  it.each(states.flatMap((state) => (['light', 'dark'] as const).map((colorScheme) => ({ state, colorScheme }))))(
    'axe finds no violations: $state, $colorScheme',
    async ({ state, colorScheme }) => {
      opened = await openState(state, { colorScheme });
      expect(await findAxeViolations(opened.page)).toEqual([]);
      await saveScreenshot(opened.page, `${state}-1280-${colorScheme}`);
      expect(listUnexpectedProblems(opened, allowedFor(state))).toEqual([]);
    },
  );

  it.each(['light', 'dark'] as const)('axe finds no violations in the stale and failed-refresh state, %s', async (colorScheme) => {
    serveFixture(suite.server, 'failing');
    opened = await suite.open({ colorScheme, time: Date.parse('2026-11-21T12:20:00.000Z') });
    const { page } = opened;
    serveSnapshot(suite.server, 'internal error\n', 500);
    await page.clock.runFor(30_000);
    await page.getByTestId('refresh-note').waitFor();
    await page.getByTestId('stale-banner').waitFor();
    expect(await findAxeViolations(page)).toEqual([]);
    await saveScreenshot(page, `axe-stale-failed-${colorScheme}`);
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });

  it.each(['failing', 'degraded', 'hostile-page'] as const)('has at most 27 tab stops, none of them a time (%s)', async (state) => {
    opened = await openState(state);
    const { page } = opened;
    const stops: string[] = [];
    for (let step = 0; step < 60; step++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        if (element === document.body) return null;
        return `${element.tagName.toLowerCase()}:${element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40)}`;
      });
      if (stop === null || stop === stops[0]) break;
      // The operators' notes are content, with what links their authors write: not the page's own stops.
      if (await page.evaluate(() => document.activeElement!.closest('.note-body') === null)) stops.push(stop);
    }
    console.info(`${state}: ${stops.length} tab stops: ${stops.join(', ')}`);
    expect(stops[0]).toBe('a:Skip to the status');
    // 25 before the usage panel, whose period (one radio group) and breakdown are one stop each.
    expect(stops.length).toBeLessThanOrEqual(27);
    expect(stops.filter((stop) => stop.startsWith('time:'))).toEqual([]);
    for (const link of ['a:governance-status.json', 'a:governance-history.json', 'a:Atom', 'a:JSON Feed']) expect(stops).toContain(link);
    // Each chart is one stop (its bars are read with the arrow keys); the badges wait in a closed details.
    expect(stops.filter((stop) => stop.startsWith('div:') && stop.includes('the arrow keys read each bar'))).toHaveLength(2);
    expect(stops).toContain('summary:Badges, for maintainers');
    expect(stops.filter((stop) => stop === 'button:Copy')).toHaveLength(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each(states.flatMap((state) => (['light', 'dark'] as const).map((colorScheme) => ({ state, colorScheme }))))(
    'at 360 px nothing scrolls sideways, everything a reader can open included: $state, $colorScheme',
    async ({ state, colorScheme }) => {
      opened = await openState(state, { viewport: { width: 360, height: 780 }, colorScheme });
      const { page } = opened;
      // Everything a reader can open must fit too.
      await page.evaluate(() => document.querySelectorAll('details').forEach((details) => (details.open = true)));
      const layout = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const outside = [...document.querySelectorAll('body *')]
          .filter((element) => {
            const box = element.getBoundingClientRect();
            return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
          })
          .filter((element) => !element.closest('.visually-hidden, .skip-link'))
          .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
        const scrolling = [...document.querySelectorAll('body *')]
          .filter((element) => element.scrollWidth > element.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(element).overflowX))
          .map((element) => element.tagName.toLowerCase());
        return { scrollWidth: document.documentElement.scrollWidth, width, outside, scrolling };
      });
      expect(layout.width).toBe(360);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width);
      expect(layout.outside).toEqual([]);
      expect(layout.scrolling).toEqual([]);
      await saveScreenshot(page, `${state}-360-${colorScheme}`);
      expect(listUnexpectedProblems(opened, allowedFor(state))).toEqual([]);
    },
  );

  it('stops the loading animation when the reader asks for reduced motion', async () => {
    serveSnapshot(suite.server, 'unavailable\n', 503);
    for (const reducedMotion of ['no-preference', 'reduce'] as const) {
      opened = await suite.open({ reducedMotion, noWait: true });
      await opened.page.getByTestId('refresh-note').waitFor();
      const animation = await opened.page.locator('.placeholder').first().evaluate((e) => getComputedStyle(e).animationName);
      expect(animation).toBe(reducedMotion === 'reduce' ? 'none' : 'pulse');
      await opened.close();
    }
    opened = undefined;
  });

  it.each([
    [1280, 900],
    [360, 780],
  ] as const)('keeps the layout still at %i px while the data arrives: no layout shift', async (width, height) => {
    serveFixture(suite.server, 'demo');
    let release = () => {};
    const held = new Promise<void>((done) => (release = done));
    opened = await suite.open({ noWait: true, viewport: { width, height } });
    const { page } = opened;
    // The first answer is held back, so the loading state is painted and can be seen to move.
    await page.route(`**${snapshotPath}`, async (route) => {
      await held;
      await route.continue();
    });
    await page.addInitScript(() => {
      const shifts: number[] = [];
      (window as unknown as { shifts: number[] }).shifts = shifts;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!entry.hadRecentInput) shifts.push(entry.value);
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.reload();
    await page.locator('.placeholder').first().waitFor();
    await saveScreenshot(page, `loading-${width}`);
    release();
    await page.locator('.island[aria-busy="false"]').waitFor();
    await page.locator('ol.incidents').first().waitFor();
    await page.clock.runFor(2_000);
    const shifts = await page.evaluate(() => (window as unknown as { shifts: number[] }).shifts);
    expect(shifts.reduce((sum, value) => sum + value, 0)).toBeLessThan(0.01);
    // (The reload cuts the first load's requests short: only errors of the page itself count here;
    // the demo fixture has no signed record yet, whose files are 404s.)
    expect(opened.consoleErrors.filter((error) => !isRecordFile(error.url))).toEqual([]);
  });
});
