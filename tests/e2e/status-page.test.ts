// The page over fixture snapshots: what it shows, how it ticks, how it picks up a new file and how
// it warns about stale data. The browser runs in New York time on a fake clock.
import { describe, expect, it } from 'vitest';
import {
  advanceUntil,
  fixtureTime,
  listUnexpectedProblems,
  readFixture,
  saveScreenshot,
  readHistory,
  serveFixture,
  serveHistory,
  serveSnapshot,
  snapshotPath,
  textOf,
  type OpenedPage,
  usePageSuite,
} from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

/** The latest threads, one line each. */
function readThreads(page: OpenedPage['page']): Promise<string[]> {
  return page.locator('details.threads li').evaluateAll((items) => items.map((item) => (item.textContent ?? '').trim()));
}

/** Each charter card: its heading (name and state), then each field as "label: value" (no-break spaces as spaces). */
function readCards(page: OpenedPage['page']): Promise<string[][]> {
  return page.locator('li[data-charter]').evaluateAll((cards) =>
    cards.map((card) =>
      [
        (card.querySelector('h3') as HTMLElement).innerText,
        ...[...card.querySelectorAll('.fields > div')].map((field) => {
          const [name, value] = [...field.children] as HTMLElement[];
          return `${name!.innerText}: ${value!.innerText}`;
        }),
      ].map((text) => text.replace(/\u00a0/g, ' ').replace(/\s*\n\s*/g, ' ')),
    ),
  );
}

/** The failed and missed runs a card lists under its last 24 hours. */
function readCardRuns(page: OpenedPage['page'], charter: string): Promise<string[]> {
  return page.locator(`li[data-charter="${charter}"] details.runs li`).evaluateAll((items) => items.map((item) => (item.textContent ?? '').trim()));
}

