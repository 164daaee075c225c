// The secrets redaction finds, one table: each pattern with what it catches, in words, and an example
// it must clean (tests/unit/redact.test.ts runs every row). shared/redact.ts applies it.
import { isOpaqueToken } from './opaque-token.ts';

/** what a secret becomes */
export const redactedMark = '[redacted]';
const redacted = redactedMark;

export type SecretPattern = {
  name: string;
  /** what it catches, in words */
  catches: string;
  /** a text it must clean, and the part of it that must not survive */
  example: string;
  secret: string;
  pattern: RegExp;
  replacement: string | ((match: string, ...groups: string[]) => string);
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
    pattern: /\b(authorization["']?\s{0,8}[:=]\s{0,8})([a-z][a-z0-9-]{0,30}\s+)?("[^"]{0,2000}"?|'[^']{0,2000}'?|[^\s&,;"']{1,2000})/gi,
    replacement: `$1$2${redacted}`,
  },
  {
    name: 'cookie-header',
    catches: 'every value of a Cookie or Set-Cookie header (sessions are credentials): its name=value pairs to the end of the line',
    example: 'request had Cookie: theme=dark; session=abcdef1234567890',
    secret: 'abcdef1234567890',
    pattern: /\b((?:set[-_]?)?cookies?["']?\s{0,8}:\s{0,8})([^\r\n]{1,4000})/gi,
    replacement: (_, label, pairs) => label + pairs.replace(/([^\s=;,"'{}]{1,256}\s{0,8}=\s{0,8})("[^"]*"?|[^\s;,"'{}]*)/g, `$1${redacted}`),
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
    catches: 'key=, token=, secret=, password=, signature=, credential= values (api_key: ..., "access_token": "...", Ruby\'s "password" => "..."), quoted or bare',
    example: 'https://x.io/cb?access_token=abc&user=bob',
    secret: 'abc',
    pattern:
      /\b([a-z0-9_-]{0,64}(?:key|token|secret|password|passwd|pwd|signature|credentials?)["']?)(\s{0,8}(?:=>|[=:])\s{0,8})("(?:[^"\\]|\\.){0,2000}"?|'(?:[^'\\]|\\.){0,2000}'?|[^\s&,;"']{1,2000})/gi,
    replacement: `$1$2${redacted}`,
  },
  {
    name: 'password-prose',
    catches: '"password is hunter2", "secret was ...", "api key set to ..." in prose',
    example: 'login failed: password is hunter2',
    secret: 'hunter2',
    pattern:
      /\b((?:password|passphrase|passwd|pwd|secret|token|api[ _-]?key)s?\s{1,8}(?:is|was|are|were|(?:set|changed|reset) to)\s{1,8})("[^"]{0,200}"?|'[^']{0,200}'?|[^\s"',;]{1,200})/gi,
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
    pattern: /((?:^|\s)(?:-u|--user)(?:\s{1,8}|=)?)("[^"]{1,512}"?|'[^']{1,512}'?|[^\s"':]{1,256}:[^\s"']{1,256})/gi,
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
