// Text from the database goes into a public file: keep the first line, strip control and invisible
// characters, redact anything that looks like a secret, then bound the length. Redaction runs before
// truncation, so a cut can never expose the start of a secret that the patterns would have caught whole.
import { limits } from './constants.ts';
import { isOpaqueToken } from './opaque-token.ts';
import { decodeHidingWords } from './hidden-secrets.ts';

const redacted = '[redacted]';
// C0 and C1 controls (tab, escape, NEL, ...) and the line and paragraph separators: a space, so that
// "Bearer\tTOKEN" stays two words and gets redacted.
const controls = '\\p{Cc}\\u2028\\u2029';
const controlCharacters = new RegExp(`[${controls}]+`, 'gu');
// Format characters (bidi embeddings, overrides and isolates U+202A-E and U+2066-9, the marks
// U+200E/F and U+061C, zero-width U+200B-D, word joiner, BOM, soft hyphen, tag characters), lone
// surrogates and the fillers that render as nothing: removed, so that a line cannot read differently
// than it is and "sk-\u200bproj-..." cannot hide from the patterns.
const formats = '\\p{Cf}\\u034f\\u115f\\u1160\\u17b4\\u17b5\\u3164\\uffa0';
const invisibleCharacters = new RegExp(`[${formats}\\p{Cs}]+`, 'gu');
// Where a cut may end a word: a space, and what cleaning turns into one or removes (padding it squeezes
// away). Not a lone surrogate: none comes from the database (UTF-8), and half of a pair is no word end.
const wordEnds = `\\s${controls}${formats}`;
const startsWithWordEnd = new RegExp(`^[${wordEnds}]`, 'u');
const lastWordEnd = new RegExp(`[${wordEnds}][^${wordEnds}]*$`, 'u');
const lineBreak = /\r\n|[\r\n\u2028\u2029]/;

export type SecretPattern = {
  name: string;
  /** what it catches, in words */
  catches: string;
  /** a text it must clean, and the part of it that must not survive */
  example: string;
  secret: string;
  pattern: RegExp;
  replacement: string | ((match: string) => string);
};

