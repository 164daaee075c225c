// PUBLIC_SITE_URL, read by astro.config.mjs as Astro's `site` and `base` (site/lib/site-url.ts).
import { describe, expect, it } from 'vitest';
import { siteSettingsFrom, statusUrlFrom } from '../../site/lib/site-url.ts';

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

describe('a URL with a user name or password (a staging page behind basic auth)', () => {
  it('is refused as PUBLIC_SITE_URL without quoting it: the badge snippets would publish it', () => {
    const refused = () => siteSettingsFrom('https://admin:SECRETPW@staging.example.org/');
    expect(refused).toThrow(/PUBLIC_SITE_URL must not hold a user name or password/);
    expect(refused).not.toThrow(/SECRETPW/);
  });
  it('is not quoted when the URL is refused for another reason either', () => {
    expect(() => siteSettingsFrom('ftp://admin:SECRETPW@staging.example.org/')).toThrow(/\(got "ftp:\/\/…@staging.example.org\/"\)/);
  });
  it('is refused as PUBLIC_STATUS_URL, which the page publishes; a relative or plain one is taken', () => {
    expect(() => statusUrlFrom('https://admin:SECRETPW@cdn.example.org/governance-status.json', '/x')).toThrow(/^PUBLIC_STATUS_URL must not hold a user name or password[^]*$/);
    expect(() => statusUrlFrom('//admin:SECRETPW@cdn.example.org/governance-status.json', '/x')).toThrow(/^PUBLIC_STATUS_URL must not hold a user name or password[^]*$/);
    expect(statusUrlFrom(undefined, '/governance-status.json')).toBe('/governance-status.json');
    expect(statusUrlFrom('https://cdn.example.org/governance-status.json', '/x')).toBe('https://cdn.example.org/governance-status.json');
  });
});
