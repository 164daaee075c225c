// The headline tells the truth: the status in words with its most severe reason, every other reason
// under it, the tab's title and favicon following it; Unknown and neutral once the data is stale;
// an older file renders with the status it carries; strings from the data stay inert text.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
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
  type FixtureName,
  type OpenedPage,
  usePageSuite,
} from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

/** Hostile strings as a page fixture states them; the worker's own output of hostile rows is tested below too. */
const hostileFixture: FixtureName = 'hostile-page';

const reasonTexts = (name: FixtureName) => (JSON.parse(readFixture(name)) as { reasons: { text: string }[] }).reasons.map((reason) => reason.text);

async function readTabIcon(page: Page): Promise<{ href: string; type: string | null; status: number }> {
  const href = await page.locator('link[rel="icon"]').evaluate((link) => (link as HTMLLinkElement).href);
  const response = await fetch(href);
  return { href: new URL(href).pathname, type: response.headers.get('content-type'), status: response.status };
}

/**
 * Every text node and every attribute value of the document, the title included; not the island's
 * props, which carry the contract's schema (its list of statuses) as data for the page's script.
 */
function readAllWords(page: Page): Promise<string> {
  return page.evaluate(() =>
    [
      document.documentElement.textContent ?? '',
      ...[...document.querySelectorAll('*')].flatMap((element) => [...element.attributes].filter((a) => a.name !== 'data-props').map((a) => a.value)),
    ].join('\n'),
  );
}

/**
 * Elements showing a status colour of the current scheme (the --good, --warn, --bad tokens and their
 * backgrounds, as :root defines them), in any colour property or gradient, or carrying a tone class.
 */
function findStatusColours(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const probe = document.createElement('span');
    document.body.append(probe);
    const root = getComputedStyle(document.documentElement);
    const palette = ['--good', '--good-bg', '--warn', '--warn-bg', '--bad', '--bad-bg'].map((token) => {
      probe.style.color = root.getPropertyValue(token).trim();
      return { token, rgb: getComputedStyle(probe).color };
    });
    probe.remove();
    const properties = ['color', 'background-color', 'background-image', 'border-top-color', 'border-right-color', 'border-bottom-color',
      'border-left-color', 'outline-color', 'fill', 'stroke', 'box-shadow', 'text-decoration-color'];
    const found: string[] = [];
    for (const element of document.querySelectorAll('body, body *')) {
      const style = getComputedStyle(element);
      const describe = `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`;
      for (const property of properties) {
        const value = style.getPropertyValue(property);
        for (const { token, rgb } of palette) if (value.includes(rgb)) found.push(`${describe} ${property} ${token}`);
      }
      if (/\btone-(box-)?(good|warn|bad)\b/.test(element.className.toString())) found.push(`${describe} has a tone class`);
    }
    return found;
  });
}

