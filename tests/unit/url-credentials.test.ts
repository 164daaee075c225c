// Whether a URL bound for public files holds a user name or password (shared/url-credentials.ts),
// the one rule behind STATUS_PAGE_URL (worker/config.ts), PUBLIC_SITE_URL and PUBLIC_STATUS_URL
// (site/lib/site-url.ts).
import { describe, expect, it } from 'vitest';
import { holdsCredentials } from '../../shared/url-credentials.ts';

describe('holdsCredentials', () => {
  it.each([
    'https://admin:SECRETPW@status.example.org/',
    'https://admin@status.example.org/',
    'HTTPS://admin:pw@status.example.org',
    // WHATWG reads these as https://admin:pw@status.example.org/
    'https:admin:pw@status.example.org/',
    'https:/admin:pw@status.example.org/',
    'https:\\\\admin:pw@status.example.org/',
    // protocol-relative: the page fetches it with the credentials
    '//admin:pw@cdn.example.org/governance-status.json',
    // WHATWG reads a path here, an RFC 3986 reader the user "status.example.org\"
    'https://status.example.org\\@evil.example/',
    ' https://admin:pw@status.example.org/',
  ])('finds them in %s', (text) => {
    expect(holdsCredentials(text)).toBe(true);
  });

  it.each([
    'https://status.example.org/',
    'https://status.example.org/dao/?who=ops@example.org',
    'https://status.example.org/#ops@example.org',
    'https://status.example.org/people/@ops',
    '/governance-status.json',
    'governance-status.json',
    './data/ops@2x.json',
  ])('finds none in %s', (text) => {
    expect(holdsCredentials(text)).toBe(false);
  });
});
