// Text from the database goes into a public file: keep the first line, strip control characters,
// redact anything that looks like a secret, then bound the length. Redaction runs before truncation,
// so a cut can never expose the start of a secret that the patterns would have caught whole.
import { limits } from './contract.ts';

const redacted = '[redacted]';
// C0/C1 controls, plus bidi overrides that could make a public line read differently than it is.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;
const lineBreak = /\r\n|[\r\n\u2028\u2029]/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// snake_case or kebab-case words: long identifiers, not keys (a key mixes case or has digits)
const plainWords = /^[a-z_-]+$/;

const secretPatterns: ReadonlyArray<[RegExp, string | ((match: string) => string)]> = [
  // scheme://user:password@host: everything up to the last @ of the word, as a password may hold / ? # @
  [/\b([a-z][a-z0-9+.-]*:\/\/)\S+@/gi, `$1${redacted}@`],
  [/\b(bearer|basic)\s+[a-z0-9\-._~+/]+=*/gi, `$1 ${redacted}`],
  // key=..., api_key: ..., "access_token": "...", client_secret=..., password=... (quoted or bare)
  [/\b([a-z0-9_-]*(?:key|token|secret|password)["']?)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"']+)/gi, `$1$2${redacted}`],
  [/\bsk-[a-z0-9_-]{8,}/gi, redacted],
  [/\bAKIA[0-9A-Z]{16}\b/g, redacted], // AWS access key id
  [/\b[0-9a-f]{32,}\b/gi, redacted], // long hex runs (hashes, keys), even of letters only
  // long base64 runs (keys, JWT parts); UUIDs and plain words are identifiers
  [/[a-z0-9+/_-]{32,}={0,2}/gi, (run) => (uuid.test(run) || plainWords.test(run) ? run : redacted)],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of secretPatterns) {
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

/** Control characters become one space (so "Bearer\tTOKEN" stays two words and gets redacted). */
export function stripControlCharacters(text: string): string {
  return text.replace(controlCharacters, ' ').replace(/ {2,}/g, ' ');
}

/**
 * The one cleaning step for any string from the database that reaches the public file: control and
 * bidirectional-override characters become spaces, secrets are redacted, the length is capped.
 */
export function publicText(text: string, max: number): string {
  return truncate(redactSecrets(stripControlCharacters(text)).trim(), max);
}

/** A run's error_message as it may appear in public, or null when there is nothing to show. */
export function publicErrorMessage(message: string | null): string | null {
  if (message === null) return null;
  const firstLine = message.split(lineBreak, 1)[0] ?? '';
  const clean = redactSecrets(stripControlCharacters(firstLine)).trim();
  return clean === '' ? null : truncate(clean, limits.errorMessageLength);
}

const bareCode = /^[a-z][a-z0-9_]{2,63}$/;

/** The error_code column where set; else the message itself when it is a bare code; else null. */
export function errorCodeOf(errorCode: string | null | undefined, message: string | null): string | null {
  const column = errorCode == null ? '' : stripControlCharacters(errorCode).trim();
  if (column !== '') return truncate(redactSecrets(column), 64);
  const whole = message?.trim() ?? '';
  return bareCode.test(whole) ? whole : null;
}

/** metadata->'title' as shown: control characters removed, at most 200 characters, null unless a string. */
export function publicTitle(title: unknown): string | null {
  if (typeof title !== 'string') return null;
  return truncate(stripControlCharacters(title).trim(), limits.titleLength);
}

/** A schedule's cron or time zone as shown: data, so possibly malformed; bounded and printable. */
export function publicScheduleText(text: string): string {
  return truncate(stripControlCharacters(text).trim(), 100);
}
