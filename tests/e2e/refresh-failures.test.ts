// A refresh that fails in any way keeps the last good data on screen, says since when and why, and
// clears the note once a refresh succeeds again.
import { describe, expect, it } from 'vitest';
import {
  fixtureTime,
  listUnexpectedProblems,
  readFixture,
  saveScreenshot,
  serveSnapshot,
  snapshotPath,
  textOf,
  type OpenedPage,
  usePageSuite,
} from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

function mismatchedSnapshot(): string {
  const snapshot = JSON.parse(readFixture('healthy'));
  snapshot.credits.balance = 12.5;
  return JSON.stringify(snapshot);
}

const failures = [
  {
    name: 'a 500 answer',
    breakServer: () => serveSnapshot(suite.server, 'internal error\n', 500),
    reason: 'the server answered 500',
  },
  {
    name: 'invalid JSON',
    breakServer: () => serveSnapshot(suite.server, '{"schemaVersion": 1, "status": '),
    reason: 'the answer is not valid JSON',
  },
  {
    name: 'a contract mismatch',
    breakServer: () => serveSnapshot(suite.server, mismatchedSnapshot()),
    reason: 'the data does not match the contract at credits.balance (invalid_type)',
  },
  {
    name: 'a file past its bound',
    // a valid snapshot padded past limits.snapshotBytes: the worker never publishes one
    breakServer: () => serveSnapshot(suite.server, readFixture('healthy') + ' '.repeat(262_144)),
    reason: 'the file is larger than its bound of 262144 bytes',
  },
  {
    name: 'a failed request',
    breakServer: (page: OpenedPage['page']) => page.route(`**${snapshotPath}`, (route) => route.abort('connectionrefused')),
    reason: 'the request failed (network error)',
  },
];

describe('a failed refresh', () => {
  it.each(failures)('after $name keeps the last data and shows the note', async ({ name, breakServer, reason }) => {
    serveSnapshot(suite.server, readFixture('degraded'));
    opened = await suite.open();
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);
    // The last good data arrived at about 12:00:40Z, 07:00 in New York.
    await breakServer(page);
    await page.clock.runFor(30_000);
    await expect.poll(() => page.getByTestId('refresh-note').count()).toBe(1);
    expect(await textOf(page, 'refresh-note')).toBe(`Could not refresh since Nov 21, 07:00 EST: ${reason}. Showing the last good data.`);
    expect(await page.getByTestId('status').innerText()).toContain('Degraded');
    expect(await textOf(page, 'balance')).toContain('$18,750.00');
    expect(await page.locator('li[data-charter]').count()).toBe(5);
    expect(await page.locator('[data-run="community-20261121T112000"]').count()).toBe(1);
    await saveScreenshot(page, `refresh-failed-${name.replaceAll(' ', '-')}`);

    // The next good answer clears the note. One failure means the retry comes after 30 s.
    await page.unrouteAll();
    serveSnapshot(suite.server, readFixture('healthy'));
    await page.clock.runFor(30_000);
    await expect.poll(() => page.getByTestId('status').innerText()).toContain('Healthy');
    expect(await page.getByTestId('refresh-note').count()).toBe(0);
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });

  it('before any data says it could not load, keeps the placeholders, and recovers', async () => {
    serveSnapshot(suite.server, 'bad gateway\n', 502);
    opened = await suite.open({ noWait: true });
    const { page } = opened;
    await expect.poll(() => page.getByTestId('refresh-note').count()).toBe(1);
    expect(await textOf(page, 'refresh-note')).toBe('Could not load the status: the server answered 502. Retrying.');
    expect(await page.locator('.island').getAttribute('aria-busy')).toBe('true');
    // Only the headline stands, above the reserved space, until there is data to show.
    expect(await page.locator('.placeholder').count()).toBe(2);
    expect(await page.getByTestId('balance').count()).toBe(0);
    await saveScreenshot(page, 'first-load-failed');

    serveSnapshot(suite.server, readFixture('degraded'));
    await page.clock.runFor(30_000);
    await page.locator('.island[aria-busy="false"]').waitFor();
    expect(await page.getByTestId('refresh-note').count()).toBe(0);
    expect(await textOf(page, 'balance')).toContain('$18,750.00');
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });
});
