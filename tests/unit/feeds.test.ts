// The incident feeds: Atom read back by a feed reader's parser and checked against the must-rules of
// RFC 4287, JSON Feed checked against version 1.1, hostile names as text; the SVG badge.
import { parseFeed } from '@rowanmanning/feed-parser';
import { describe, expect, it } from 'vitest';
import type { GovernanceHistory } from '../../shared/contract.ts';
import { governanceBadgeSvg } from '../../shared/badge.ts';
import { feedEntries, formatLasted, renderFeeds } from '../../worker/feeds.ts';
import { atomViolations, jsonFeedViolations } from '../support/feed-rules.ts';

const links = {
  pageUrl: 'https://status.example.org/',
  atomUrl: 'https://status.example.org/governance-feed.xml',
  jsonUrl: 'https://status.example.org/governance-feed.json',
};

const history: GovernanceHistory = {
  schemaVersion: 1,
  generatedAt: '2026-11-21T12:00:00.000Z',
  from: '2026-08-24',
  to: '2026-11-21',
  charters: [
    { id: 'governance:engineering', name: 'Engineering' },
    { id: 'governance:evil', name: 'Evil <script>alert(1)</script> & ]]> "quotes"' },
  ],
  days: [],
  incidents: [
    {
      id: 'governance:engineering@2026-11-21T07:00:00.000Z',
      charterId: 'governance:engineering',
      kind: 'failed',
      startedAt: '2026-11-21T07:00:00.000Z',
      resolvedAt: null,
      runs: 12,
      errorCodes: ['insufficient_credits'],
    },
    {
      id: 'governance:evil@2026-11-20T01:00:00.000Z',
      charterId: 'governance:evil',
      kind: 'missed',
      startedAt: '2026-11-20T01:00:00.000Z',
      resolvedAt: '2026-11-20T04:10:00.000Z',
      runs: 3,
      errorCodes: [],
    },
    {
      // opened before the 90 days, resolved inside them: both its entries stay while its resolution is within them
      id: 'governance:engineering@2026-08-20T00:00:00.000Z',
      charterId: 'governance:engineering',
      kind: 'failed',
      startedAt: '2026-08-20T00:00:00.000Z',
      resolvedAt: '2026-08-25T00:00:00.000Z',
      runs: 1,
      errorCodes: ['rate_limited'],
    },
  ],
  statusIncidents: [
    { id: 'status:credits_exhausted@2026-11-21T06:55:00.000Z', code: 'credits_exhausted', startedAt: '2026-11-21T06:55:00.000Z', resolvedAt: null },
    { id: 'status:runway_critical@2026-11-19T01:00:00.000Z', code: 'runway_critical', startedAt: '2026-11-19T01:00:00.000Z', resolvedAt: '2026-11-19T04:10:00.000Z' },
  ],
};

