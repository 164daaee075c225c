// PUBLIC_SITE_URL, read by astro.config.mjs as Astro's `site` and `base` (site/lib/site-url.ts).
import { describe, expect, it } from 'vitest';
import { siteSettingsFrom } from '../../site/lib/site-url.ts';

describe('siteSettingsFrom', () => {
  it('sets nothing for nothing or blanks: the page completes its URLs in the browser', () => {
    expect(siteSettingsFrom(undefined)).toEqual({});
    expect(siteSettingsFrom('  ')).toEqual({});
  });
  it('takes an absolute http(s) URL as the site, and its path as the base', () => {
    expect(siteSettingsFrom(' https://status.example.org ')).toEqual({ site: 'https://status.example.org/', base: '/' });
    expect(siteSettingsFrom('http://127.0.0.1:4321/dao/')).toEqual({ site: 'http://127.0.0.1:4321/dao/', base: '/dao/' });
  });
  it.each(['status.example.org', '/status/', 'ftp://status.example.org/'])('refuses %s with a message that says what it must be', (value) => {
    expect(() => siteSettingsFrom(value)).toThrow(/PUBLIC_SITE_URL must be the page's absolute http\(s\) URL/);
  });
});
