// A secret can hide from the patterns of redact.ts in a form that a reader still reads as the secret:
// a word %-encoded (sk%2Dproj%2D..., Authorization%3A%20Bearer%20...), once or twice, or escaped as
// JSON, JavaScript or HTML write a character (password\u003dhunter2, as Go's JSON encoder writes
// an =; \x3d; &#61; &#x3d;). Such a word is shown decoded, and so redacted, only where its decoded form
// holds a secret; any other escape (a URL's %20, "100%", a JSON \u00e9) stays as it was written.

const percentEscapes = /(?:%[0-9a-f]{2})+/gi;
const characterEscapes = /\\u([0-9a-f]{4})|\\x([0-9a-f]{2})|&#x([0-9a-f]{1,6});|&#([0-9]{1,7});/gi;
const hasEscape = /%[0-9a-f]{2}|\\u[0-9a-f]{4}|\\x[0-9a-f]{2}|&#x?[0-9a-f]{1,7};/i;

const character = (code: number, written: string) => (code <= 0x10ffff ? String.fromCodePoint(code) : written);

/** Each run of %-escapes that is valid UTF-8, and each \uXXXX, \xXX and &#...; decoded, up to three rounds (a value encoded twice inside a URL). */
export function escapesDecoded(word: string): string {
  let out = word;
  for (let round = 0; round < 3 && hasEscape.test(out); round += 1) {
    const next = out
      .replace(percentEscapes, (run) => {
        try {
          return decodeURIComponent(run);
        } catch {
          return run;
        }
      })
      .replace(characterEscapes, (written, u: string, x: string, hex: string, decimal: string) => character(decimal ? Number(decimal) : parseInt(u ?? x ?? hex, 16), written));
    if (next === out) break;
    out = next;
  }
  return out;
}

/**
 * Every word with escapes whose decoded form (made `plain`) would lose something to `redact` is
 * replaced by that decoded form; the caller then redacts the whole text. Words are runs of non-space
 * characters, so the cost stays linear in the text.
 */
export function decodeHidingWords(text: string, plain: (text: string) => string, redact: (text: string) => string): string {
  if (!hasEscape.test(text)) return text;
  return text.replace(/\S+/g, (word) => {
    if (!hasEscape.test(word)) return word;
    const decoded = plain(escapesDecoded(word));
    return redact(decoded) === decoded ? word : decoded;
  });
}