// A quantifier that scans a word and may then fail to match is bounded: a hostile 100,000-character
// value must cost milliseconds, not seconds (an unbounded `\S+@` after each "a://" is quadratic);
// npm run bench:redact measures it. Order matters: the specific patterns run before the generic hex
// and base64 runs.
export const secretPatterns: readonly SecretPattern[] = [
  {
    name: 'url-credentials',
    catches: 'user:password@ in any scheme://, up to the last @ of the word (a password may hold / ? # @)',
    example: 'connect postgres://app:hunter2@db.internal:5432/cogni failed',
    secret: 'hunter2',
    pattern: /\b([a-z][a-z0-9+.-]{0,31}:\/\/)\S{1,256}@/gi,
    replacement: `$1${redacted}@`,
  },
  {
    name: 'authorization-header',
    catches: 'the value of an Authorization header, whatever its scheme (Token, Digest, custom)',
    example: 'Authorization: Token abc123def',
    secret: 'abc123def',
    pattern: /\b(authorization["']?\s{0,8}[:=]\s{0,8})([a-z][a-z0-9-]{0,30}\s+)?("[^"]{0,2000}"|'[^']{0,2000}'|[^\s&,;"']{1,2000})/gi,
    replacement: `$1$2${redacted}`,
  },
  {
    name: 'bearer-basic',
    catches: 'Bearer and Basic credentials',
    example: 'upstream said: bearer abc/def+ghi==',
    secret: 'abc/def+ghi==',
    pattern: /\b(bearer|basic)\s+[a-z0-9\-._~+/]{1,4000}=*/gi,
    replacement: `$1 ${redacted}`,
  },
  {
    name: 'token-scheme',
    catches: '"Token <value>" with a digit in the value (Authorization: Token), not prose like "token expired"',
    example: 'retry with Token abc123def failed',
    secret: 'abc123def',
    pattern: /\b(token)\s+(?=[a-z0-9\-._~+/]{0,4000}[0-9])[a-z0-9\-._~+/]{6,4000}=*/gi,
    replacement: `$1 ${redacted}`,
  },
  {
    name: 'key-value',
    catches: 'key=, token=, secret=, password=, signature=, credential= values (api_key: ..., "access_token": "..."), quoted or bare',
    example: 'https://x.io/cb?access_token=abc&user=bob',
    secret: 'abc',
    pattern:
      /\b([a-z0-9_-]{0,64}(?:key|token|secret|password|passwd|pwd|signature|credentials?)["']?)(\s{0,8}[=:]\s{0,8})("[^"]{0,2000}"|'[^']{0,2000}'|[^\s&,;"']{1,2000})/gi,
    replacement: `$1$2${redacted}`,
  },
  {
    name: 'password-prose',
    catches: '"password is hunter2", "secret was ...", "api key set to ..." in prose',
    example: 'login failed: password is hunter2',
    secret: 'hunter2',
    pattern:
      /\b((?:password|passphrase|passwd|pwd|secret|token|api[ _-]?key)s?\s{1,8}(?:is|was|are|were|(?:set|changed|reset) to)\s{1,8})("[^"]{0,200}"|'[^']{0,200}'|[^\s"',;]{1,200})/gi,
    replacement: `$1${redacted}`,
  },
  {
    name: 'azure-sas-signature',
    catches: 'the sig= of an Azure shared access signature (and any sig= parameter)',
    example: 'GET https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&sig=p0Rk%2Bq3tXy%3D 403',
    secret: 'p0Rk%2Bq3tXy%3D',
    pattern: /\b(sig=)[^\s&,;"']{1,2000}/gi,
    replacement: `$1${redacted}`,
  },
  {
    name: 'curl-user',
    catches: 'curl -u user:password and --user user:password',
    example: 'ran curl -u admin:Adm1nPass https://api.internal/x',
    secret: 'Adm1nPass',
    pattern: /((?:^|\s)(?:-u|--user)(?:\s{1,8}|=)?)("[^"]{1,512}"|'[^']{1,512}'|[^\s"':]{1,256}:[^\s"']{1,256})/gi,
    replacement: `$1${redacted}`,
  },
  {
    name: 'user-password-at-host',
    catches: 'user:password@host without a scheme',
    example: 'mysql connect admin:S3cretPw@db.internal refused',
    secret: 'S3cretPw',
    pattern: /\b[a-z0-9._%+-]{1,64}:[^\s:@/]{1,256}@(?=[a-z0-9])/gi,
    replacement: `${redacted}@`,
  },
  {
    name: 'jwt',
    catches: 'JSON Web Tokens, also alg-none ones with an empty or short signature',
    example: 'token eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. rejected',
    secret: 'eyJzdWIiOiIxIn0',
    pattern: /\beyJ[a-z0-9_-]{2,4000}\.[a-z0-9_-]{2,8000}(?:\.[a-z0-9_-]{0,4000})?/gi,
    replacement: redacted,
  },
  {
    name: 'openai-style-key',
    catches: 'sk-... keys (OpenAI sk-proj-..., Anthropic sk-ant-...)',
    example: 'invalid key sk-proj-AbCdEf1234567890 used',
    secret: 'AbCdEf1234567890',
    pattern: /\bsk-[a-z0-9_-]{8,}/gi,
    replacement: redacted,
  },
  {
    name: 'stripe-key',
    catches: 'Stripe secret and restricted keys (sk_live_..., rk_test_...)',
    example: 'charge failed for sk_live_4eC39HqLyjWDarjtT1 now',
    secret: '4eC39HqLyjWDarjtT1',
    pattern: /\b[sr]k_(?:live|test)_[a-z0-9]{8,}/gi,
    replacement: redacted,
  },
  {
    name: 'aws-access-key-id',
    catches: 'AWS access key ids: AKIA... (long-term) and ASIA... (temporary, STS)',
    example: 'denied for ASIAY34FZKBOKMUTVV7A in us-east-1',
    secret: 'ASIAY34FZKBOKMUTVV7A',
    pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
    replacement: redacted,
  },
  {
    name: 'slack-token',
    catches: 'Slack tokens: xoxb- (bot), xoxp- (user), xoxa-, xoxr-, xoxs-, xoxe-',
    example: 'slack post failed with xoxp-1234-5678-abcdef',
    secret: 'xoxp-1234-5678-abcdef',
    pattern: /\bxox[abeoprs]-[a-z0-9-]{6,}/gi,
    replacement: redacted,
  },
  {
    name: 'github-token',
    catches: 'GitHub tokens: ghp_, gho_, ghu_, ghs_, ghr_, github_pat_',
    example: 'clone failed with ghp_16C7e42F292c6912E7710c8',
    secret: 'ghp_16C7e42F292c6912E7710c8',
    pattern: /\b(?:gh[pousr]|github_pat)_[a-z0-9_]{16,}/gi,
    replacement: redacted,
  },
  {
    name: 'gitlab-token',
    catches: 'GitLab tokens by their prefixes: glpat- (personal), gldt- (deploy), glptt- (pipeline trigger), glrt- (runner), ...',
    example: 'push refused for glpat-xYz12AbC34dEf56GhI78jK',
    secret: 'xYz12AbC34dEf56GhI78jK',
    pattern: /\bgl(?:pat|dt|ptt|rt|soat|cbt|imt|ft|agent|oas)-[a-z0-9_-]{20,}/gi,
    replacement: redacted,
  },
  {
    name: 'google-api-key',
    catches: 'Google API keys (AIza followed by 35 characters)',
    example: 'maps said REQUEST_DENIED for AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v',
    secret: 'AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v',
    pattern: /\bAIza[0-9A-Za-z_-]{35}/g,
    replacement: redacted,
  },
  {
    name: 'npm-token',
    catches: 'npm access tokens (npm_ followed by 36 characters)',
    example: 'publish failed with npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
    secret: 'npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
    pattern: /\bnpm_[a-z0-9]{36}\b/gi,
    replacement: redacted,
  },
  {
    name: 'private-key',
    catches: 'a PEM private key block, to its END line or the end of the text',
    example: 'bad key -----BEGIN RSA PRIVATE KEY----- MIIBOgIBAAJBAKj34 -----END RSA PRIVATE KEY----- here',
    secret: 'MIIBOgIBAAJBAKj34',
    pattern: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)/g,
    replacement: redacted,
  },
  {
    name: 'email',
    catches: 'e-mail addresses',
    example: 'notify ops.lead+alerts@example.org failed',
    secret: 'ops.lead+alerts@example.org',
    pattern: /\b[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}\b/gi,
    replacement: redacted,
  },
  {
    name: 'hex-run',
    catches: 'runs of 32+ hex digits with a letter among them (hashes, keys, tokens), even of letters only; a UUID\'s dashed groups are shorter',
    example: 'hash aaaaaaaaaaaaaaaa0123456789abcdef mismatch',
    secret: 'aaaaaaaaaaaaaaaa0123456789abcdef',
    // bounded by anything but a letter or digit, so `sha_<hex>` and `run-<hex>` are caught too
    pattern: /(?<![0-9a-z])(?=[0-9]{0,4000}[a-f])[0-9a-f]{32,}(?![0-9a-z])/gi,
    replacement: redacted,
  },
  {
    name: 'base64-token',
    catches: 'base64 or base64url runs of 32+ characters where some 32 look random (mixed case and digits, high entropy: shared/opaque-token.ts); ids made of words and numbers stay',
    example: 'blob QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk= end',
    secret: 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk',
    pattern: /[a-z0-9+/_-]{32,}={0,2}/gi,
    replacement: (run) => (isOpaqueToken(run) ? redacted : run),
  },
];

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