describe('the headline', () => {
  it('says Failing with its most severe reason, lists every other reason, and the tab says so too', async () => {
    serveFixture(suite.server, 'failing');
    opened = await suite.open();
    const { page } = opened;
    const [first, ...rest] = reasonTexts('failing');
    // The system's reason says since when: the start of its incident.
    expect(await textOf(page, 'status')).toBe(`Failing\n${first} Since Nov 21, 01:58 EST.`);
    expect(first).toBe('The system account has no credits left (balance 0): scheduled runs cannot be paid for.');
    // With the credits gone the worker does not add "The balance pays for no more runs." (the same fact).
    const listed = rest;
    expect(listed).not.toContain('The balance pays for no more runs.');
    expect(await page.getByTestId('reasons').locator('li').allInnerTexts()).toEqual([
      `Failing ${listed[0]}`,
      ...listed.slice(1).map((text) => `Degraded ${text}`),
    ]);
    expect(listed).toContain('Engineering has failed 21 runs in a row since 07:00 UTC: insufficient_credits');
    // Severity in words and an icon of its own shape, never colour alone.
    expect(await page.getByTestId('reasons').locator('li .icon').evaluateAll((icons) => icons.map((icon) => icon.getAttribute('class')))).toEqual([
      'icon icon-bad', 'icon icon-warn', 'icon icon-warn', 'icon icon-warn',
    ]);
    const shapes = await page.getByTestId('reasons').locator('li .icon').evaluateAll((icons) => icons.map((icon) => getComputedStyle(icon).maskImage));
    expect(shapes[0]).toMatch(/^url\("data:image\/svg\+xml/);
    expect(shapes[0]).not.toBe(shapes[1]);
    expect(await page.locator('.headline').getAttribute('class')).toBe('headline tone-box-bad');
    expect(await page.title()).toBe('Failing · Governance status');
    expect(await readTabIcon(page)).toEqual({ href: '/favicon-failing.svg', type: 'image/svg+xml', status: 200 });
    await saveScreenshot(page, 'failing-1280');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each([
    ['degraded', 'Degraded', 'warn'],
    ['healthy', 'Healthy', 'good'],
  ] as const)('follows a %s snapshot in words, title and favicon', async (name, word, tone) => {
    serveFixture(suite.server, name);
    opened = await suite.open();
    const { page } = opened;
    const reasons = reasonTexts(name);
    const detail = name === 'healthy' ? 'The charters that run do so on schedule; see the notices below.' : reasons[0];
    expect(await textOf(page, 'status')).toBe(`${word}\n${detail}`);
    // A healthy status still lists its notices; a degraded one every reason but the headline's.
    const listed = name === 'healthy' ? reasons : reasons.slice(1);
    expect(await page.getByTestId('reasons').locator('li > span:last-child').allInnerTexts()).toEqual(listed);
    expect(await page.locator('.headline').getAttribute('class')).toBe(`headline tone-box-${tone}`);
    expect(await page.title()).toBe(`${word} · Governance status`);
    expect((await readTabIcon(page)).href).toBe(`/favicon-${name}.svg`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it.each(['degraded', 'failing', hostileFixture] as const)('never says Healthy anywhere while a %s reason stands', async (name) => {
    serveSnapshot(suite.server, readFixture(name));
    serveHistory(suite.server, readHistory(name === hostileFixture ? 'hostile-page' : name));
    opened = await suite.open();
    const severities = (JSON.parse(readFixture(name)) as { reasons: { severity: string }[] }).reasons.map((reason) => reason.severity);
    expect(severities.some((severity) => severity !== 'notice')).toBe(true);
    expect(await readAllWords(opened.page)).not.toMatch(/healthy/i);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('says Loading until the first snapshot, then follows it', async () => {
    serveFixture(suite.server, 'degraded');
    let release = () => {};
    const held = new Promise<void>((done) => (release = done));
    opened = await suite.open({ noWait: true });
    const { page } = opened;
    await page.route(`**${snapshotPath}`, async (route) => {
      await held;
      await route.continue();
    });
    await page.reload();
    await expect.poll(() => page.title()).toBe('Loading · Governance status');
    expect(await textOf(page, 'status')).toBe('Loading\nFetching the latest snapshot.');
    expect((await readTabIcon(page)).href).toBe('/favicon-loading.svg');
    release();
    await expect.poll(() => page.title()).toBe('Degraded · Governance status');
    expect((await readTabIcon(page)).href).toBe('/favicon-degraded.svg');
  });

  it('says Unknown when the first snapshot cannot be loaded', async () => {
    serveSnapshot(suite.server, 'bad gateway\n', 502);
    opened = await suite.open({ noWait: true });
    const { page } = opened;
    await expect.poll(() => page.title()).toBe('Unknown · Governance status');
    expect(await textOf(page, 'status')).toBe('Unknown\nThe status could not be loaded.');
    expect((await readTabIcon(page)).href).toBe('/favicon-unknown.svg');
    expect(listUnexpectedProblems(opened, snapshotPath)).toEqual([]);
  });
});

describe('stale data', () => {
  it.each(['light', 'dark'] as const)('reads Unknown in a neutral tone with no status colour anywhere (%s)', async (colorScheme) => {
    serveFixture(suite.server, 'failing');
    // staleAfter is 12:03:30Z; 14 minutes after the snapshot the page no longer vouches for it.
    opened = await suite.open({ colorScheme, time: fixtureTime + 14 * 60_000 + 5_000 });
    const { page } = opened;
    await expect.poll(() => textOf(page, 'status')).toBe('Unknown\nlast known: Failing, 14 minutes ago');
    expect(await textOf(page, 'stale-banner')).toBe('This data is 14 minutes old: the status worker may be down.');
    expect(await page.locator('.headline').getAttribute('class')).toBe('headline tone-box-neutral');
    expect(await page.locator('.island').getAttribute('class')).toBe('island stale');
    expect(await findStatusColours(page)).toEqual([]);
    expect(await page.title()).toBe('Unknown · Governance status');
    expect((await readTabIcon(page)).href).toBe('/favicon-unknown.svg');
    // The last known reasons stay readable, in words.
    expect(await page.getByTestId('reasons').locator('li > span:last-child').allInnerTexts()).toEqual(
      reasonTexts('failing').filter((text) => text !== 'The balance pays for no more runs.'),
    );
    await saveScreenshot(page, `stale-1280-${colorScheme}`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('turns the colour back on when a fresh snapshot arrives', async () => {
    serveFixture(suite.server, 'failing');
    opened = await suite.open({ time: fixtureTime + 14 * 60_000 });
    const { page } = opened;
    await expect.poll(() => page.title()).toBe('Unknown · Governance status');
    const fresh = JSON.parse(readFixture('failing'));
    fresh.generatedAt = new Date(fixtureTime + 14 * 60_000).toISOString();
    fresh.staleAfter = new Date(fixtureTime + 17 * 60_000).toISOString();
    serveSnapshot(suite.server, JSON.stringify(fresh));
    await page.clock.runFor(30_000);
    await expect.poll(() => page.title()).toBe('Failing · Governance status');
    expect(await page.locator('.island').getAttribute('class')).toBe('island');
    expect((await findStatusColours(page)).length).toBeGreaterThan(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});

describe('a snapshot of the first release', () => {
  it('renders with the status it carries, without the fields it does not have', async () => {
    serveSnapshot(suite.server, readFixture('legacy-v1'));
    serveHistory(suite.server, 'not found\n', 404);
    opened = await suite.open();
    const { page } = opened;
    expect(await textOf(page, 'status')).toBe('Degraded\nSomething needs attention: see the details below.');
    expect(await page.getByTestId('reasons').count()).toBe(0);
    expect(await page.title()).toBe('Degraded · Governance status');
    expect(await page.locator('li[data-charter]').count()).toBe(5);
    // No judged state or counts in this file: those fields are left out, the rest is shown.
    const fields = await page.locator('li[data-charter="Engineering"] dt').allInnerTexts();
    expect(fields).toEqual(['Schedule', 'Next run', 'Last finished', 'Last success', 'Last 24 h']);
    // but a state its facts imply by the worker's rules is shown (shared/snapshot-trust.ts readerCharterState):
    // Engineering's last run failed, Treasury's time zone does not parse; Community's last run succeeded
    expect(await page.locator('li[data-charter="Engineering"] h3').innerText()).toBe('Engineering\nFailing');
    expect(await page.locator('li[data-charter="Treasury"] h3').innerText()).toBe('Treasury\nSchedule broken');
    expect(await page.locator('li[data-charter="Community"] h3').innerText()).toBe('Community');
    expect(await page.locator('li[data-charter="Govern"] h3').innerText()).toBe('Govern\nPaused');
    expect((await page.locator('li[data-charter="Treasury"] dd').first().innerText()).replace(/\u00a0/g, ' ')).toBe(
      '0 */6 * * * · Mars/Olympus_Mons (Unknown time zone)',
    );
    // Its failed runs carry no charter id: they are found by the charter's name.
    expect(await page.locator('li[data-charter="Engineering"] details.runs summary').innerText()).toBe('3 failed runs listed');
    expect(await page.getByTestId('forecast').count()).toBe(0);
    expect(await page.locator('section[aria-labelledby="incidents-heading"] .empty').innerText()).toBe(
      'The history could not be loaded: the server answered 404.',
    );
    await saveScreenshot(page, 'legacy-v1-1280');
    expect(listUnexpectedProblems(opened, historyPath)).toEqual([]);
  });
});

describe('strings from the data', () => {
  it.each([hostileFixture, 'hostile'] as const)('are shown as inert text: no markup runs, no element is injected (%s)', async (fixture) => {
    const snapshot = JSON.parse(readFixture(fixture));
    serveSnapshot(suite.server, JSON.stringify(snapshot));
    serveHistory(suite.server, readHistory('hostile-page'));
    opened = await suite.open();
    const { page } = opened;
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.clock.runFor(2_000);

    const shown = await page.locator('.island').evaluate((island) => island.textContent ?? '');
    const strings: string[] = [
      ...snapshot.charters.map((charter: { name: string }) => charter.name),
      ...snapshot.reasons.map((reason: { text: string }) => reason.text),
      ...snapshot.failedRuns.flatMap((run: { errorCode: string | null; errorMessage: string | null }) => [run.errorCode, run.errorMessage]),
      ...snapshot.recentRuns.map((run: { title: string | null }) => run.title),
    ].filter((text): text is string => typeof text === 'string');
    expect(strings.some((text) => /[<>]/.test(text))).toBe(true);
    for (const text of strings) expect(shown).toContain(text);

    const injected = await page.locator('.island').evaluate((island) =>
      [...island.querySelectorAll('script, img, iframe, object, embed, b, [onerror], [onclick], a[href^="javascript"]')].map((e) => e.outerHTML),
    );
    expect(injected).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __hostile?: unknown }).__hostile)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await saveScreenshot(page, `${fixture}-1280`);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});
