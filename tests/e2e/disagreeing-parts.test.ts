// The page stays true when its parts disagree: an older copy served after a newer one (a cache, a
// leader that woke from a freeze), a snapshot stamped a day ahead that then stops changing, a file
// whose status reads better than its own details, side files the worker could not update.
import { describe, expect, it, vi } from 'vitest';
import { advanceUntil, fixtureTime, historyPath, listUnexpectedProblems, readFixture, readHistory, serveFixture, serveHistory, serveSnapshot, snapshotPath, textOf, usePageSuite, type FixtureName } from './page-harness.ts';

const suite = usePageSuite();
const minute = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const changed = (name: FixtureName, change: (snapshot: Record<string, any>) => void) => {
  const snapshot = JSON.parse(readFixture(name));
  change(snapshot);
  return JSON.stringify(snapshot);
};
const tab = (page: import('playwright-core').Page) => page.evaluate(() => [document.title, new URL(document.querySelector<HTMLLinkElement>('link[rel="icon"]')!.href).pathname]);

describe('when the parts disagree, the page', () => {
  it('keeps a schedule faster than its polls current: asks again before the snapshot shown goes stale, never calls the worker down', async () => {
    // the demo's schedule: a snapshot every 5 s, each current for 15 s
    const at = (ms: number) => changed('healthy', (s) => Object.assign(s, { generatedAt: iso(ms), dataAsOf: iso(ms), staleAfter: iso(ms + 15_000) }));
    serveSnapshot(suite.server, at(fixtureTime + 5_000));
    const opened = await suite.open();
    const { page } = opened;
    // the page's time stands still while a request is on the network, as a request takes a moment
    // and not seconds: else a busy machine's slow answer lets the fake clock run past staleAt
    let inFlight = 0;
    const counted = (request: import('playwright-core').Request) => new URL(request.url()).pathname === snapshotPath;
    page.on('request', (request) => void (counted(request) && (inFlight += 1)));
    const settled = (request: import('playwright-core').Request) => void (counted(request) && (inFlight -= 1));
    page.on('requestfinished', settled);
    page.on('requestfailed', settled);
    await page.clock.pauseAt(fixtureTime + 15_000);
    const seen = new Set<string>();
    // every 5 s of the page's time, the worker's newest (made a second before)
    for (let t = fixtureTime + 15_000; t <= fixtureTime + 100_000; t += 5_000) {
      serveSnapshot(suite.server, at(t - 1_000));
      for (let step = 0; step < 5; step += 1) {
        await page.clock.runFor(1_000);
        await vi.waitFor(() => expect(inFlight).toBe(0));
        seen.add((await textOf(page, 'status')).split('\n')[0]!);
      }
    }
    expect([...seen]).toEqual(['Healthy']);
    expect(await page.getByTestId('stale-banner').count()).toBe(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('never goes back in time: an older snapshot served after a newer one is refused, with a note', async () => {
    serveSnapshot(suite.server, readFixture('failing'));
    const opened = await suite.open();
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);
    // a healthy copy made a minute before the one shown, and still within its own staleAfter
    serveSnapshot(suite.server, changed('healthy', (s) => Object.assign(s, { generatedAt: iso(fixtureTime - minute), dataAsOf: iso(fixtureTime - minute), staleAfter: iso(fixtureTime + 2 * minute) })));
    await page.clock.runFor(30_000);
    await expect.poll(() => page.getByTestId('refresh-note').count()).toBe(1);
    expect(await textOf(page, 'refresh-note')).toMatch(/: the server sent an older snapshot than the one shown \(a cache or a second worker\)\. Showing the last good data\.$/);
    expect(await textOf(page, 'status')).toMatch(/^Failing\n/);
    expect(await tab(page)).toEqual(['Failing · Governance status', '/favicon-failing.svg']);

    // the newer one again (or a newer still) is taken as usual
    serveSnapshot(suite.server, readFixture('failing'));
    await page.clock.runFor(30_000);
    await expect.poll(() => page.getByTestId('refresh-note').count()).toBe(0);
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });

  it('never takes its history back in time: an older history served after a newer one is not shown', async () => {
    serveFixture(suite.server, 'degraded');
    const opened = await suite.open();
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);
    const items = page.locator('ol.incidents > li');
    const listed = await items.count();
    expect(listed).toBeGreaterThan(0);
    // a cache's copy from ten minutes before, without the incidents, then a snapshot that makes the page ask again
    const history = JSON.parse(readHistory('degraded'));
    const older = { ...history, generatedAt: iso(Date.parse(history.generatedAt) - 10 * minute), incidents: [] };
    serveHistory(suite.server, JSON.stringify(older));
    serveSnapshot(suite.server, changed('degraded', (s) => Object.assign(s, { generatedAt: iso(Date.parse(s.generatedAt) + 5 * minute), staleAfter: iso(Date.parse(s.staleAfter) + 5 * minute), openIncidents: [] })));
    const asked = () => suite.server.requests.filter((request) => request.path === historyPath && request.status === 200).length;
    await advanceUntil(page, () => asked() >= 2);
    await page.clock.runFor(1_000);
    expect(await items.count()).toBe(listed);
    expect(listUnexpectedProblems(opened, historyPath)).toEqual([]);
  });

  it('stops vouching for a snapshot from a day ahead that stops changing, once its window has passed since it arrived', async () => {
    const ahead = fixtureTime + 24 * 60 * minute;
    serveSnapshot(suite.server, changed('healthy', (s) => Object.assign(s, { generatedAt: iso(ahead), dataAsOf: iso(ahead), staleAfter: iso(ahead + 3 * minute) })));
    const opened = await suite.open();
    const { page } = opened;
    expect(await textOf(page, 'status')).toMatch(/^Healthy\n/);
    // (polls in flight while the fake clock jumps time out: no matter, the file would be the same)
    await page.clock.runFor(4 * minute);
    await expect.poll(() => textOf(page, 'status')).toBe('Unknown\nlast known: Healthy, 4 minutes ago');
    expect(await textOf(page, 'stale-banner')).toBe('This data is 4 minutes old: the status worker may be down.');
    expect(await textOf(page, 'updated')).toMatch(/^Made 23 h \d+ min after now by the server's clock/);
    expect(await tab(page)).toEqual(['Unknown · Governance status', '/favicon-unknown.svg']);
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });

  it('never reads better than its own details: "healthy" with no credits and a failing charter is Failing', async () => {
    serveSnapshot(suite.server, changed('healthy', (s) => {
      s.reasons = [];
      Object.assign(s.credits, { balance: '0', balanceUsd: '0.00', health: 'red', runwayHours: 0 });
      s.charters[1].state = 'failing';
    }));
    const opened = await suite.open();
    const { page } = opened;
    expect(await textOf(page, 'status')).toBe('Failing\nThe file says Healthy, but its own details say otherwise: see the charters and credits below.');
    expect(await tab(page)).toEqual(['Failing · Governance status', '/favicon-failing.svg']);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it("never shows a charter better than its own last run, nor Degraded when every charter that should run is down", async () => {
    serveSnapshot(suite.server, changed('healthy', (s) => {
      s.reasons = [];
      s.charters[1].lastRun.status = 'error';
    }));
    const opened = await suite.open();
    const { page } = opened;
    expect(await textOf(page, 'status')).toBe('Degraded\nThe file says Healthy, but its own details say otherwise: see the charters and credits below.');
    await expect.poll(() => page.locator('li[data-charter="Community"] .state').innerText()).toBe('Failing');
    expect(await page.locator('li[data-charter="Engineering"] .state').innerText()).toMatch(/^OK/);

    // every charter with expectations failing, the file saying only Degraded: the worker's rule says Failing
    serveSnapshot(suite.server, changed('healthy', (s) => {
      s.status = 'degraded';
      s.reasons = [];
      for (const charter of s.charters) if (charter.state === 'ok') charter.state = 'failing';
    }));
    await page.clock.runFor(30_000);
    await expect.poll(() => textOf(page, 'status')).toBe('Failing\nThe file says Degraded, but its own details say otherwise: see the charters and credits below.');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it("never shows credit figures better than its balance and spend: no \"$0.00\" under a large balance, no weeks of runway at a burn that spends it within the hour", async () => {
    serveSnapshot(suite.server, changed('healthy', (s) => {
      s.reasons = [];
      // 1e10 credits ($1,000.00) spending 2.4e11 a day: one hour left, stated as 16 weeks, green, $0.00
      Object.assign(s.credits, { balance: '10000000000', balanceUsd: '0.00', spentLast24h: '240000000000', burnPerHour: '1', runwayHours: 2756.2, health: 'green' });
    }));
    const opened = await suite.open();
    const { page } = opened;
    expect(await textOf(page, 'status')).toBe('Failing\nThe file says Healthy, but its own details say otherwise: see the charters and credits below.');
    await expect.poll(() => page.getByTestId('balance').count()).toBe(1);
    expect(await textOf(page, 'balance')).toMatch(/^\$1,000\.00/);
    expect(await textOf(page, 'burn')).toMatch(/^10,000,000,000 credits/);
    expect(await textOf(page, 'runway')).toMatch(/^about 1 hour left/);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each([
    ['/', 'The worker could not update governance-history.json, governance-badge.svg since Nov 21, 06:00 EST: the history, feeds or badges drawn from them may be behind.'],
    ['/de/', 'Der Worker konnte governance-history.json, governance-badge.svg seit 21. Nov., 06:00 GMT-5 nicht aktualisieren: Verlauf, Feeds oder Badges daraus sind womöglich veraltet.'],
  ])('on %s names the side files the worker could not update, and since when', async (path, words) => {
    serveSnapshot(suite.server, changed('healthy', (s) => {
      s.filesBehind = [
        { name: 'governance-history.json', since: '2026-11-21T11:00:00.000Z' },
        { name: 'governance-badge.svg', since: '2026-11-21T11:30:00.000Z' },
      ];
    }));
    const opened = await suite.open({ path });
    expect(await textOf(opened.page, 'files-behind')).toBe(words);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});
