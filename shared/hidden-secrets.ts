// A secret can hide from the patterns of redact.ts in a form that a reader still reads as the secret:
// %-encoded once or twice (sk%2Dproj%2D..., Authorization%3A%20Bearer%20...), written as JSON,
// JavaScript or HTML write a character (password\u003dhunter2, \x3d, \u{3d}, &#61;, &equals;),
// inside JSON inside a string (\"password\":\"hunter2\"), with a combining mark in a word
// (pass\u0301word=), or with a character that looks like a colon or an equals sign (꞉ ∶ ꞊). readAs()
// gives the text as a reader reads it; redact.ts shows that form, redacted, only where it holds a
// secret, so any other escape (a URL's %20, "100%", a JSON \u00e9) stays as it was written.

const percentEscapes = /(?:%[0-9a-f]{2})+/gi;
// with or without the ; a browser does not need, and any number of leading zeros
const characterEscapes = /\\u([0-9a-fA-F]{4})|\\u\{0*([0-9a-fA-F]{1,6})\}|\\x([0-9a-fA-F]{2})|&#[xX]0*([0-9a-fA-F]{1,6});?|&#0*([0-9]{1,7});?|&(quot|apos|amp|lt|gt|equals|colon|commat|sol|bsol|num|percnt);/g;
const hasEscape = /%[0-9a-f]{2}|\\u[0-9a-f{]|\\x[0-9a-f]{2}|&#|&[a-z]{2,6};/i;
const named: Record<string, string> = { quot: '"', apos: "'", amp: '&', lt: '<', gt: '>', equals: '=', colon: ':', commat: '@', sol: '/', bsol: '\\', num: '#', percnt: '%' };

const character = (code: number, written: string) => (code <= 0x10ffff ? String.fromCodePoint(code) : written);

function decodeCharacter(written: string, u?: string, braced?: string, x?: string, hex?: string, decimal?: string, name?: string): string {
  if (name) return named[name]!;
  return character(decimal ? Number(decimal) : parseInt(u ?? braced ?? x ?? hex!, 16), written);
}

/** Each run of %-escapes that is valid UTF-8, and each \uXXXX, \u{...}, \xXX and character reference decoded, up to three rounds (a value encoded twice inside a URL). */
export function escapesDecoded(text: string): string {
  let out = text;
  for (let round = 0; round < 3 && hasEscape.test(out); round += 1) {
    const next = out
      .replace(percentEscapes, (run) => {
        try {
          return decodeURIComponent(run);
        } catch {
          return run;
        }
      })
      .replace(characterEscapes, decodeCharacter);
    if (next === out) break;
    out = next;
  }
  return out;
}

// Lookalikes that NFKC leaves as they are: of a colon (modifier letters, Armenian and Hebrew
// punctuation, the ratio sign, Lisu), of an equals sign, and the colon-equals sign.
const colonLike = /[\u02d0\u02f8\u0589\u05c3\u205a\u2236\ua4fd\ua789]/g;
const equalsLike = /[\ua78a\u2e40\u30a0]/g;

/**
 * `text` as a reader reads it: escapes decoded, then `plain` (compatibility forms and invisible
 * characters), combining marks NFKC could not compose dropped, lookalike separators folded, and
 * escaped quotes unescaped.
 */
export function readAs(text: string, plain: (text: string) => string): string {
  return plain(escapesDecoded(text))
    .replace(/\p{Mn}+/gu, '')
    .replace(colonLike, ':')
    .replace(equalsLike, '=')
    .replace(/\u2254/g, ':=')
    .replace(/\\+(["'])/g, '$1');
}
