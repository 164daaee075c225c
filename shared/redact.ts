// Text from the database goes into a public file: keep the first line, strip control and invisible
// characters, redact anything that looks like a secret, then bound the length. Redaction runs before
// truncation, so a cut can never expose the start of a secret that the patterns would have caught whole.
import { limits } from './constants.ts';
import { revealHidingWords } from './hidden-secrets.ts';
import { controlClass, stripControlCharacters } from './plain-text.ts';
import { redactedMark, secretPatterns } from './secret-patterns.ts';

// Where a cut falls between two words: at a space, or at what cleaning turns into one.
const wordEnd = new RegExp(`^[\\s${controlClass}]`, 'u');
const lineBreak = /\r\n|[\r\n\u2028\u2029]/;

export function redactSecrets(text: string): string {
  let out = text;
  for (const { pattern, replacement } of secretPatterns) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

/** At most `max` UTF-16 units, ending in "…" when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * The one cleaning step for any string from the database that reaches the public file: control,
 * bidirectional and invisible characters go, secrets are redacted, the length is capped.
 */
export function publicText(text: string, max: number): string {
  return truncate(redactAsRead(stripControlCharacters(boundInput(text)), boundInput).trim(), max);
}

export const redactLogText = (text: string) => redactAsRead(text); // a log line's text, as publicText's, uncut

// Compatibility forms folded (NFKC: fullwidth ｓｋ－ and ＠ read as sk- and @), control and invisible
// characters gone, and each word that hides a secret as a reader reads it (shared/hidden-secrets.ts):
// no secret hides in a form a reader reads as it.
const plainForms = (text: string) => stripControlCharacters(text.normalize('NFKC'));
const secretsIn = (text: string) => redactSecrets(text).split(redactedMark).length - 1;

/**
 * Redacted as written, unless what is left still hides a secret as read (folded, revealed, cut to
 * `bound`): then the reader's form, redacted. So 10⁶ stays 10⁶ beside a token=, and ｓｋ－… is caught.
 */
function redactAsRead(written: string, bound = (text: string) => text): string {
  const redacted = redactSecrets(written);
  const read = revealHidingWords(bound(plainForms(redacted)), plainForms, secretsIn);
  if (read === redacted) return redacted;
  const rest = redactSecrets(read);
  return rest === read ? redacted : rest;
}

// No public text is longer than a few hundred characters; a title of many megabytes must not hold
// the event loop (and /healthz) for seconds.
const inputBound = 65_536;
const boundInput = (text: string) => cutAtWord(text, inputBound);

/**
 * `text` cut to `bound` characters, cleaned, and its cut word dropped: the words as the patterns read
 * them (padding squeezed, a zero-width character inside a word gone), so a cut cannot expose the start
 * of a secret whose end it took (a URL's password without the @ its pattern needs). A cut that is one
 * word is dropped whole (empty), for the same reason: its start may be the secret.
 */
export function cutAtWord(text: string, bound: number): string {
  if (text.length <= bound) return text;
  const cut = stripControlCharacters(text.slice(0, bound));
  if (wordEnd.test(text.charAt(bound))) return cut;
  const end = cut.search(/\s\S*$/);
  return end >= 0 ? cut.slice(0, end) : '';
}

/** A run's error_message as it may appear in public, or null when there is nothing to show. */
export function publicErrorMessage(message: string | null): string | null {
  if (message === null) return null;
  const clean = publicText(message.split(lineBreak, 1)[0] ?? '', limits.errorMessageLength);
  return clean === '' ? null : clean;
}

const bareCode = /^[a-z][a-z0-9_]{2,63}$/;

/**
 * The error_code column where set; else the message itself when it is a bare code; else null. A
 * message that only looks like a code (a 40-character hex token is one lowercase word too) is no
 * code: if redaction would touch it, it is left to publicErrorMessage, which shows it redacted.
 */
export function errorCodeOf(errorCode: string | null | undefined, message: string | null): string | null {
  const column = errorCode == null ? '' : publicText(errorCode, limits.errorCodeLength);
  if (column !== '') return column;
  const whole = message?.trim() ?? '';
  return bareCode.test(whole) && redactSecrets(whole) === whole ? whole : null;
}

/** metadata->'title' as shown: the same pipeline as every other text, at most 200 characters, null unless a string. */
export function publicTitle(title: unknown): string | null {
  if (typeof title !== 'string') return null;
  return publicText(title, limits.titleLength);
}

/** A schedule's cron or time zone as shown: data, so possibly malformed; bounded and printable. */
export function publicScheduleText(text: string): string {
  return publicText(text, limits.scheduleLength);
}
