// The page in each of its languages (site/i18n/): one static page per locale, its words and formats
// the page's own whatever the browser's language, a link to the other language, axe clean, and the
// reader's choice of time zone for every time, remembered across visits.
import { describe, expect, it } from 'vitest';
import { findAxeViolations, listUnexpectedProblems, saveScreenshot, serveFixture, type OpenedPage, usePageSuite } from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

const locales = [
  {
    path: '/',
    lang: 'en',
    link: { hreflang: 'de', lang: 'de', href: '/de/', text: 'Deutsch' },
    word: 'Degraded',
    headings: ['Charters', 'Credits', 'Usage', 'Incidents, last 90 days', 'Latest threads'],
    words: ['Next run', 'Last finished', 'Balance', 'Runway', 'Burn per hour'],
    balance: /^\$\d{1,3}(,\d{3})*\.\d\d/,
  },
  {
    path: '/de/',
    lang: 'de',
    link: { hreflang: 'en', lang: 'en', href: '/', text: 'English' },
    word: 'Beeinträchtigt',
    headings: ['Charters', 'Guthaben', 'Verbrauch', 'Vorfälle der letzten 90 Tage', 'Neueste Threads'],
    words: ['Nächster Lauf', 'Zuletzt beendet', 'Guthaben', 'Reichweite', 'Verbrauch pro Stunde', 'Tag für Tag'],
    balance: /^\d{1,3}(\.\d{3})*,\d\d\s\$/,
  },
] as const;

/** English words of the page that a German page must not show (the fixtures' own names and titles are data, not words of the page). */
const englishLeftovers = /\b(Degraded|Healthy|Failing|succeeded|Next run|Last finished|Last success|ago|Spent per|Incidents|Latest threads|Balance|Runway|credits|since|missed|failed|Open incidents)\b/;

const island = '.island';
const readHeadings = (opened: OpenedPage) => opened.page.locator(`${island} section > h2:not(.visually-hidden)`).allInnerTexts();

describe('the page in each language', () => {
  it.each(locales.flatMap((locale) => [360, 1280].map((width) => ({ ...locale, width }))))(
    'renders the fixtures in $lang at $width px, whatever the browser speaks',
    async ({ path, lang, link, word, headings, words, balance, width }) => {
      serveFixture(suite.server, 'degraded');
      // The browser speaks American English in Berlin: the page's words and formats are its own.
      opened = await suite.open({ path, viewport: { width, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
      const { page } = opened;
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.locator('.status-word').innerText()).toBe(word);
      expect(await readHeadings(opened)).toEqual(headings);
      const text = await page.locator(island).innerText();
      for (const expected of words) expect(text).toContain(expected);
      if (lang === 'de') {
        const headline = await page.getByTestId('status').innerText();
        const sections = await page.locator(`${island} section`).allInnerTexts();
        expect([headline, ...sections].map((part) => part.match(englishLeftovers)?.[0] ?? null)).toEqual(sections.map(() => null).concat(null));
      }
      expect(await page.getByTestId('balance').locator('.figure').innerText()).toMatch(balance);
      const other = page.locator('nav.languages a');
      expect(await other.evaluateAll((links) => links.map((a) => [a.getAttribute('hreflang'), a.getAttribute('lang'), a.getAttribute('href'), a.textContent]))).toEqual([
        [link.hreflang, link.lang, link.href, link.text],
      ]);
      // nothing scrolls sideways on a phone
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      await saveScreenshot(page, `locale-${lang}-${width}`);
      expect(listUnexpectedProblems(opened)).toEqual([]);
    },
  );

  it('builds one page per locale, each with only its own words', async () => {
    const english = await (await fetch(`${suite.server.url}/`)).text();
    const german = await (await fetch(`${suite.server.url}/de/`)).text();
    expect(german).toContain('<html lang="de">');
    expect(german).toContain('Zum Status springen');
    expect(german).not.toContain('Skip to the status');
    expect(english).toContain('<html lang="en">');
    expect(english).not.toContain('Zum Status springen');
    // the same script for both: the words are data in the HTML
    const scripts = (html: string) => [...html.matchAll(/<script[^>]*src="([^"]+)"/g)].map((match) => match[1]);
    expect(scripts(german)).toEqual(scripts(english));
  });

  it.each(locales.flatMap((locale) => (['light', 'dark'] as const).map((colorScheme) => ({ ...locale, colorScheme }))))(
    'axe finds no violations in $lang, $colorScheme',
    async ({ path, colorScheme }) => {
      serveFixture(suite.server, 'degraded');
      opened = await suite.open({ path, colorScheme });
      expect(await findAxeViolations(opened.page)).toEqual([]);
      expect(listUnexpectedProblems(opened)).toEqual([]);
    },
  );
});

/** The texts of every time of day on the page (relative times, "3 h ago", name no zone: their title does). */
const readTimesOfDay = (opened: OpenedPage) =>
  opened.page.locator(`${island} time`).evaluateAll((times) => times.map((time) => time.textContent ?? '').filter((text) => /\d\d:\d\d/.test(text)));

describe('the choice of time zone', () => {
  it.each([
    { path: '/', timezoneId: 'America/New_York', own: 'EST', zones: / (EST|EDT)$/, label: 'your time (EST)', since: 'Nov 21, 06:40 EST', utc: 'Nov 21, 11:40 UTC', funding: null },
    // German words the funding forecast from its figures, so its end follows the choice too (English shows the worker's text, in UTC).
    { path: '/de/', timezoneId: 'Europe/Berlin', own: 'MEZ', zones: / (MEZ|MESZ)$/, label: 'Ortszeit (MEZ)', since: '21. Nov., 12:40 MEZ', utc: '21. Nov., 11:40 UTC', funding: ['bis So, 05:30 MEZ', 'bis So, 04:30 UTC'] },
  ])('switches every time between $own and UTC, names the zone beside each, and remembers the choice ($path)', async ({ path, timezoneId, zones, label, since, utc, funding }) => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open({ path, timezoneId });
    const { page } = opened;
    const choice = page.getByTestId('time-zone');
    const community = page.locator('[data-charter="Community"] .state time');
    // The reader's own zone by default, named.
    expect(await choice.inputValue()).toBe('local');
    expect(await choice.locator('option').first().innerText()).toBe(label);
    expect(await community.innerText()).toBe(since);
    const before = await readTimesOfDay(opened);
    expect(before.length).toBeGreaterThan(5);
    // (summer times of the 90 days are in summer time, named as such)
    expect(before.filter((text) => !zones.test(text))).toEqual([]);
    const reasons = page.getByTestId('reasons');
    if (funding) expect(await reasons.innerText()).toContain(funding[0]);

    await choice.selectOption('UTC');
    await expect.poll(() => community.innerText()).toBe(utc);
    const after = await readTimesOfDay(opened);
    expect(after).toHaveLength(before.length);
    expect(after.filter((text) => !text.endsWith(' UTC'))).toEqual([]);
    if (funding) expect(await reasons.innerText()).toContain(funding[1]);

    // Remembered: the next visit opens in UTC.
    await page.reload();
    await page.locator('.island[aria-busy="false"]').waitFor();
    await expect.poll(() => community.innerText()).toBe(utc);
    expect(await choice.inputValue()).toBe('UTC');

    await choice.selectOption('local');
    await expect.poll(() => community.innerText()).toBe(since);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });
});
