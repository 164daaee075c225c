// A secret can hide from the patterns of redact.ts in a form that a reader still reads as the secret:
// %-encoded once or twice (sk%2Dproj%2D..., Authorization%3A%20Bearer%20...), written as JSON,
// JavaScript or HTML write a character (password\u003dhunter2, \x3d, \u{3d}, &#61;, &equals;),
// JSON inside a string (\"password\":\"hunter2\"), an accent inside a word (pas\u0301sword, which
// NFKC makes paśsword), a lookalike colon, equals sign or hyphen (꞉ ∶ ꞊ ‑), or a query's + for a space
// (?q=my+password+is+hunter2). A word is shown as a reader reads it only where that reading reveals
// a secret its written form does not, alone or between the words beside it (password &#61; hunter2):
// every other word, and every other escape, accent and mark in the text (a URL's %20, "100%", Hindi's
// vowel signs), stays as written.

const percentEscapes = /(?:%[0-9a-f]{2})+/gi;
// one or more backslashes (escaped again: Gson's \\u003d), with or without the ; a browser does not
// need, any number of leading zeros; each run of backslashes is matched from its start only (linear)
const characterEscapes = /(?<!\\)\\+(?:u([0-9a-fA-F]{4})|u\{0*([0-9a-fA-F]{1,6})\}|x([0-9a-fA-F]{2}))|&#[xX]0*([0-9a-fA-F]{1,6});?|&#0*([0-9]{1,7});?|&(quot|apos|amp|lt|gt|equals|colon|commat|sol|bsol|num|percnt);/g;
const hasEscape = /%[0-9a-f]{2}|\\u[0-9a-f{]|\\x[0-9a-f]{2}|&#|&[a-z]{2,6};/i;
const named: Record<string, string> = { quot: '"', apos: "'", amp: '&', lt: '<', gt: '>', equals: '=', colon: ':', commat: '@', sol: '/', bsol: '\\', num: '#', percnt: '%' };

function decodeCharacter(written: string, u?: string, braced?: string, x?: string, hex?: string, decimal?: string, name?: string): string {
  if (name) return named[name]!;
  const code = decimal ? Number(decimal) : parseInt(u ?? braced ?? x ?? hex!, 16);
  return code <= 0x10ffff ? String.fromCodePoint(code) : written;
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
// punctuation, the ratio sign, Lisu, the Z notation type colon), and of an equals sign.
const colonLike = /[\u02d0\u02f8\u0589\u05c3\u205a\u2236\u2982\ua4fd\ua789]/g;
const equalsLike = /[\ua78a\u2e40\u30a0]/g;
// and of a hyphen: the hyphens, the non-breaking one a word processor puts in, the dashes, the minus sign
const hyphenLike = /[\u2010-\u2015\u2043\u2212]/g;
/** a word a reader may read otherwise: an escape, a backslash, a + (a space in a query), or anything not ASCII */
const mayHide = /[^\x00-\x7f]|[%\\&+]/;

/** One word as a reader reads it: decoded, made `plain`, accents and marks dropped, lookalikes folded, quotes unescaped, + a space. */
export function readWord(word: string, plain: (text: string) => string): string {
  return plain(escapesDecoded(word))
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(colonLike, ':')
    .replace(equalsLike, '=')
    .replace(hyphenLike, '-')
    .replace(/\u2254/g, ':=')
    .replace(/(?<!\\)\\+(["'])/g, '$1')
    .replace(/\+/g, ' ');
}

/**
 * `text` with each word whose reading reveals more secrets (`secretsIn`) than its written form, alone
 * or between the words beside it (password &#61; hunter2), replaced by that reading; the caller then
 * redacts the whole text. At most four counts of at most three words per word that may hide one:
 * linear in the text.
 */
export function revealHidingWords(text: string, plain: (text: string) => string, secretsIn: (text: string) => number): string {
  if (!mayHide.test(text)) return text;
  const parts = text.split(/(\s+)/); // words at even positions, the spaces between them at odd ones
  const reveals = (read: string, written: string) => {
    const found = secretsIn(read);
    return found > 0 && found > secretsIn(written);
  };
  for (let at = 0; at < parts.length; at += 2) {
    const word = parts[at]!;
    if (!mayHide.test(word)) continue;
    const read = readWord(word, plain);
    if (read === word) continue;
    const before = at >= 2 ? `${parts[at - 2]}${parts[at - 1]}` : '';
    const after = at + 2 < parts.length ? `${parts[at + 1]}${parts[at + 2]}` : '';
    if (reveals(read, word) || reveals(before + read + after, before + word + after)) parts[at] = read;
  }
  return parts.join('');
}