/** Control characters become one space; format and invisible characters are removed. */
export function stripControlCharacters(text: string): string {
  return text.replace(invisibleCharacters, '').replace(controlCharacters, ' ').replace(/ {2,}/g, ' ');
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
// characters gone, %-escapes that hide a secret decoded: no secret hides in a form a reader reads as it.
const plainForms = (text: string) => stripControlCharacters(text.normalize('NFKC'));

/** Redacted as read (folded, decoded, cut to `bound`) where that holds a secret, else as written: 10⁶ is no 106. */
function redactAsRead(written: string, bound = (text: string) => text): string {
  const read = decodeHidingWords(bound(plainForms(written)), plainForms, redactSecrets);
  const redacted = redactSecrets(read);
  return read === written || redacted !== read ? redacted : redactSecrets(written);
}

// No public text is longer than a few hundred characters; a title of many megabytes must not hold
// the event loop (and /healthz) for seconds.
const inputBound = 65_536;
const boundInput = (text: string) => cutAtWord(text, inputBound);

/**
 * `text` cut to `bound` characters at a word's end: the cut word is dropped, not cleaned half, so a
 * cut cannot expose the start of a secret (a URL's password without the @ its pattern needs). Only a
 * text that is one giant word keeps its cut end: visible characters are not squeezed, so it lies far
 * past any public length.
 */
export function cutAtWord(text: string, bound: number): string {
  if (text.length <= bound) return text;
  const cut = text.slice(0, bound);
  if (startsWithWordEnd.test(text.charAt(bound))) return cut; // cut between two words
  const end = cut.search(lastWordEnd);
  return end === -1 ? cut : cut.slice(0, end);
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
