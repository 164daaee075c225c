// The reader's clock, wrong by minutes, changes nothing the page says about the data: the page takes
// the time from each answer's Date header (and Age, when a cache sends one). Reader clocks from 30
// minutes slow to 30 minutes fast, a server whose Date is right, and data that is fresh, stale, or
// made by a worker whose clock is ahead.
import { describe, expect, it } from 'vitest';
import { fixtureTime, historyPath, listUnexpectedProblems, readFixture, readHistory, setServerClock, snapshotPath, textOf, type OpenedPage, usePageSuite } from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

const minute = 60_000;
const skews = [-30, -3, 3, 30];
/** The degraded fixture was made at fixtureTime; staleAfter is three minutes later. */
const cases = {
  fresh: fixtureTime + 30_000,
  stale: fixtureTime + 3 * minute + 17 * minute,
  ahead: fixtureTime - 2 * minute,
};

/** Serves the degraded files from a server whose clock says `trueNow` (and flows), and opens the page on a reader clock `skew` minutes off. */
async function openAt(trueNow: number, skew: number, cache?: { ageSeconds: number }): Promise<OpenedPage> {
  const started = performance.now();
  const serverNow = () => trueNow + (performance.now() - started) - (cache ? cache.ageSeconds * 1000 : 0);
  setServerClock(serverNow);
  const headers = cache ? { Age: String(cache.ageSeconds) } : undefined;
  const json = 'application/json; charset=utf-8';
  suite.server.setResponse(snapshotPath, { body: readFixture('degraded'), contentType: json, ...(headers ? { headers } : {}) });
  suite.server.setResponse(historyPath, { body: readHistory('degraded'), contentType: json, ...(headers ? { headers } : {}) });
  return suite.open({ time: trueNow + skew * minute });
}

const secondsAgo = (text: string) => Number(/^Updated (\d+) s ago/.exec(text)?.[1] ?? NaN);

describe("the reader's clock", () => {
  it.each(skews)('%i minutes off: fresh data reads fresh, and nothing says anything is wrong', async (skew) => {
    opened = await openAt(cases.fresh, skew);
    const { page } = opened;
    expect(await textOf(page, 'status')).toMatch(/^Degraded\n/);
    expect(await page.getByTestId('stale-banner').count()).toBe(0);
    const updated = await textOf(page, 'updated');
    expect(secondsAgo(updated)).toBeGreaterThanOrEqual(29);
    expect(secondsAgo(updated)).toBeLessThanOrEqual(59);
    expect(await page.getByTestId('refresh-note').count()).toBe(0);
    expect(await page.locator('.island').innerText()).not.toMatch(/clock|stale|old:/i);
    // A countdown counts down to the run's real time: Engineering's next fire is 12:15:00.
    const countdown = await page.locator('li[data-charter="Engineering"] time').nth(1).innerText();
    expect(countdown).toMatch(/^in 1[34] min \d+ s$/);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each(skews)('%i minutes off: stale data reads stale', async (skew) => {
    opened = await openAt(cases.stale, skew);
    const { page } = opened;
    await expect.poll(() => textOf(page, 'status')).toBe('Unknown\nlast known: Degraded, 20 minutes ago');
    expect(await textOf(page, 'stale-banner')).toBe('This data is 20 minutes old: the status worker may be down.');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each([-30, 30])('%i minutes off: a snapshot from after now is shown as one, never as "just now"', async (skew) => {
    opened = await openAt(cases.ahead, skew);
    const { page } = opened;
    expect(await textOf(page, 'updated')).toMatch(/^Made 1 min \d+ s after now by the server's clock: the status worker's clock is ahead\./);
    expect(await page.getByTestId('stale-banner').count()).toBe(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it("counts a cache's Age: an answer kept 40 s is not taken for the time now", async () => {
    opened = await openAt(cases.fresh, -30, { ageSeconds: 40 });
    const { page } = opened;
    const updated = await textOf(page, 'updated');
    expect(secondsAgo(updated)).toBeGreaterThanOrEqual(29);
    expect(secondsAgo(updated)).toBeLessThanOrEqual(59);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('set back an hour while the page is open and the server cannot be reached: stale data still turns stale', async () => {
    setServerClock(null);
    suite.server.setResponse(snapshotPath, { body: readFixture('degraded'), contentType: 'application/json' });
    opened = await suite.open({ time: cases.fresh });
    const { page } = opened;
    await page.clock.pauseAt(cases.fresh + 5_000);
    await page.route(`**${snapshotPath}`, (route) => route.abort('connectionrefused'));
    // Date goes back an hour; performance.now, like the real time, runs on for 20 minutes
    await page.clock.setSystemTime(cases.fresh + 5_000 - 60 * minute);
    await page.clock.runFor(20 * minute);
    await expect.poll(() => textOf(page, 'status')).toBe('Unknown\nlast known: Degraded, 20 minutes ago');
    expect(await page.title()).toBe('Unknown · Governance status');
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });

  it("a cache that serves its old copy without Age (its origin down): stale data still turns stale, whatever that copy's Date says", async () => {
    opened = await openAt(cases.fresh, 0);
    const { page } = opened;
    await expect.poll(() => textOf(page, 'status')).toMatch(/^Degraded/);
    await page.clock.pauseAt(cases.fresh + 5_000);
    // from now on every answer is the copy the cache kept, with the Date it was made with, and no Age
    setServerClock(() => cases.fresh);
    await page.clock.runFor(20 * minute);
    await expect.poll(() => textOf(page, 'status')).toBe('Unknown\nlast known: Degraded, 20 minutes ago');
    // polls the paused clock's timeouts cut short
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });

  it('without a Date header, trusts the reader\'s clock as before', async () => {
    setServerClock(null);
    suite.server.setResponse(snapshotPath, { body: readFixture('degraded'), contentType: 'application/json' });
    opened = await suite.open({ time: cases.fresh });
    expect(secondsAgo(await textOf(opened.page, 'updated'))).toBeLessThanOrEqual(59);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});
