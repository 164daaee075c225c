// A part of the island that throws while it renders (site/components/contained.tsx): it says so in its
// place, the rest of the page stays, and nothing loops. Before, one such throw (Intl on a day that
// does not exist, on the German page) blanked every card and left the island's effects uncommitted,
// so each render ran the record's check again: governance-archive/recent.json ~70 times a second.
import { describe, expect, it } from 'vitest';
import { advanceUntil, recordPath, serveFixture, snapshotPath, usePageSuite } from './page-harness.ts';

const suite = usePageSuite();

/** Intl throws on formatting a UTC day, as it did on 2026-13-45: the fault, whatever data causes it. */
const dayFormatThrows = `{
  const format = Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, 'format');
  Object.defineProperty(Intl.DateTimeFormat.prototype, 'format', {
    get() {
      const options = this.resolvedOptions();
      if (options.timeZone === 'UTC' && options.day === '2-digit') return () => { throw new RangeError('Invalid time value'); };
      return format.get.call(this);
    },
  });
}`;

describe('a part of the page that cannot render', () => {
  it('is replaced by a note, the headline stays, and the record is checked once per snapshot', async () => {
    serveFixture(suite.server, 'degraded');
    const first = suite.server.requests.length;
    const asked = (path: string) => suite.server.requests.slice(first).filter((request) => request.path === path).length;
    const { page } = await suite.open({ path: '/de/', noWait: true, initScript: dayFormatThrows });
    await page.getByText('Dieser Teil der Seite ließ sich aus den erhaltenen Daten nicht darstellen.').waitFor();
    expect(await page.locator('.status-word').innerText()).toBe('Beeinträchtigt');
    // the next poll, answered: the same snapshot, so the record is not checked again
    await advanceUntil(page, () => asked(snapshotPath) >= 2);
    await page.clock.runFor(1_000);
    expect(asked(recordPath)).toBe(1);
  });
});
