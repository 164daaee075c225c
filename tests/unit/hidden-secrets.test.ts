import { describe, expect, it } from 'vitest';
import { decodeHidingWords, percentDecoded } from '../../shared/hidden-secrets.ts';

describe('percentDecoded', () => {
  it('decodes each valid run of escapes and keeps a malformed one as written', () => {
    expect(percentDecoded('a%2Db%zz%E2%82%ACc%E2%82')).toBe('a-b%zz€c%E2%82');
    expect(percentDecoded('100%')).toBe('100%');
  });
  it('decodes up to three rounds, no more', () => {
    expect(percentDecoded('%25252D')).toBe('-');
    expect(percentDecoded('%2525252D')).toBe('%2D');
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
