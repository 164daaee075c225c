// The must-rules of the two feed formats, for tests: RFC 4287 (Atom) checked on a real,
// namespace-aware XML parser, and JSON Feed 1.1 (jsonfeed.org/version/1.1). No package on npm
// enforces either (feed readers are lenient on purpose), so each rule is written out here, and each
// violation names its section. Tested itself in tests/unit/feed-rules.test.ts.
import { DOMParser, type Element } from '@xmldom/xmldom';

const atomNs = 'http://www.w3.org/2005/Atom';
const xhtmlNs = 'http://www.w3.org/1999/xhtml';
/** RFC 3339 date-time, with the upper-case T and Z that RFC 4287 3.3 requires */
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isDate = (text: string) => rfc3339.test(text) && !Number.isNaN(Date.parse(text));
const isAbsoluteIri = (text: string) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(text) && URL.canParse(text);

const atomChildren = (parent: Element, name: string): Element[] =>
  Array.from(parent.childNodes).filter((node): node is Element => node.nodeType === 1 && (node as Element).namespaceURI === atomNs && (node as Element).localName === name);

/** Every problem with an Atom Feed Document, by RFC 4287 section; none for a valid one. */
export function atomViolations(xml: string): string[] {
  let feed: Element | null;
  try {
    const parser = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    });
    feed = parser.parseFromString(xml, 'application/xml').documentElement;
  } catch (error) {
    return [`not well-formed XML (2): ${(error as Error).message}`];
  }
  if (!feed || feed.namespaceURI !== atomNs || feed.localName !== 'feed') return ['the document element must be atom:feed (4.1.1)'];
  const problems: string[] = [];
  const where = (element: Element, name: string) => `${element.localName}${element === feed ? '' : ` "${atomChildren(element, 'id')[0]?.textContent ?? '?'}"`}: ${name}`;
  const count = (element: Element, name: string, min: number, max: number, section: string) => {
    const found = atomChildren(element, name).length;
    const allowed = min === max ? `exactly ${min}` : `at most ${max}`;
    if (found < min || found > max) problems.push(where(element, `${found} atom:${name}, must have ${allowed} (${section})`));
  };
  const entries = atomChildren(feed, 'entry');
  const hasAuthor = (element: Element) => atomChildren(element, 'author').length > 0 || atomChildren(element, 'source').some(hasAuthor);

  for (const name of ['id', 'title', 'updated']) count(feed, name, 1, 1, '4.1.1');
  for (const name of ['generator', 'icon', 'logo', 'rights', 'subtitle']) count(feed, name, 0, 1, '4.1.1');
  // read strictly: a feed without entries has no entry that could carry the author (as the W3C validator reads it)
  if (!hasAuthor(feed) && (entries.length === 0 || !entries.every(hasAuthor))) problems.push('feed: no atom:author, and not every entry has one (4.1.1)');
  checkAlternateLinks(feed, problems);

  for (const entry of entries) {
    for (const name of ['id', 'title', 'updated']) count(entry, name, 1, 1, '4.1.2');
    for (const name of ['content', 'published', 'rights', 'source', 'summary']) count(entry, name, 0, 1, '4.1.2');
    if (!hasAuthor(entry) && !hasAuthor(feed)) problems.push(where(entry, 'no atom:author, and the feed has none (4.1.2)'));
    const content = atomChildren(entry, 'content')[0];
    const alternates = atomChildren(entry, 'link').filter((link) => (link.getAttribute('rel') || 'alternate') === 'alternate');
    if (!content && alternates.length === 0) problems.push(where(entry, 'neither atom:content nor a link rel="alternate" (4.1.2)'));
    if (content && (content.hasAttribute('src') || !isTextualType(content.getAttribute('type'))) && atomChildren(entry, 'summary').length === 0) {
      problems.push(where(entry, 'atom:content with src or a binary type needs an atom:summary (4.1.2)'));
    }
    checkAlternateLinks(entry, problems);
  }
  for (const element of [feed, ...entries]) checkConstructs(element, problems, where);
  return problems;
}

/** No two rel="alternate" links with the same type and hreflang (4.1.1, 4.1.2); every link has an href (4.2.7.1). */
function checkAlternateLinks(element: Element, problems: string[]) {
  const seen = new Set<string>();
  for (const link of atomChildren(element, 'link')) {
    if (!link.getAttribute('href')) problems.push(`${element.localName}: atom:link without href (4.2.7.1)`);
    if ((link.getAttribute('rel') || 'alternate') !== 'alternate') continue;
    const key = `${link.getAttribute('type') ?? ''}|${link.getAttribute('hreflang') ?? ''}`;
    if (seen.has(key)) problems.push(`${element.localName}: two alternate links with the same type and hreflang (4.1.1, 4.1.2)`);
    seen.add(key);
  }
}

const isTextualType = (type: string | null) => type === null || ['text', 'html', 'xhtml'].includes(type) || /^text\/|[+/]xml$/i.test(type);

