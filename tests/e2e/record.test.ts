// The signed record in the page, at 1280 and 360 px: verified with the key the page was built with
// (tests/fixtures/record/test-signing-key.json, pinned by `npm run test:e2e`), a day altered (the line
// names it and the headline box turns red), a record signed by another key, an unsigned record (a
// failure under a pinned key, "Not signed" on a page built without one), no record yet (on a page
// built without a key; with one, a snapshot with no record and no signature is a failure).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { archiveRecentFileName } from '../../shared/archive-files.ts';
import { testSigner } from '../fixtures/record-fixture-builder.ts';
import { fixtureTime, listUnexpectedProblems, readFixture, readHistory, recordPath, saveScreenshot, serveHistory, servePages, serveSnapshot, textOf as textWithIcon, usePageSuite } from './page-harness.ts';

const suite = usePageSuite(() => readFixture('healthy'), { pinned: true });
const pinned = JSON.parse(readFileSync(new URL('../fixtures/record/test-signing-key.json', import.meta.url), 'utf8')) as { kid: string };
const readRecord = (name: 'healthy' | 'other-key' | 'unsigned') => JSON.parse(readFileSync(new URL(`../fixtures/record/${name}.json`, import.meta.url), 'utf8')) as Record<string, string>;

/** Serves a record's files (and no snapshot signature when it has none). */
function serveRecord(files: Record<string, string>) {
  suite.server.clearResponse('/governance-status.json.jws');
  for (const [name, body] of Object.entries(files)) suite.server.setResponse(`/${name}`, { body, contentType: 'application/json; charset=utf-8' });
}

const widths = [1280, 360] as const;
const textOf: typeof textWithIcon = async (page, testId) => (await textWithIcon(page, testId)).trim();

async function openAt(width: number, history = readHistory('healthy')) {
  serveHistory(suite.server, history);
  const opened = await suite.open({ viewport: { width, height: 900 } });
  await opened.page.getByTestId('record').filter({ hasNotText: 'Checking' }).waitFor();
  return opened;
}

const boxIsBroken = (opened: Awaited<ReturnType<typeof openAt>>) => opened.page.locator('section.headline').evaluate((box) => box.classList.contains('record-broken'));

