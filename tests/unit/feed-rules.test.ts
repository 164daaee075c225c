// The feed rules the feed tests rely on (tests/support/feed-rules.ts) catch what they claim: each
// broken document below breaks one rule of RFC 4287 or JSON Feed 1.1, and a valid one breaks none.
import { describe, expect, it } from 'vitest';
import { atomViolations, jsonFeedViolations } from '../support/feed-rules.ts';

const entry = (extra = '', without = '') =>
  ['<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>', '<title>Entry</title>', '<updated>2026-11-21T07:00:00Z</updated>', '<link href="https://s.example/#1"/>', extra]
    .filter((part) => !without || !part.startsWith(`<${without}`))
    .join('');
const atom = ({ head = '<author><name>Status</name></author>', entries = [entry()], without = '' } = {}) =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">${[
    '<id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>',
    '<title>Feed</title>',
    '<updated>2026-11-21T07:00:00Z</updated>',
    head,
  ]
    .filter((part) => !without || !part.startsWith(`<${without}`))
    .join('')}${entries.map((body) => `<entry>${body}</entry>`).join('')}</feed>`;

describe('atomViolations (RFC 4287)', () => {
  it('finds none in a valid feed, with the author on the feed or on every entry', () => {
    expect(atomViolations(atom())).toEqual([]);
    expect(atomViolations(atom({ head: '', entries: [entry('<author><name>A</name></author>')] }))).toEqual([]);
    expect(atomViolations(atom({ entries: [] }))).toEqual([]);
  });
  it.each([
    ['no author anywhere', atom({ head: '' }), /no atom:author/],
    ['no author and no entries', atom({ head: '', entries: [] }), /feed: no atom:author/],
    ['a feed without an id', atom({ without: 'id' }), /feed: 0 atom:id, must have exactly 1 \(4\.1\.1\)/],
    ['an entry without an id', atom({ entries: [entry('', 'id')] }), /0 atom:id, must have exactly 1 \(4\.1\.2\)/],
    ['an entry without updated', atom({ entries: [entry('', 'updated')] }), /atom:updated, must have exactly 1 \(4\.1\.2\)/],
    ['an entry with two titles', atom({ entries: [entry('<title>Again</title>')] }), /2 atom:title/],
    ['an entry without content or alternate link', atom({ entries: [entry('', 'link')] }), /neither atom:content nor a link/],
    ['two alternate links alike', atom({ head: '<author><name>S</name></author><link href="https://a/"/><link rel="alternate" href="https://b/"/>' }), /two alternate links/],
    ['a date that is not RFC 3339', atom({ entries: [entry().replace('2026-11-21T07:00:00Z', '21 Nov 2026')] }), /not an RFC 3339 date-time \(3\.3\)/],
    ['a relative id', atom({ entries: [entry().replace('urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', 'entry-1')] }), /not an absolute IRI \(4\.2\.6\)/],
    ['an author without a name', atom({ head: '<author><uri>https://s.example/</uri></author>' }), /exactly one non-empty atom:name/],
    ['a text construct of an unknown type', atom({ entries: [entry().replace('<title>', '<title type="markdown">')] }), /is not text, html or xhtml/],
    ['a link without href', atom({ entries: [entry('<link rel="self"/>')] }), /without href/],
    ['content by reference without a summary', atom({ entries: [entry('<content src="https://s.example/x" type="text/html"/>')] }), /needs an atom:summary/],
    ['a root element outside the Atom namespace', '<feed><id>x</id></feed>', /must be atom:feed/],
    ['XML that is not well-formed', '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</feed>', /not well-formed/],
  ])('finds %s', (_what, xml, rule) => {
    expect(atomViolations(xml)).toEqual(expect.arrayContaining([expect.stringMatching(rule)]));
  });
});

const item = { id: 'urn:uuid:1', url: 'https://s.example/#1', content_text: 'text', date_published: '2026-11-21T07:00:00.000Z' };
const jsonFeed = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Feed', home_page_url: 'https://s.example/', authors: [{ name: 'S' }], items: [item], ...fields });

describe('jsonFeedViolations (JSON Feed 1.1)', () => {
  it('finds none in a valid feed', () => {
    expect(jsonFeedViolations(jsonFeed())).toEqual([]);
    expect(jsonFeedViolations(jsonFeed({ items: [] }))).toEqual([]);
  });
  it.each([
    ['another version', jsonFeed({ version: 'https://jsonfeed.org/version/1' }), /^version/],
    ['no title', jsonFeed({ title: undefined }), /^title/],
    ['no items', jsonFeed({ items: undefined }), /^items must be an array/],
    ['an item without an id', jsonFeed({ items: [{ ...item, id: undefined }] }), /items\[0\]\.id/],
    ['two items with one id', jsonFeed({ items: [item, item] }), /not unique/],
    ['an item without content', jsonFeed({ items: [{ ...item, content_text: undefined }] }), /content_html or content_text/],
    ['a date that is not RFC 3339', jsonFeed({ items: [{ ...item, date_published: 'Nov 21' }] }), /date_published must be an RFC 3339 date/],
    ['a url that is not one', jsonFeed({ home_page_url: 'status page' }), /home_page_url must be a URL/],
    ['an empty author', jsonFeed({ authors: [{}] }), /authors\[0\] needs a name, url or avatar/],
    ['JSON that is not a feed', '[]', /must be an object/],
  ])('finds %s', (_what, text, rule) => {
    expect(jsonFeedViolations(text)).toEqual(expect.arrayContaining([expect.stringMatching(rule)]));
  });
});
