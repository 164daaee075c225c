import { describe, expect, it } from 'vitest';
import { escapesDecoded, readWord, revealHidingWords } from '../../shared/hidden-secrets.ts';

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

describe('readWord', () => {
  const plain = (text: string) => text.normalize('NFKC');
  it('decodes, drops accents and marks, folds lookalike separators and unescapes quotes', () => {
    expect(readWord('pas\u0301sword\u2236', plain)).toBe('password:');
    expect(readWord('{\\"a\\":\\\\\\"b\\\\\\"}', plain)).toBe('{"a":"b"}');
    expect(readWord('x\ua78ay', plain)).toBe('x=y');
    expect(readWord('&equals;&#x0000003d&#61;\\u{3d}\\\\u003d', plain)).toBe('=====');
  });
});

describe('revealHidingWords', () => {
  const plain = (text: string) => text.normalize('NFKC');
  const secretsIn = (text: string) => (text.match(/secret\s*=\s*\w+/g) ?? []).length;
  it('replaces only the words whose reading reveals a secret, alone or with the word after them', () => {
    expect(revealHidingWords('a%20b secret%3Dabc c%2Dd', plain, secretsIn)).toBe('a%20b secret=abc c%2Dd');
    expect(revealHidingWords('नमस्ते secret\\u003d abc, Café', plain, secretsIn)).toBe('नमस्ते secret= abc, Café');
    expect(revealHidingWords('नमस्ते secret=abc', plain, secretsIn)).toBe('नमस्ते secret=abc');
    expect(revealHidingWords('नमस्ते secret &#61; abc', plain, secretsIn)).toBe('नमस्ते secret = abc');
  });
  it('is linear in a run of backslashes', () => {
    expect(revealHidingWords(`${'\\'.repeat(200_000)} x`, plain, secretsIn)).toHaveLength(200_002);
  });
});
