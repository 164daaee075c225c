// The operators' notes (tests/fixtures/notes/, built into the site by `npm run test:e2e`): static
// HTML in their own list, linked from the incidents they belong to and back, reachable from a feed
// entry's link, rendered from Markdown without any HTML of their author, and without JavaScript.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GovernanceHistory } from '../../shared/contract.ts';
import { distDir, listUnexpectedProblems, readHistory, saveScreenshot, serveFixture, type OpenedPage, usePageSuite } from './page-harness.ts';

const suite = usePageSuite();
let opened: OpenedPage | undefined;

const anchorOf = (id: string) => `incident-${encodeURIComponent(id)}`;
const postMortem = 'governance:engineering@2026-11-02T03:00:00.000Z';

/** Each incident's links to notes, and the notes of the page's list. */
function readNotes(page: OpenedPage['page']) {
  return page.evaluate(() => ({
    inIncidents: [...document.querySelectorAll('li.incident')].flatMap((incident) =>
      [...incident.querySelectorAll('a[href^="#note-"]')].map((link) => `${incident.id} ${link.getAttribute('href')} ${link.textContent}`),
    ),
    listed: [...document.querySelectorAll<HTMLElement>('[data-note]')].map((note) => note.querySelector('h3')!.textContent),
  }));
}

describe('operator notes', () => {
  it('are linked from the incidents they belong to, by id or by a span, and all stay in their own list', async () => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open();
    const { page } = opened;
    const listed = ['The morning without credits', 'A note that tries too much', "Post-mortem: Engineering and the provider's rate limits"];
    expect(await readNotes(page)).toEqual({
      inIncidents: [`${anchorOf(postMortem)} #note-rate-limits-november Post-mortem: Engineering and the provider's rate limits`],
      listed,
    });
    // From the incident to its note, and back.
    await page.locator(`id=${anchorOf(postMortem)}`).getByRole('link').click();
    expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe('note-rate-limits-november');
    const note = page.locator('#note-rate-limits-november');
    expect(await note.locator('.note-body h4').innerText()).toBe('What we changed');
    await note.getByRole('link', { name: /^About the incident/ }).click();
    expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe(anchorOf(postMortem));

    // A note naming a span and no charter belongs to every incident in it. (The tab's icon and the
    // record's bundle are fetched after the first render: the navigation must not cut them short.)
    await page.waitForLoadState('networkidle');
    serveFixture(suite.server, 'failing');
    await page.goto(`${suite.server.url}/`);
    await page.locator('ol.incidents').first().waitFor();
    const failing = JSON.parse(readHistory('failing')) as GovernanceHistory;
    // The charters' three open incidents and the system's credit outage, which began in the span too.
    const morning = [...failing.incidents.filter((incident) => incident.resolvedAt === null), ...(failing.statusIncidents ?? []).filter((incident) => incident.code === 'credits_exhausted')].map((incident) => incident.id);
    expect(morning).toHaveLength(4);
    expect(await readNotes(page)).toEqual({
      inIncidents: [
        ...morning.map((id) => `${anchorOf(id)} #note-credits-outage-morning The morning without credits`),
        `${anchorOf(postMortem)} #note-rate-limits-november Post-mortem: Engineering and the provider's rate limits`,
      ],
      listed,
    });
    await saveScreenshot(page, 'notes-failing-1280');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it("are one link away from a feed entry's link to their incident, deep in the history too", async () => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open();
    const { page } = opened;
    await page.goto(`${suite.server.url}/#${anchorOf(postMortem)}`);
    await page.locator('.island[aria-busy="false"]').waitFor();
    const incident = page.locator(`id=${anchorOf(postMortem)}`);
    await expect.poll(() => incident.evaluate((li) => li.getBoundingClientRect().top >= -1 && li.getBoundingClientRect().bottom <= innerHeight + 1)).toBe(true);
    expect(await incident.getByRole('link').getAttribute('href')).toBe('#note-rate-limits-november');
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('are Markdown only: the HTML of a note is text, its links run nothing, and nothing is fetched for it', async () => {
    serveFixture(suite.server, 'degraded');
    opened = await suite.open();
    const { page } = opened;
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const hostile = page.locator('[data-note="hostile-note"]');
    expect(await hostile.innerText()).toContain('Raw HTML stays text: <script>window.__hostile = 4</script> and <img src="x" onerror="window.__hostile = 5">.');
    const injected = await page.locator('section.notes').evaluate((notes) =>
      [...notes.querySelectorAll('*')]
        .filter((element) => /^(script|img|iframe|object|embed|style|div)$/i.test(element.tagName) && !element.classList.contains('note-body'))
        .concat([...notes.querySelectorAll('*')].filter((element) => [...element.attributes].some((attribute) => /^on/i.test(attribute.name))))
        .map((element) => element.outerHTML),
    );
    expect(injected).toEqual([]);
    expect(await hostile.locator('.note-body a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([null, null, 'https://tracker.example/pixel.png']);
    await hostile.locator('a', { hasText: 'link that runs code' }).click();
    expect(await page.evaluate(() => (window as unknown as { __hostile?: unknown }).__hostile)).toBeUndefined();
    expect(dialogs).toEqual([]);
    // The picture from elsewhere is a link, never a request (listUnexpectedProblems counts third-party requests).
    expect(listUnexpectedProblems(opened)).toEqual([]);
  });

  it('add no JavaScript: the site built without them loads the same scripts', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'no-notes-'));
    const outDir = join(empty, 'site');
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        // Built as `npm run test:e2e` built the site under test: not in the test runner's mode.
        const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV' && !name.startsWith('VITEST')));
        const child = spawn('npm', ['run', 'build', '--', '--outDir', outDir], { env: { ...env, GOVERNANCE_NOTES_DIR: empty }, stdio: 'ignore' });
        child.once('error', reject);
        child.once('exit', resolve);
      });
      expect(code).toBe(0);
      const scripts = async (root: string) => {
        const files = (await readdir(join(root, '_astro'))).filter((name) => name.endsWith('.js')).sort();
        const html = await readFile(join(root, 'index.html'), 'utf8');
        return { files, tags: [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[0]) };
      };
      const [withNotes, without] = await Promise.all([scripts(distDir), scripts(outDir)]);
      expect((await readFile(join(distDir, 'index.html'), 'utf8')).match(/data-note=/g)).toHaveLength(3);
      expect(withNotes).toEqual(without);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