describe('feed entries', () => {
  it('one per incident opened or resolved, the system’s too, newest first, with titles a member understands', () => {
    const entries = feedEntries(history, links.pageUrl);
    expect(entries.map((entry) => [entry.at, entry.title])).toEqual([
      ['2026-11-21T07:00:00.000Z', 'Engineering has failed every run since Nov 21 07:00 UTC: insufficient_credits'],
      ['2026-11-21T06:55:00.000Z', 'The system account ran out of credits: scheduled runs cannot be paid for'],
      ['2026-11-20T04:10:00.000Z', 'Evil <script>alert(1)</script> & ]]> "quotes" recovered after 3 h 10 min, 3 runs lost'],
      ['2026-11-20T01:00:00.000Z', 'Evil <script>alert(1)</script> & ]]> "quotes" has missed every run since Nov 20 01:00 UTC: no run was recorded'],
      ['2026-11-19T04:10:00.000Z', 'Credits last more than 6 hours again after 3 h 10 min'],
      ['2026-11-19T01:00:00.000Z', 'The system account’s credits were about to run out (less than 6 hours left)'],
      ['2026-08-25T00:00:00.000Z', 'Engineering recovered after 5 d 0 h, 1 run lost'],
      ['2026-08-20T00:00:00.000Z', 'Engineering has failed every run since Aug 20 00:00 UTC: rate_limited'],
    ]);
    expect(new Set(entries.map((entry) => entry.id)).size).toBe(8);
    expect(entries[0]!.link).toBe('https://status.example.org/#incident-governance%3Aengineering%402026-11-21T07%3A00%3A00.000Z');
    expect(entries[1]!.link).toBe('https://status.example.org/#incident-status%3Acredits_exhausted%402026-11-21T06%3A55%3A00.000Z');
    expect(entries[0]!.summary).toBe('Engineering has failed every run since Nov 21 07:00 UTC: insufficient_credits. 12 runs did not succeed so far; still open.');
  });

  it('an entry keeps its id when its incident resolves or grows: only its resolution is added', () => {
    const open = feedEntries(history, links.pageUrl);
    const later = structuredClone(history);
    later.incidents[0] = { ...later.incidents[0]!, runs: 20, resolvedAt: '2026-11-21T11:00:40.000Z' };
    const resolved = feedEntries(later, links.pageUrl);
    expect(resolved.map((entry) => entry.id)).toEqual(expect.arrayContaining(open.map((entry) => entry.id)));
    expect(resolved).toHaveLength(open.length + 1);
    expect(resolved[0]!.title).toBe('Engineering recovered after 4 h, 20 runs lost');
  });

  it('an incident whose charter was removed closes, and says so: it did not recover', () => {
    const removed = structuredClone(history);
    removed.incidents[0] = { ...removed.incidents[0]!, runs: 6, resolvedAt: '2026-11-21T10:10:00.000Z', resolution: 'charter_removed' };
    const [closed] = feedEntries(removed, links.pageUrl);
    expect(closed!.title).toBe('Engineering’s incident closed after 3 h 10 min, 6 runs lost: the charter was removed');
    expect(closed!.summary).toBe('Engineering’s schedule was removed, or is no longer a governance charter, by Nov 21 10:10 UTC, after 6 runs that did not succeed: its incident is closed, not recovered.');
  });

  it('an entry keeps its title when its charter is no longer listed (deleted, renamed): named as the snapshot named it', () => {
    const before = feedEntries(history, links.pageUrl);
    const gone = feedEntries({ ...history, charters: history.charters.filter((charter) => charter.id !== 'governance:engineering') }, links.pageUrl);
    expect(gone.map((entry) => [entry.id, entry.title])).toEqual(before.map((entry) => [entry.id, entry.title]));
  });

  it('ids are stable: the same history gives the same entries, byte for byte', () => {
    expect(renderFeeds(history, links)).toEqual(renderFeeds(structuredClone(history), links));
    const ids = feedEntries(history, links.pageUrl).map((entry) => entry.id);
    for (const id of ids) expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('says how long an incident lasted in rounded-down units', () => {
    expect(formatLasted(45 * 60_000)).toBe('45 min');
    expect(formatLasted(3 * 3_600_000 + 59 * 60_000 + 59_999)).toBe('3 h 59 min');
    expect(formatLasted(3 * 3_600_000)).toBe('3 h');
    expect(formatLasted(50 * 3_600_000)).toBe('2 d 2 h');
  });
});

describe('both feeds against their specifications', () => {
  const empty = { ...history, incidents: [] };
  it.each([
    ['with entries', history],
    ['without any', empty],
  ])('Atom breaks no must-rule of RFC 4287 %s (author, ids, titles, dates, links)', (_what, input) => {
    expect(atomViolations(renderFeeds(input, links)['governance-feed.xml']!)).toEqual([]);
  });
  it.each([
    ['with entries', history],
    ['without any', empty],
  ])('JSON Feed breaks no rule of version 1.1 %s, and names its author', (_what, input) => {
    const text = renderFeeds(input, links)['governance-feed.json']!;
    expect(jsonFeedViolations(text)).toEqual([]);
    expect(JSON.parse(text).authors).toEqual([{ name: 'Governance status page', url: links.pageUrl }]);
  });
});

describe('the Atom feed', () => {
  const atom = renderFeeds(history, links)['governance-feed.xml']!;

  it('a feed reader reads it back: title, links, one item per event with its id, time and title as text', () => {
    const feed = parseFeed(atom);
    expect(feed.meta.type).toBe('atom');
    expect(feed.title).toBe('Governance status: incidents');
    expect(feed.url).toBe(links.pageUrl);
    expect(feed.self).toBe(links.atomUrl);
    expect(feed.updated?.toISOString()).toBe('2026-11-21T07:00:00.000Z');
    expect(feed.items.map((item) => [item.id, item.title, item.updated?.toISOString()])).toEqual(
      feedEntries(history, links.pageUrl).map((entry) => [entry.id, entry.title, entry.at]),
    );
  });

  it('has the elements Atom requires of a feed and of every entry, and no markup from a name', () => {
    expect(atom).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    const head = atom.slice(0, atom.indexOf('<entry>'));
    for (const element of ['<id>urn:uuid:', '<title>', '<updated>']) expect(head).toContain(element);
    const entries = atom.split('<entry>').slice(1);
    expect(entries).toHaveLength(8);
    for (const entry of entries) {
      expect(entry).toMatch(/<id>urn:uuid:[0-9a-f-]{36}<\/id>/);
      expect(entry).toMatch(/<updated>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/updated>/);
      expect(entry).toMatch(/<title type="html"><!\[CDATA\[/);
      expect(entry).toMatch(/<link href="https:\/\/status\.example\.org\/#incident-/);
    }
    expect(atom).not.toContain('<script>');
    expect(atom).toContain('&lt;script&gt;');
  });
});

describe('the JSON Feed', () => {
  it('follows version 1.1: version, title, home_page_url, feed_url, items with id, url, title, content_text, date_published', () => {
    const json = JSON.parse(renderFeeds(history, links)['governance-feed.json']!);
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.home_page_url).toBe(links.pageUrl);
    expect(json.feed_url).toBe(links.jsonUrl);
    expect(json.items).toHaveLength(8);
    for (const item of json.items) {
      expect(Object.keys(item).sort()).toEqual(['content_text', 'date_published', 'id', 'title', 'url']);
      expect(typeof item.id).toBe('string');
      expect(Date.parse(item.date_published)).not.toBeNaN();
    }
    expect(json.items[2].title).toBe('Evil <script>alert(1)</script> & ]]> "quotes" recovered after 3 h 10 min, 3 runs lost'); // JSON text, never HTML
  });
});

describe('the SVG badge', () => {
  it.each(['healthy', 'degraded', 'failing'] as const)('is self-contained and says %s in words', (status) => {
    const svg = governanceBadgeSvg(status);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="20" role="img" aria-label="governance: \w+">/);
    expect(svg).toContain(`<title>governance: ${status}</title>`);
    expect(svg).toContain(`>${status}</text>`);
    expect(svg).not.toMatch(/href|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // nothing fetched from anywhere
  });
});
