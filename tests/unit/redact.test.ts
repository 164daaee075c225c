import { describe, expect, it } from 'vitest';
import { errorCodeOf, publicErrorMessage, publicTitle, redactSecrets, truncate } from '../../shared/redact.ts';

describe('redactSecrets: each secret pattern', () => {
  it('removes credentials from URLs but keeps scheme and host', () => {
    expect(redactSecrets('connect postgres://app:hunter2@db.internal:5432/cogni failed')).toBe(
      'connect postgres://[redacted]@db.internal:5432/cogni failed',
    );
    expect(redactSecrets('GET https://ghp_token123@github.com/x')).toBe('GET https://[redacted]@github.com/x');
    expect(redactSecrets('postgres://app:pa/ss@db:5432/x')).toBe('postgres://[redacted]@db:5432/x');
    expect(redactSecrets('postgres://app:p@ss@db/x down')).toBe('postgres://[redacted]@db/x down');
  });
  it('removes bearer tokens', () => {
    expect(redactSecrets('Authorization: Bearer eyJhbGciOi.payload.sig')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('bearer abc/def+ghi==')).toBe('bearer [redacted]');
    expect(redactSecrets('Authorization: Basic dXNlcjpwYXNz')).toBe('Authorization: Basic [redacted]');
  });
  it('removes key=, token=, secret= and password= values, quoted or bare', () => {
    expect(redactSecrets('api_key=abc123 next')).toBe('api_key=[redacted] next');
    expect(redactSecrets('https://x.io/cb?token=abc&user=bob')).toBe('https://x.io/cb?token=[redacted]&user=bob');
    expect(redactSecrets('client_secret = "s3cr3t value"')).toBe('client_secret = [redacted]');
    expect(redactSecrets("PASSWORD='pa ss'")).toBe('PASSWORD=[redacted]');
    expect(redactSecrets('key=v1,other')).toBe('key=[redacted],other');
    expect(redactSecrets('password: hunter2 rejected')).toBe('password: [redacted] rejected');
    expect(redactSecrets('{"password":"hunter2","user":"x"}')).toBe('{"password":[redacted],"user":"x"}');
    expect(redactSecrets('{"api_key": "abc def"}')).toBe('{"api_key": [redacted]}');
  });
  it('removes AWS access key ids', () => {
    expect(redactSecrets('denied for AKIAIOSFODNN7EXAMPLE')).toBe('denied for [redacted]');
  });
  it('removes sk- keys', () => {
    expect(redactSecrets('invalid key sk-proj-AbCdEf1234567890 used')).toBe('invalid key [redacted] used');
    expect(redactSecrets('sk-ant-api03-xyz_12345678')).toBe('[redacted]');
  });
  it('removes hex runs of 32+ characters', () => {
    const hex = 'a'.repeat(16) + '0123456789abcdef';
    expect(redactSecrets(`hash ${hex} mismatch`)).toBe('hash [redacted] mismatch');
    expect(redactSecrets(`short ${'ab12'.repeat(7)} kept`)).toBe(`short ${'ab12'.repeat(7)} kept`); // 28 chars
  });
  it('removes base64 runs of 32+ characters', () => {
    expect(redactSecrets('blob QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk= end')).toBe('blob [redacted] end');
    expect(redactSecrets('secret wJalrXUtnFEMIKMDENGbPxRfiCYEXAMPLEKEYabcdef here')).toBe('secret [redacted] here'); // no digit
    expect(redactSecrets(`hex ${'deadbeef'.repeat(4)}`)).toBe('hex [redacted]'); // letters only
  });
  it('keeps UUIDs and long plain words, which are identifiers, not secrets', () => {
    const text = 'run 3f2b8c1e-4d5a-4e6f-8a9b-0c1d2e3f4a5b of insufficient_credits_for_system_account failed';
    expect(redactSecrets(text)).toBe(text);
  });
  it('leaves an ordinary message alone', () => {
    expect(redactSecrets('insufficient_credits')).toBe('insufficient_credits');
  });
});

describe('publicErrorMessage', () => {
  it('keeps the first line only and strips control characters', () => {
    expect(publicErrorMessage('boom\u0007 at step 3\n    at handler (/app/x.js:1:1)\n')).toBe('boom at step 3');
    expect(publicErrorMessage('one\r\ntwo')).toBe('one');
    expect(publicErrorMessage('tab\there\u202eevil')).toBe('tab here evil');
    expect(publicErrorMessage('one\u2028two')).toBe('one');
    expect(publicErrorMessage('Authorization: Bearer\tabcdef123456')).toBe('Authorization: Bearer [redacted]');
  });
  it('is null for null or empty', () => {
    expect(publicErrorMessage(null)).toBeNull();
    expect(publicErrorMessage('\n\nsecond line')).toBeNull();
  });
  it('caps at 300 characters after redacting, so a cut never exposes part of a secret', () => {
    const message = `${'x '.repeat(140)}token=${'s'.repeat(100)}`;
    const out = publicErrorMessage(message)!;
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).toContain('token=[redacted]');
    expect(out).not.toMatch(/s{5}/);
    const long = publicErrorMessage('y'.repeat(1000))!;
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('errorCodeOf', () => {
  it('prefers the error_code column where set', () => {
    expect(errorCodeOf('insufficient_credits', 'some long text')).toBe('insufficient_credits');
  });
  it('falls back to a message that is a bare code', () => {
    expect(errorCodeOf(null, 'insufficient_credits')).toBe('insufficient_credits');
    expect(errorCodeOf(undefined, '  rate_limited  ')).toBe('rate_limited');
    expect(errorCodeOf('', 'timeout_exceeded')).toBe('timeout_exceeded');
  });
  it('is null for prose, short words, upper case or nothing', () => {
    expect(errorCodeOf(null, 'Insufficient credits for run')).toBeNull();
    expect(errorCodeOf(null, 'ab')).toBeNull();
    expect(errorCodeOf(null, 'Insufficient_credits')).toBeNull();
    expect(errorCodeOf(null, `a${'b'.repeat(64)}`)).toBeNull(); // 65 characters
    expect(errorCodeOf(null, null)).toBeNull();
  });
});

describe('publicTitle', () => {
  it('is null unless a string', () => {
    expect(publicTitle(null)).toBeNull();
    expect(publicTitle(42)).toBeNull();
    expect(publicTitle({ text: 'x' })).toBeNull();
  });
  it('strips control characters and caps at 200', () => {
    expect(publicTitle('Weekly\u0000 review\n')).toBe('Weekly review');
    expect(publicTitle('t'.repeat(500))).toHaveLength(200);
  });
});

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    const out = truncate(`${'a'.repeat(8)}😀😀`, 10);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out).toBe(`${'a'.repeat(8)}…`);
  });
});