describe('the status page', () => {
  it('shows the figures, forecast, charters with their failed and missed runs, and the latest threads of a snapshot', async () => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open();
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);

    await expect.poll(() => textOf(page, 'updated')).toBe('Updated 15 s ago');
    expect(await page.getByTestId('status').getAttribute('aria-live')).toBe('polite');
    expect(await page.locator('.notices').getAttribute('aria-live')).toBe('polite');
    expect(await textOf(page, 'balance')).toBe('$18,750.00\n187,500,000,000 credits');
    expect(await textOf(page, 'burn')).toBe('10,666,666,667 credits\n256,000,000,000 credits in the last 24 h');
    expect(await textOf(page, 'runway')).toBe('about 17 hours left\nat the current burn: running low');
    // The headline lists the funding forecast as a reason (it ends within a day): the credits do not repeat it.
    expect(await page.getByTestId('forecast').count()).toBe(0);
    expect(await page.getByTestId('reasons').innerText()).toContain(
      'The balance pays for about 117 more runs, until Sun 04:30 UTC (an estimate from the average run).',
    );
    expect(await page.locator('.chart').first().locator('.chart-bars > span').count()).toBe(24);

    await expect.poll(() => readCards(page)).toEqual([
      ['Community Recovering since Nov 21, 06:40 EST', 'Schedule: Every 20 minutes */20 * * * * · UTC', 'Next run: in 19 min 15 s',
        'Last finished: Succeeded 23 s ago', 'Last 24 h: 71 of 72 succeeded, 1 failed', 'Cost per run (median): 1,600,000,000 credits'],
      ['Engineering Missed runs since Nov 21, 04:15 EST', 'Schedule: Every 15 minutes */15 * * * * · America/New_York', 'Next run: in 14 min 15 s',
        'Last finished: Succeeded 3 h ago', 'Last 24 h: 84 of 95 succeeded, 11 missed', 'Cost per run (median): 1,600,000,000 credits',
        'Open incident: 11 runs missed'],
      ['Govern Paused', 'Schedule: At 09:00, only on Monday 0 9 * * 1 · Europe/Berlin', 'Next run: paused', 'Last finished: Succeeded 5 d ago',
        'Last 24 h: no runs expected'],
      ['Sustainability OK', 'Schedule: On the hour, every 6 hours 0 */6 * * * · UTC', 'Next run: in 5 h 59 min', 'Last finished: Succeeded 23 s ago',
        'Last 24 h: 4 of 4 succeeded', 'Cost per run (median): 1,600,000,000 credits'],
      ['Treasury Schedule broken', 'Schedule: On the hour, every 6 hours 0 */6 * * * · Mars/Olympus_Mons (Unknown time zone)', 'Next run: not scheduled',
        'Last finished: none yet', 'Last success: never', 'Last 24 h: no runs expected'],
    ]);
    // The exact time is a hover away, and no time is a tab stop.
    const countdown = page.locator('li[data-charter="Engineering"] time').nth(1);
    expect(await countdown.getAttribute('title')).toBe('Nov 21, 07:15 EST (2026-11-21T12:15:00.000Z)');
    expect(await page.locator('time[tabindex]').count()).toBe(0);

    // The failed and missed runs of the last 24 hours are in their charter's card, one step away.
    expect(await readCardRuns(page, 'Community')).toEqual(['Nov 21, 06:20 EST failed: rate_limitedRate limited by provider (token=[redacted])']);
    expect(await page.locator('[data-run="community-20261121T112000"] time').getAttribute('title')).toBe('2026-11-21T11:20:00.000Z');
    await page.locator('li[data-charter="Community"] details.runs summary').click();
    expect(await page.locator('li[data-charter="Community"] details.runs').innerText()).toBe(
      '71 of 72 succeeded, 1 failed\nNov 21, 06:20 EST failed: rate_limited\nRate limited by provider (token=[redacted])',
    );
    const missed = await readCardRuns(page, 'Engineering');
    expect(missed).toHaveLength(10);
    expect([missed[0], missed[9]]).toEqual(['Nov 21, 06:45 EST missed: no run was recorded', 'Nov 21, 04:30 EST missed: no run was recorded']);
    expect(await page.locator('li[data-charter="Engineering"] details.runs p').textContent()).toBe('The latest 10 of them:');

    // Each with its latest run's outcome and charter where the file says them; nothing where it does not.
    expect(await readThreads(page)).toEqual([
      'Succeeded Community digest, 21 November (Community) started Nov 21, 07:00 EST, last active Nov 21, 07:00 EST',
      'Failed Engineering review: open pull requests (Engineering) started Nov 21, 04:00 EST, last active Nov 21, 04:00 EST',
      '(untitled) started Nov 21, 03:30 EST, last active Nov 21, 03:31 EST',
      'Running Weekly governance proposal triage (Govern) started Nov 16, 03:00 EST, last active Nov 16, 03:01 EST',
    ]);
    expect(await page.getByTestId('stale-banner').count()).toBe(0);
    expect(await page.getByTestId('refresh-note').count()).toBe(0);
    await saveScreenshot(page, 'degraded-1280');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says how many failed when a card lists only the latest, and never repeats a code as its message', async () => {
    serveFixture(suite.server, 'failing');
    opened = await suite.open();
    const { page } = opened;
    const snapshot = JSON.parse(readFixture('failing')) as {
      charters: { id: string; name: string; runs24h: { failed: number } }[];
      failedRuns: { charterId: string; errorCode: string; errorMessage: string }[];
    };
    // The snapshot lists the latest 10 failures of all charters; each card shows its own, and says it has more.
    expect(snapshot.failedRuns).toHaveLength(10);
    for (const charter of snapshot.charters) {
      const runs = page.locator(`li[data-charter="${charter.name}"] details.runs`);
      const listed = snapshot.failedRuns.filter((run) => run.charterId === charter.id).length;
      expect([charter.name, await readCardRuns(page, charter.name).then((items) => items.length)]).toEqual([charter.name, listed]);
      expect(await runs.locator('p').textContent()).toBe(`The latest ${listed} of them:`);
      expect(await runs.locator('summary').innerText()).toMatch(new RegExp(`, ${charter.runs24h.failed} failed$`));
    }
    // The code is the whole message here: said once.
    expect(snapshot.failedRuns[0]!.errorMessage).toBe(snapshot.failedRuns[0]!.errorCode);
    expect((await readCardRuns(page, 'Engineering'))[0]).toBe('Nov 21, 07:00 EST failed: insufficient_credits');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('counts down every second and keeps relative times true as the clock runs', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    opened = await suite.open();
    const { page } = opened;
    const countdown = page.locator('li[data-charter="Engineering"] time').nth(1);
    await page.clock.pauseAt(fixtureTime + 15_000);
    await expect.poll(() => countdown.innerText()).toBe('in 14 min 15 s');
    await page.clock.runFor(1000);
    await expect.poll(() => countdown.innerText()).toBe('in 14 min 14 s');
    await page.clock.runFor(2000);
    await expect.poll(() => countdown.innerText()).toBe('in 14 min 12 s');
    // A minute on, in two steps: each poll's answer comes in before the clock moves on.
    for (const step of [30_000, 30_000]) {
      await page.clock.runFor(step);
      await page.waitForLoadState('networkidle');
    }
    await expect.poll(() => countdown.innerText()).toBe('in 13 min 12 s');
    expect(await textOf(page, 'updated')).toBe('Updated 1 min ago');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('revalidates with If-None-Match and shows a replaced file on the next poll', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    const firstRequest = suite.server.requests.length;
    opened = await suite.open();
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);
    const snapshotRequests = () => suite.server.requests.slice(firstRequest).filter((r) => r.path === snapshotPath);

    // An unchanged file: the browser asks conditionally and the answer carries no body.
    await advanceUntil(page, () => snapshotRequests().length >= 2);
    expect(snapshotRequests().map((r) => r.status)).toEqual([200, 304]);
    expect(snapshotRequests()[1]?.ifNoneMatch).toMatch(/^".+"$/);
    expect(await page.getByTestId('status').innerText()).toContain('Degraded');

    serveSnapshot(suite.server, readFixture('healthy'));
    await advanceUntil(page, async () => (await page.getByTestId('status').innerText()).includes('Healthy'));
    expect(snapshotRequests().map((r) => r.status)).toEqual([200, 304, 200]);
    expect(await textOf(page, 'balance')).toBe('$987,654.32\n9,876,543,210,000 credits');
    expect(await textOf(page, 'runway')).toBe('about 3 months left\nat the current burn');
    expect(await page.locator('details.runs').count()).toBe(0);
    await saveScreenshot(page, 'healthy-after-poll');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('stops polling while the tab is hidden and fetches at once when it is shown', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    const firstRequest = suite.server.requests.length;
    opened = await suite.open();
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);
    const snapshotRequests = () => suite.server.requests.slice(firstRequest).filter((r) => r.path === snapshotPath).length;
    // Headless Chromium never hides its tab, so the test flips what the page reads and tells it.
    const setHidden = (hidden: boolean) =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);

    await setHidden(true);
    await page.clock.runFor(3 * 60_000);
    expect(snapshotRequests()).toBe(1);
    serveSnapshot(suite.server, readFixture('healthy'));
    await setHidden(false);
    await expect.poll(() => page.getByTestId('status').innerText()).toContain('Healthy');
    expect(snapshotRequests()).toBe(2);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('raises the stale banner once the clock passes staleAfter', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    // staleAfter is 12:03:30Z, three minutes after the snapshot.
    opened = await suite.open({ time: fixtureTime + 160_000 });
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 175_000);
    await expect.poll(() => textOf(page, 'updated')).toBe('Updated 2 min ago');
    expect(await page.getByTestId('stale-banner').count()).toBe(0);
    await page.clock.runFor(10_000);
    await expect.poll(() => page.getByTestId('stale-banner').count()).toBe(1);
    expect(await textOf(page, 'stale-banner')).toBe('This data is 3 minutes old: the status worker may be down.');
    expect(await textOf(page, 'status')).toBe('Unknown\nlast known: Degraded, 3 minutes ago');
    expect(await page.title()).toBe('Unknown · Governance status');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says how old long-stale data is, and still shows it', async () => {
    serveSnapshot(suite.server, readFixture('failing'));
    opened = await suite.open({ time: fixtureTime + 10 * 60_000 + 20_000 });
    const { page } = opened;
    await expect.poll(() => textOf(page, 'stale-banner')).toBe(
      'This data is 10 minutes old: the status worker may be down.',
    );
    expect(await textOf(page, 'status')).toBe('Unknown\nlast known: Failing, 10 minutes ago');
    // Said once, in the headline: the credits show the figure, and no forecast to repeat it.
    expect(await textOf(page, 'runway')).toBe('no credits left');
    expect(await page.getByTestId('forecast').count()).toBe(0);
    expect(await page.getByText('No recent threads.').count()).toBe(1);
    await saveScreenshot(page, 'failing-stale');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('has an empty state for every list', async () => {
    serveSnapshot(suite.server, readFixture('empty'));
    opened = await suite.open();
    const { page } = opened;
    serveHistory(suite.server, readHistory('empty'));
    await page.reload();
    await page.getByText('No incidents in the last 90 days.').waitFor();
    for (const text of ['No governance charters are scheduled.', 'No incidents in the last 90 days.', 'No recent threads.']) {
      expect([text, await page.getByText(text).count()]).toEqual([text, 1]);
    }
    expect(await page.locator('table').count()).toBe(0);
    expect(await textOf(page, 'runway')).toBe('no spend in the last 24 h\nthe balance is not being spent');
    expect(await page.locator('.chart figcaption').allInnerTexts()).toEqual([
      'Spent per hour, last 24 hours nothing spent',
      'Spent per day (UTC), last 90 days nothing spent',
    ]);
    await saveScreenshot(page, 'empty');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});
