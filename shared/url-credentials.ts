// A URL that ends up in public files (the feeds' links, the page's badge snippets and fetch URL) must
// carry no user name or password, however its reader parses it. Browsers and Node (WHATWG) find them in
// `https:admin:pw@host` and `//admin:pw@host`; a feed reader's RFC 3986 parser may take `https://a\@b`
// as user `a\` at host b, where WHATWG reads a path: so an @ before the first / ? # counts as well.

/** Whether `text`, absolute or relative as written, holds a user name or password. */
export function holdsCredentials(text: string): boolean {
  // alone first: against a base of its own scheme, https:admin@host would read as a relative path
  const url = URL.parse(text.trim()) ?? URL.parse(text.trim(), 'https://relative.invalid/');
  return Boolean(url?.username || url?.password) || /^\s*(?:[a-z][a-z\d+.-]*:)?[\\/]{2}[^/?#]*@/i.test(text);
}
