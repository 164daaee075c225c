import { describe, expect, it } from 'vitest';
import { decodeHidingWords, escapesDecoded } from '../../shared/hidden-secrets.ts';

describe('escapesDecoded', () => {
  it('decodes JSON, JavaScript and HTML character escapes, and keeps one out of range as written', () => {
    expect(escapesDecoded('password\\u003dhunter2')).toBe('password=hunter2');
    expect(escapesDecoded('a\\x3db&#61;c&#x3D;d&#x1F600;')).toBe('a=b=c=d😀');
    expect(escapesDecoded('&#1114112;&#x110000;')).toBe('&#1114112;&#x110000;');
    expect(escapesDecoded('&#38;#61;')).toBe('=');
  });
  it('decodes each valid run of escapes and keeps a malformed one as written', () => {
    expect(escapesDecoded('a%2Db%zz%E2%82%ACc%E2%82')).toBe('a-b%zz€c%E2%82');
    expect(escapesDecoded('100%')).toBe('100%');
  });
  it('decodes up to three rounds, no more', () => {
    expect(escapesDecoded('%25252D')).toBe('-');
    expect(escapesDecoded('%2525252D')).toBe('%2D');
  });
});

describe('decodeHidingWords', () => {
  const redact = (text: string) => text.replace(/secret-\w+/g, '[r]');
  const plain = (text: string) => text;
  it('shows decoded only the words whose decoded form holds a secret', () => {
    expect(decodeHidingWords('a%20b secret%2Dabc c%2Dd', plain, redact)).toBe('a%20b secret-abc c%2Dd');
  });
  it('leaves a text without escapes alone', () => {
    expect(decodeHidingWords('secret-abc', plain, redact)).toBe('secret-abc');
  });
});
