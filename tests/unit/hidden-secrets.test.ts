import { describe, expect, it } from 'vitest';
import { escapesDecoded, readAs } from '../../shared/hidden-secrets.ts';

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

describe('readAs', () => {
  const plain = (text: string) => text.normalize('NFKC');
  it('decodes, drops the combining marks NFKC cannot compose, folds lookalike separators and unescapes quotes', () => {
    expect(readAs('pas\u0301sword\u2236 {\\"a\\":\\\\\\"b\\\\\\"} x\ua78ay p\u2254q', plain)).toBe('paśsword: {"a":"b"} x=y p:=q');
    expect(readAs('pas\u0301sword', (text) => text.normalize('NFKD'))).toBe('password');
    expect(readAs('Cafe\u0301 d\u0301 &equals;&#x0000003d&#61\\u{3d}', plain)).toBe('Café d ====');
  });
});
