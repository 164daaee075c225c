// The page's own public URL from PUBLIC_SITE_URL at build time: Astro's `site`, so that the badge
// snippets people paste elsewhere carry absolute URLs in the HTML itself, and its path as `base`,
// so that a page published under a folder (https://example.org/dao/) links its files there. Unset,
// the page is built for the root of whatever origin serves it and completes URLs in the browser.
import { holdsCredentials } from '../../shared/url-credentials.ts';

export function siteSettingsFrom(value: string | undefined): { site?: string; base?: string } {
  const text = value?.trim();
  if (!text) return {};
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
    // quoted without what may be a user name and password
    throw new Error(`PUBLIC_SITE_URL must be the page's absolute http(s) URL, such as https://status.example.org/ (got "${text.replace(/\/\/[^/@]*@/, '//…@')}")`);
  }
  const url = new URL(text);
  // the badge snippets and every absolute link in the HTML are built from it: a password would be published
  if (holdsCredentials(text)) throw new Error('PUBLIC_SITE_URL must not hold a user name or password: the page publishes links built from it');
  return { site: url.href, base: url.pathname };
}

/** PUBLIC_STATUS_URL as the page fetches it (unset: the snapshot beside the page); one with a user name or password is refused, unquoted. */
export function statusUrlFrom(value: string | undefined, beside: string): string {
  if (!value) return beside;
  if (holdsCredentials(value)) {
    throw new Error('PUBLIC_STATUS_URL must not hold a user name or password: the page publishes it, and every reader fetches it');
  }
  return value;
}