describe('the signed record', () => {
  it.each(widths)('verifies with the pinned key and says so (%i px)', async (width) => {
    serveRecord(readRecord('healthy'));
    const opened = await openAt(width);
    expect(await textOf(opened.page, 'record')).toBe(`Signed by key ${pinned.kid.slice(0, 8)}…: 89 days, chain intact.`);
    expect(await opened.page.getByTestId('record').getAttribute('class')).toContain('tone-good');
    expect(await boxIsBroken(opened)).toBe(false);
    expect(listUnexpectedProblems(opened)).toEqual([]);
    await saveScreenshot(opened.page, `record-verified-${width}`);
  });

  it.each(widths)('names the day that was altered, and the headline box is not green (%i px)', async (width) => {
    const files = readRecord('healthy');
    const bundle = JSON.parse(files[archiveRecentFileName]!);
    const day = bundle.days[60];
    expect(day.bytes).toMatch(/"succeeded":(\d+)/);
    day.bytes = day.bytes.replace(/"succeeded":(\d+)/, (_: string, count: string) => `"succeeded":${Number(count) + 1}`);
    serveRecord({ ...files, [archiveRecentFileName]: JSON.stringify(bundle) });
    const opened = await openAt(width);
    expect(await textOf(opened.page, 'status')).toMatch(/^Healthy/);
    expect(await textOf(opened.page, 'record')).toBe(`The published record does not verify: ${day.day} was altered.`);
    expect(await opened.page.getByTestId('record').getAttribute('class')).toContain('tone-bad');
    expect(await boxIsBroken(opened)).toBe(true);
    const colours = await opened.page.locator('section.headline').evaluate((box) => [getComputedStyle(box).borderTopColor, getComputedStyle(document.querySelector('.record-line')!).color]);
    expect(colours[0]).toBe(colours[1]);
    await saveScreenshot(opened.page, `record-tampered-${width}`);
  });

  it.each(widths)('fails a record signed by another key than the one pinned (%i px)', async (width) => {
    serveRecord(readRecord('other-key'));
    const opened = await openAt(width);
    expect(await textOf(opened.page, 'record')).toBe('The published record does not verify: it is signed by another key than the one this page was built with.');
    expect(await boxIsBroken(opened)).toBe(true);
    await saveScreenshot(opened.page, `record-other-key-${width}`);
  });

  it.each(widths)('says "Not signed" in a neutral tone on a page built without a key, and never "verified" (%i px)', async (width) => {
    serveRecord(readRecord('unsigned'));
    servePages(suite.server, false);
    try {
      const opened = await openAt(width);
      const line = await textOf(opened.page, 'record');
      expect(line).toMatch(/^Not signed/);
      expect(line).not.toMatch(/verif/i);
      expect(await opened.page.getByTestId('record').getAttribute('class')).toContain('tone-neutral');
      expect(await boxIsBroken(opened)).toBe(false);
      await saveScreenshot(opened.page, `record-unsigned-${width}`);
    } finally {
      servePages(suite.server, true);
    }
  });

  it('fails an unsigned record when the page pins a key: a stripped signature is no way around it', async () => {
    serveRecord(readRecord('unsigned'));
    const opened = await openAt(1280);
    expect(await textOf(opened.page, 'record')).toMatch(/^The published record does not verify: governance-archive\.json does not carry a valid signature/);
    expect(await boxIsBroken(opened)).toBe(true);
  });

  it("shows the signed figures of the days governance-history.json rewrote, and says the file differs from the record", async () => {
    serveRecord(readRecord('healthy'));
    // a history rewritten beside a valid record: every day green, its incidents gone
    const history = JSON.parse(readHistory('healthy')) as { days: Array<{ charters: Record<string, Record<string, number>> }>; incidents: unknown[] };
    for (const day of history.days.slice(0, -1)) for (const counts of Object.values(day.charters)) Object.assign(counts, { succeeded: counts.expected, failed: 0, skipped: 0, missed: 0 });
    history.incidents = [];
    const opened = await openAt(1280, JSON.stringify(history));
    const { page } = opened;
    // the days the record signed as failing are not shown green
    const engineering = page.locator('li[data-charter="Engineering"]');
    expect(await engineering.locator('.day[title^="2026-11-02 "]').getAttribute('class')).toBe('day day-some_failures');
    expect(await engineering.locator('details.day-list summary').innerText()).toBe('Day by day: 1 day with problems');
    expect((await page.locator('li[data-charter="Community"] [data-testid="history-summary"]').innerText()).replace(/\u00a0/g, ' ')).not.toMatch(/^100 % .* 100 % in 90/);
    // and the line says which file said otherwise
    expect(await textOf(page, 'record')).toBe(`Signed by key ${pinned.kid.slice(0, 8)}…: 89 days, chain intact. governance-history.json differs from it on 3 days, the latest 2026-11-02: the days shown are the signed ones.`);
    expect(await page.getByTestId('record').getAttribute('class')).toContain('tone-warn');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('shows the newer signed snapshot published between its poll and the record check, verified, never the one polled as verified', async () => {
    serveRecord(readRecord('healthy'));
    const opened = await openAt(1280);
    const { page } = opened;
    await page.clock.pauseAt(fixtureTime + 15_000);
    const base = JSON.parse(readFixture('healthy'));
    const later = (ms: number) => new Date(Date.parse(base.generatedAt) + ms).toISOString();
    const text = (generatedAt: number, balance: string) => `${JSON.stringify({ ...base, generatedAt: later(generatedAt), staleAfter: later(generatedAt + 180_000), credits: { ...base.credits, balance } }, null, 2)}\n`;
    // polled, then the worker writes a newer snapshot and its signature before the page asks for the signature
    const polled = text(30_000, '111111111111');
    const newer = text(45_000, '222222222222');
    const signer = testSigner();
    serveSnapshot(suite.server, polled);
    suite.server.setResponse('/governance-status.json.jws', {
      contentType: 'application/jose',
      get body() {
        serveSnapshot(suite.server, newer);
        return signer.sign(newer);
      },
    });
    await page.clock.runFor(30_000);
    // the page's effects run on animation frames: the paused clock is stepped while waiting
    const shown = async () => (await page.clock.runFor(100), page.locator('[data-testid="updated"] time').first().getAttribute('datetime'));
    await expect.poll(shown, { timeout: 15_000 }).toBe(later(45_000));
    await page.getByTestId('record').filter({ hasText: 'chain intact' }).waitFor();
    expect(await page.getByTestId('record').getAttribute('class')).toContain('tone-good');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says there is no record yet, neutrally, where nothing is archived nor signed and the page pins no key', async () => {
    suite.server.clearResponse(recordPath);
    suite.server.clearResponse('/governance-status.json.jws');
    serveSnapshot(suite.server, readFixture('healthy'));
    servePages(suite.server, false);
    try {
      const opened = await openAt(1280);
      expect(await textOf(opened.page, 'record')).toBe('No day archived or signed yet.');
      expect(await boxIsBroken(opened)).toBe(false);
    } finally {
      servePages(suite.server, true);
    }
  });

  it('fails a snapshot whose signature is gone with recent.json, when the page pins a key: a deleted bundle turns no check off', async () => {
    suite.server.clearResponse(recordPath);
    suite.server.clearResponse('/governance-status.json.jws');
    serveSnapshot(suite.server, readFixture('healthy'));
    const opened = await openAt(1280);
    expect(await textOf(opened.page, 'record')).toBe('The published record does not verify: governance-status.json does not carry a valid signature.');
    expect(await boxIsBroken(opened)).toBe(true);
  });
});
