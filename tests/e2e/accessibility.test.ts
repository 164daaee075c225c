// Accessibility of the page in real Chromium: axe-core in light and dark, keyboard reach, narrow
// screens, reduced motion, and a loading state that does not move the page.
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  listUnexpectedProblems,
  readFixture,
  saveScreenshot,
  serveSnapshot,
  snapshotPath,
  type OpenedPage,
  usePageSuite,
} from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

/** axe-core's violations, each with the elements it found, in a form that reads well in a diff. */
async function findAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }),
  );
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
  );
}

describe('accessibility', () => {
  // Each scheme over the fixture with the most on screen, then with every banner and note showing.
  it.each(['light', 'dark'] as const)('axe finds no violations in %s mode', async (colorScheme) => {
    serveSnapshot(suite.server, readFixture('degraded'));
    opened = await suite.open({ colorScheme });
    expect(await findAxeViolations(opened.page)).toEqual([]);
    await saveScreenshot(opened.page, `axe-${colorScheme}`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each(['light', 'dark'] as const)('axe finds no violations in the stale and failed state, %s', async (colorScheme) => {
    serveSnapshot(suite.server, readFixture('failing'));
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

  it('lets the keyboard reach every link, table and time, and shows the exact time on focus', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    opened = await suite.open();
    const { page } = opened;
    const reached: string[] = [];
    for (let step = 0; step < 80; step++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(() => {
          const element = document.activeElement as HTMLElement;
          return `${element.tagName.toLowerCase()}:${element.getAttribute('datetime') ?? element.getAttribute('aria-label') ?? element.textContent?.trim()}`;
        }),
      );
    }
    expect(reached[0]).toBe('a:Skip to the status');
    expect(reached).toContain('time:2026-11-21T12:15:00.000Z');
    expect(reached).toContain('div:Charters table');
    expect(reached).toContain('div:Failed runs table');
    expect(reached).toContain('div:Recent runs table');
    expect(reached).toContain('a:governance-status.json');
    expect(reached).toContain('a:JSON Schema');

    const countdown = page.locator('tr[data-charter="Engineering"] time').first();
    await countdown.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    const shown = await countdown.evaluate((element) => getComputedStyle(element, '::after').content);
    expect(shown).toBe('" · Nov 21, 07:15 EST (2026-11-21T12:15:00.000Z)"');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('is usable at 360 px wide: nothing but the tables scrolls sideways', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    opened = await suite.open({ viewport: { width: 360, height: 780 } });
    const { page } = opened;
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll('main *')]
        .filter((element) => element.getBoundingClientRect().right > 360 + 0.5)
        .filter((element) => !element.closest('.table-scroll'))
        .map((element) => element.tagName),
    );
    expect(overflowing).toEqual([]);
    await saveScreenshot(page, 'narrow-360');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

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

  it('keeps the layout still when the first snapshot arrives', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    let release = () => {};
    const held = new Promise<void>((done) => (release = done));
    const measure = (page: Page) =>
      page.evaluate(() =>
        ['.headline', '.credits', '#charters-heading'].map((selector) => {
          const box = document.querySelector(selector)!.getBoundingClientRect();
          return { selector, top: box.top, height: box.height };
        }),
      );
    // The first response is held back so the loading state can be measured.
    opened = await suite.open({ noWait: true });
    const { page } = opened;
    await page.route(`**${snapshotPath}`, async (route) => {
      await held;
      await route.continue();
    });
    await page.reload();
    await page.locator('.placeholder').first().waitFor();
    const loading = await measure(page);
    await saveScreenshot(page, 'loading');
    release();
    await page.locator('.island[aria-busy="false"]').waitFor();
    expect(await measure(page)).toEqual(loading);
  });
});
