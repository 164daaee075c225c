// The usage panel (issue 19): 1 day / 7 days / 30 days from the keyboard, the totals and each row in
// words with a bar of its share and a scale, each card's cost per run, the failed runs' cost among
// the credits, and a plain sentence when the worker cannot read the usage. At 360 and 1280 px.
import { describe, expect, it } from 'vitest';
import { listUnexpectedProblems, readFixture, readHistory, saveScreenshot, serveFixture, serveHistory, serveSnapshot, usePageSuite } from './page-harness.ts';

const suite = usePageSuite();
const widths = [360, 1280] as const;
/** The page writes a figure and its unit with a no-break space ("420 M"). */
const plain = (text: string) => text.replace(/\u00a0/g, ' ');

describe('the usage panel', () => {
  it.each(widths)('switches 1 day / 7 days / 30 days with the arrow keys and says which days it sums (%i px)', async (width) => {
    serveFixture(suite.server, 'demo');
    const opened = await suite.open({ viewport: { width, height: 900 } });
    const { page } = opened;
    const panel = page.locator('section[aria-labelledby="usage-heading"]');
    const said = async () => plain(await panel.getByTestId('usage').innerText());
    expect(await said()).toBe('The last 24 hours: 420 M credits, 70 requests, 14 M tokens in and 1.8 M out.');

    // One tab stop for the group; the arrows move within it, as for any native radio group.
    await page.getByRole('radio', { name: '1 day' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: '7 days' }).isChecked()).toBe(true);
    await expect.poll(said).toBe('The 7 closed days (UTC) 2026-11-14 to 2026-11-20: 3.3 B credits, 544 requests, 108.8 M tokens in and 13.6 M out.');
    await page.keyboard.press('ArrowRight');
    await expect.poll(said).toBe('The 30 closed days (UTC) 2026-10-22 to 2026-11-20: 14 B credits, 2,338 requests, 467.6 M tokens in and 58.5 M out.');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(said).toContain('The 7 closed days (UTC)');
    expect(await panel.getByRole('group', { name: 'Period' }).count()).toBe(1);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each(widths)('opens by charter and by model, each row in words under a bar of its share, above a scale (%i px)', async (width) => {
    serveFixture(suite.server, 'demo');
    const opened = await suite.open({ viewport: { width, height: 900 } });
    const { page } = opened;
    const details = page.locator('details.usage-tables');
    expect(await details.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    await details.locator('summary').focus();
    await page.keyboard.press('Enter');
    const groups = details.locator('figure');
    expect(await groups.locator('figcaption').allInnerTexts()).toEqual(['By charter', 'By model']);
    expect((await groups.nth(0).locator('li').allInnerTexts()).map(plain)).toEqual([
      'Engineering: 252 M credits, 42 requests, 8.4 M tokens in and 1.1 M out',
      'Govern: 126 M credits, 21 requests, 4.2 M tokens in and 525 K out',
      'Community: 36 M credits, 6 requests, 1.2 M tokens in and 150 K out',
      'Sustainability: 6 M credits, 1 request, 200 K tokens in and 25 K out',
    ]);
    expect((await groups.nth(1).locator('li').allInnerTexts()).map(plain)).toEqual([
      'openai/gpt-4.1-mini: 252 M credits, 42 requests, 8.4 M tokens in and 1.1 M out',
      'google/gemini-2.5-flash: 126 M credits, 21 requests, 4.2 M tokens in and 525 K out',
      'anthropic/claude-sonnet-4.5: 42 M credits, 7 requests, 1.4 M tokens in and 175 K out',
    ]);
    // The scale runs from 0 to the total, which the rows of each grouping add up to: Engineering's bar is 252/420 of it.
    expect((await groups.nth(0).locator('.usage-scale').innerText()).split('\n').map(plain)).toEqual(['0', '420 M credits']);
    expect(await groups.nth(0).locator('.usage-scale').getAttribute('aria-hidden')).toBe('true');
    const share = await groups.nth(0).evaluate((figure) => figure.querySelector('.usage-bar')!.getBoundingClientRect().width / figure.querySelector('ul')!.getBoundingClientRect().width);
    expect(share).toBeCloseTo(0.6, 2);
    // The 7 days by charter, named from the history.
    await page.getByRole('radio', { name: '7 days' }).check();
    await expect.poll(async () => plain(await groups.nth(0).locator('li').first().innerText())).toMatch(/^Engineering: 2 B credits, /);
    await saveScreenshot(page, `usage-${width}`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each(widths)("shows each charter's median cost per run, and what failed runs cost (%i px)", async (width) => {
    serveFixture(suite.server, 'demo');
    const opened = await suite.open({ viewport: { width, height: 900 } });
    const { page } = opened;
    const cost = page.locator('li[data-charter="Engineering"]').getByTestId('cost-per-run');
    expect(await cost.innerText()).toBe('6,000,000 credits');
    expect(await page.locator('li[data-charter="Engineering"] .fields > div', { has: page.getByTestId('cost-per-run') }).innerText()).toMatch(
      /^Cost per run \(median\):?\s*6,000,000 credits$/,
    );
    expect(await page.getByTestId('failed-cost').innerText()).toBe('Failed runs cost 18,000,000 credits in the last 24 h.');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says nothing of failed runs when they cost nothing', async () => {
    serveFixture(suite.server, 'healthy');
    const opened = await suite.open();
    expect(await opened.page.getByTestId('failed-cost').count()).toBe(0);
    expect(await opened.page.locator('li[data-charter] [data-testid="cost-per-run"]').count()).toBeGreaterThan(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says plainly when the worker cannot read the usage, and when the history lacks some days', async () => {
    const demo = JSON.parse(readFixture('demo'));
    serveSnapshot(suite.server, JSON.stringify({ ...demo, usage: { available: false, reason: 'no_permission' } }));
    serveHistory(suite.server, readHistory('demo'));
    const opened = await suite.open();
    const { page } = opened;
    const panel = page.locator('section[aria-labelledby="usage-heading"]');
    expect((await panel.innerText()).split(/\n+/)).toEqual(['Usage', 'Usage is not available: the worker may not read the charge details.']);
    expect(await page.getByTestId('failed-cost').count()).toBe(0);
    expect(await page.getByTestId('cost-per-run').count()).toBe(0);

    // Two of the last seven closed days without usage (a worker that could not read the details then).
    const history = JSON.parse(readHistory('demo'));
    for (const day of history.days) if (day.date === '2026-11-15' || day.date === '2026-11-16') day.usage = null;
    serveSnapshot(suite.server, readFixture('demo'));
    serveHistory(suite.server, JSON.stringify(history));
    const again = await suite.open();
    await again.page.getByRole('radio', { name: '7 days' }).check();
    await expect.poll(async () => plain(await again.page.getByTestId('usage').innerText())).toMatch(/^The 7 closed days \(UTC\) 2026-11-14 to 2026-11-20: .+\. Usage is known for 5 of these days\.$/);
    expect(listUnexpectedProblems(opened)).toEqual([]);
    expect(listUnexpectedProblems(again)).toEqual([]);
  });

  it('is left out for a worker from before usage', async () => {
    serveSnapshot(suite.server, readFixture('legacy-v1'));
    const opened = await suite.open();
    expect(await opened.page.locator('#usage-heading').count()).toBe(0);
  });
});