/** Ids (4.2.6), dates (3.3), text constructs (3.1) and persons (3.2) of one feed or entry. */
function checkConstructs(element: Element, problems: string[], where: (element: Element, name: string) => string) {
  for (const id of atomChildren(element, 'id')) {
    if (!isAbsoluteIri(id.textContent ?? '')) problems.push(where(element, `atom:id "${id.textContent}" is not an absolute IRI (4.2.6)`));
  }
  for (const name of ['updated', 'published']) {
    for (const date of atomChildren(element, name)) {
      if (!isDate(date.textContent ?? '')) problems.push(where(element, `atom:${name} "${date.textContent}" is not an RFC 3339 date-time (3.3)`));
    }
  }
  for (const name of ['title', 'subtitle', 'summary', 'rights']) {
    for (const text of atomChildren(element, name)) {
      const type = text.getAttribute('type') || 'text';
      if (!['text', 'html', 'xhtml'].includes(type)) problems.push(where(element, `atom:${name} type "${type}" is not text, html or xhtml (3.1.1)`));
      const elements = Array.from(text.childNodes).filter((node): node is Element => node.nodeType === 1);
      if (type !== 'xhtml' && elements.length > 0) problems.push(where(element, `atom:${name} of type ${type} holds child elements (3.1.1)`));
      if (type === 'xhtml' && (elements.length !== 1 || elements[0]!.namespaceURI !== xhtmlNs || elements[0]!.localName !== 'div')) {
        problems.push(where(element, `atom:${name} of type xhtml must hold one xhtml:div (3.1.1.3)`));
      }
    }
  }
  for (const person of [...atomChildren(element, 'author'), ...atomChildren(element, 'contributor')]) {
    const names = atomChildren(person, 'name');
    if (names.length !== 1 || !names[0]!.textContent?.trim()) problems.push(where(element, `atom:${person.localName} needs exactly one non-empty atom:name (3.2.1)`));
    const uris = atomChildren(person, 'uri');
    if (uris.length > 1 || uris.some((uri) => !URL.canParse(uri.textContent ?? ''))) problems.push(where(element, `atom:${person.localName} has a bad or second atom:uri (3.2.2)`));
    const emails = atomChildren(person, 'email');
    if (emails.length > 1 || emails.some((email) => !/^[^\s@]+@[^\s@]+$/.test(email.textContent ?? ''))) problems.push(where(element, `atom:${person.localName} has a bad or second atom:email (3.2.3)`));
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every problem with a JSON Feed 1.1 document, by the field it concerns; none for a valid one. */
export function jsonFeedViolations(text: string): string[] {
  let feed: unknown;
  try {
    feed = JSON.parse(text);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  if (!isObject(feed)) return ['the document must be an object'];
  const problems: string[] = [];
  if (feed.version !== 'https://jsonfeed.org/version/1.1') problems.push('version must be "https://jsonfeed.org/version/1.1" (required)');
  if (typeof feed.title !== 'string') problems.push('title must be a string (required)');
  checkFields(feed, 'feed', problems, { strings: ['description', 'user_comment', 'language'], urls: ['home_page_url', 'feed_url', 'next_url', 'icon', 'favicon'] });
  if (feed.expired !== undefined && typeof feed.expired !== 'boolean') problems.push('expired must be a boolean');
  if (!Array.isArray(feed.items)) return [...problems, 'items must be an array (required)'];
  const ids = new Set<string>();
  for (const [index, item] of feed.items.entries()) {
    const at = `items[${index}]`;
    if (!isObject(item)) {
      problems.push(`${at} must be an object`);
      continue;
    }
    if (typeof item.id !== 'string' || item.id === '') problems.push(`${at}.id must be a non-empty string (required)`);
    else if (ids.has(item.id)) problems.push(`${at}.id "${item.id}" is not unique`);
    else ids.add(item.id);
    if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string') problems.push(`${at} needs content_html or content_text`);
    checkFields(item, at, problems, {
      strings: ['title', 'summary', 'content_html', 'content_text', 'language'],
      urls: ['url', 'external_url', 'image', 'banner_image'],
      dates: ['date_published', 'date_modified'],
    });
    if (item.tags !== undefined && !(Array.isArray(item.tags) && item.tags.every((tag) => typeof tag === 'string'))) problems.push(`${at}.tags must be strings`);
  }
  return problems;
}

function checkFields(object: Json, at: string, problems: string[], kinds: { strings?: string[]; urls?: string[]; dates?: string[] }) {
  for (const name of kinds.strings ?? []) if (object[name] !== undefined && typeof object[name] !== 'string') problems.push(`${at}.${name} must be a string`);
  for (const name of kinds.urls ?? []) {
    if (object[name] !== undefined && !(typeof object[name] === 'string' && URL.canParse(object[name]))) problems.push(`${at}.${name} must be a URL`);
  }
  for (const name of kinds.dates ?? []) {
    if (object[name] !== undefined && !(typeof object[name] === 'string' && isDate(object[name]))) problems.push(`${at}.${name} must be an RFC 3339 date`);
  }
  if (object.authors === undefined) return;
  const authors = object.authors;
  if (!Array.isArray(authors)) problems.push(`${at}.authors must be an array`);
  else {
    for (const [index, author] of authors.entries()) {
      const fields = isObject(author) ? (['name', 'url', 'avatar'] as const).filter((name) => author[name] !== undefined) : [];
      if (fields.length === 0) problems.push(`${at}.authors[${index}] needs a name, url or avatar`);
      for (const name of fields) if (typeof (author as Json)[name] !== 'string') problems.push(`${at}.authors[${index}].${name} must be a string`);
    }
  }
}
