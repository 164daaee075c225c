// The last 90 days: a bar of days per charter with a sentence for screen readers, the incidents
// under the headline and in a list the feeds link into, the daily spend, and a history file that is
// fetched after the snapshot and asked for again only when it may have changed.
import { describe, expect, it } from 'vitest';
import type { GovernanceHistory } from '../../shared/contract.ts';
import {
  fixtureTime,
  historyPath,
  listUnexpectedProblems,
  readFixture,
  readHistory,
  saveScreenshot,
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

const anchorOf = (id: string) => `incident-${encodeURIComponent(id)}`;

describe('the 90-day history', () => {
  it('draws a bar of days per charter, with a class, a pattern and a title for each day', async () => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open();
    const { page } = opened;
    const history = JSON.parse(readHistory('degraded')) as GovernanceHistory;
    expect(await page.locator('[data-history]').evaluateAll((items) => items.map((item) => item.getAttribute('data-history')))).toEqual(
      history.charters.map((charter) => charter.id),
    );
    const engineering = page.locator('[data-history="governance:engineering"] .day');
    expect(await engineering.count()).toBe(90);
    const classes = await engineering.evaluateAll((days) => days.map((day) => day.className.replace('day day-', '')));
    // Its ledger begins 30 days ago: the days before say "no data", never "ok".
    expect(classes.slice(0, 59)).toEqual(Array(59).fill('no_data'));
    expect(classes.slice(59).filter((dayClass) => dayClass !== 'ok')).toEqual(['some_failures', 'some_failures']);
    expect(await engineering.nth(0).getAttribute('title')).toBe('2026-08-24 (UTC): no data');
    expect(await engineering.nth(89).getAttribute('title')).toBe(
      '2026-11-21 (UTC): 37 of 48 succeeded, 11 missed: some runs failed or were missed',
    );
    expect(await page.locator('[data-history="governance:govern"] .day').nth(1).getAttribute('title')).toBe('2026-08-25 (UTC): no runs expected');

    // Each class differs in pattern or shape as well as in colour.
    const looks = await page.locator('.legend .day').evaluateAll((swatches) =>
      swatches.map((swatch) => {
        const style = getComputedStyle(swatch);
        return `${style.backgroundImage.replace(/rgba?\([^)]*\)/g, 'colour')} ${style.height}`;
      }),
    );
    expect(new Set(looks).size).toBe(6);
    expect(await page.locator('.legend li').allInnerTexts()).toEqual([
      'every expected run succeeded', 'some runs failed or were missed', 'no run succeeded', 'no run happened', 'no runs expected', 'no data',
    ]);
    await saveScreenshot(page, 'history-degraded-1280');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('gives screen readers one sentence per charter instead of the days, which are not tab stops', async () => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open();
    const { page } = opened;
    expect(await page.getByTestId('history-summary').allInnerTexts()).toEqual([
      '88 of 90 days without failures; 2 incidents',
      '29 of 31 days without failures, no data for 59 days; 2 incidents, 1 open',
      '90 of 90 days without failures; 0 incidents',
      '89 of 90 days without failures; 1 incident',
    ]);
    expect(await page.locator('.days').evaluateAll((bars) => bars.map((bar) => bar.getAttribute('aria-hidden')))).toEqual(['true', 'true', 'true', 'true']);
    expect(await page.locator('.day[tabindex], .days [tabindex]').count()).toBe(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says when the file had to leave charters out to stay within its bound', async () => {
    serveFixture(suite.server, 'degraded');
    const history = JSON.parse(readHistory('degraded')) as GovernanceHistory;
    serveHistory(suite.server, JSON.stringify({ ...history, chartersTotal: history.charters.length + 120 }));
    opened = await suite.open();
    const { page } = opened;
    await page.locator('[data-history]').first().waitFor();
    expect(await textOf(page, 'history-partial')).toBe(`The history shows ${history.charters.length} of ${history.charters.length + 120} charters, the most severe first.`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('shows the daily spend of the 90 days beside the hourly chart', async () => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open();
    const { page } = opened;
    const charts = page.locator('.charts .chart');
    expect(await charts.count()).toBe(2);
    expect(await charts.nth(0).locator('rect').count()).toBe(24);
    expect(await charts.nth(1).locator('rect').count()).toBe(90);
    const history = JSON.parse(readHistory('degraded')) as GovernanceHistory;
    const most = history.days.reduce((best, day) => (BigInt(day.spent) > BigInt(best.spent) ? day : best));
    expect(await charts.nth(1).locator('svg').getAttribute('aria-label')).toBe(
      `Credits spent per day over the last 90 days: the most, ${BigInt(most.spent).toLocaleString('en')} credits, on ${most.date}.`,
    );
    expect(await charts.nth(1).locator('figcaption').innerText()).toBe('2026-08-24\nper day (UTC)\ntoday');
    const [hourly, daily] = await charts.evaluateAll((figures) => figures.map((figure) => figure.getBoundingClientRect().top));
    expect(daily).toBe(hourly);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});

describe('incidents', () => {
  it('lists the open ones under the headline, linked to the list of the last 90 days', async () => {
    serveFixture(suite.server, 'failing');
    opened = await suite.open();
    const { page } = opened;
    const { openIncidents } = JSON.parse(readFixture('failing')) as { openIncidents: string[] };
    const links = page.getByTestId('open-incidents').locator('a');
    expect(await links.allInnerTexts()).toEqual([
      'Sustainability: 5 runs failed (insufficient_credits)',
      'Community: 15 runs failed (insufficient_credits)',
      'Engineering: 20 runs failed (insufficient_credits)',
    ]);
    expect(await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')))).toEqual(openIncidents.map((id) => `#${anchorOf(id)}`));
    expect(await textOf(page, 'open-incidents')).toContain('Engineering: 20 runs failed (insufficient_credits), since Nov 21, 02:00 EST');

    await links.nth(2).click();
    expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe(anchorOf(openIncidents[2]!));
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('lists every incident of the 90 days, each at the anchor the feeds link to', async () => {
    serveFixture(suite.server, 'degraded');
    const history = JSON.parse(readHistory('degraded')) as GovernanceHistory;
    // A feed entry links to the page with #incident-<encodeURIComponent(id)>.
    const resolved = history.incidents.find((incident) => incident.resolvedAt !== null)!;
    opened = await suite.open();
    const { page } = opened;
    const items = page.locator('ol.incidents > li');
    expect(await items.evaluateAll((lis) => lis.map((li) => li.id))).toEqual(history.incidents.map((incident) => anchorOf(incident.id)));
    expect((await items.allInnerTexts()).map((text) => text.replace(/\n+/g, '\n'))).toEqual([
      'Resolved Community: 1 run failed (rate_limited)\nfrom Nov 21, 06:20 EST to Nov 21, 06:40 EST',
      'Open Engineering: 11 runs missed\nfrom Nov 21, 04:15 EST until now',
      'Resolved Engineering: 8 runs failed\nfrom Nov 1, 22:00 EST to Nov 2, 00:00 EST',
      'Resolved Community: 6 runs failed (upstream_error)\nfrom Oct 3, 10:00 EDT to Oct 3, 12:00 EDT',
      'Resolved Sustainability: 1 run missed\nfrom Sep 12, 02:00 EDT to Sep 12, 08:00 EDT',
    ]);
    await page.goto(`${suite.server.url}/#${anchorOf(resolved.id)}`);
    await page.locator('.island[aria-busy="false"]').waitFor();
    await expect.poll(() => page.evaluate(() => document.querySelector(':target')?.id)).toBe(anchorOf(resolved.id));
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('keeps ids that need encoding reachable (markup, long ids)', async () => {
    serveFixture(suite.server, 'hostile-page');
    opened = await suite.open();
    const { page } = opened;
    const [incident] = (JSON.parse(readHistory('hostile-page')) as GovernanceHistory).incidents;
    expect(incident!.id).toContain('<script>');
    await page.getByTestId('open-incidents').locator('a').click();
    expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe(anchorOf(incident!.id));
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});

describe('the history file', () => {
  it('is fetched after the snapshot, and again only when it may have changed, conditionally', async () => {
    serveFixture(suite.server, 'degraded');
    const firstRequest = suite.server.requests.length;
    opened = await suite.open();
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);
    const requests = () => suite.server.requests.slice(firstRequest).filter((r) => r.path === historyPath || r.path === snapshotPath);
    const history = () => requests().filter((r) => r.path === historyPath);
    expect(requests().map((r) => r.path)).toEqual([snapshotPath, historyPath]);

    // An unchanged snapshot (a 304): no history request.
    await page.clock.runFor(30_000);
    await expect.poll(() => requests().length).toBe(3);
    expect(history()).toHaveLength(1);

    // The snapshot moved on by a minute, the same incidents open: still none.
    const snapshot = JSON.parse(readFixture('degraded'));
    const movedBy = (ms: number, change: (s: typeof snapshot) => void = () => {}) => {
      const copy = structuredClone(snapshot);
      copy.generatedAt = new Date(Date.parse(snapshot.generatedAt) + ms).toISOString();
      copy.staleAfter = new Date(Date.parse(snapshot.staleAfter) + ms).toISOString();
      change(copy);
      serveSnapshot(suite.server, JSON.stringify(copy));
    };
    movedBy(60_000);
    await page.clock.runFor(30_000);
    await expect.poll(() => requests().length).toBe(4);
    expect(history()).toHaveLength(1);

    // Five minutes on: asked again, conditionally, and unchanged it costs a 304.
    movedBy(5 * 60_000);
    await page.clock.runFor(30_000);
    await expect.poll(() => history().length).toBe(2);
    expect(history()[1]).toMatchObject({ status: 304, ifNoneMatch: expect.stringMatching(/^".+"$/) });

    // An incident closes: the snapshot's open incidents change, and the history is asked for at once.
    const updated = JSON.parse(readHistory('degraded')) as GovernanceHistory;
    const open = updated.incidents.find((incident) => incident.resolvedAt === null)!;
    open.resolvedAt = new Date(fixtureTime + 5 * 60_000).toISOString();
    serveHistory(suite.server, JSON.stringify(updated));
    movedBy(5 * 60_000 + 30_000, (s) => (s.openIncidents = []));
    await page.clock.runFor(30_000);
    await expect.poll(() => history().length).toBe(3);
    expect(history()[2]!.status).toBe(200);
    await expect.poll(() => page.locator(`id=${anchorOf(open.id)}`).innerText()).toMatch(/^Resolved Engineering: 11 runs missed/);
    expect(await page.getByTestId('open-incidents').count()).toBe(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('that fails keeps the rest of the page and says why', async () => {
    serveSnapshot(suite.server, readFixture('degraded'));
    serveHistory(suite.server, '{"schemaVersion": 1, "days": "many"}');
    opened = await suite.open();
    const { page } = opened;
    const note = page.locator('section[aria-labelledby="history-heading"] .empty');
    await expect.poll(() => note.count()).toBe(1);
    expect(await note.innerText()).toBe('The history could not be loaded: the data does not match the contract at generatedAt (invalid_type).');
    expect(await page.getByTestId('status').innerText()).toContain('Degraded');
    expect(await page.locator('li[data-charter]').count()).toBe(5);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});
