import { describe, expect, it } from 'vitest';
import { cutAtWord, errorCodeOf, publicErrorMessage, publicScheduleText, publicText, publicTitle, redactLogText, redactSecrets, truncate } from '../../shared/redact.ts';
import { secretPatterns } from '../../shared/secret-patterns.ts';
import { stripControlCharacters } from '../../shared/plain-text.ts';
import { describeError } from '../../worker/logger.ts';

describe('redactSecrets: each secret pattern', () => {
  it('removes credentials from URLs but keeps scheme and host', () => {
    expect(redactSecrets('connect postgres://app:hunter2@db.internal:5432/cogni failed')).toBe(
      'connect postgres://[redacted]@db.internal:5432/cogni failed',
    );
    expect(redactSecrets('GET https://ghp_token123@github.com/x')).toBe('GET https://[redacted]@github.com/x');
    expect(redactSecrets('postgres://app:pa/ss@db:5432/x')).toBe('postgres://[redacted]@db:5432/x');
    expect(redactSecrets('postgres://app:p@ss@db/x down')).toBe('postgres://[redacted]@db/x down');
  });
  it('removes bearer tokens', () => {
    expect(redactSecrets('Authorization: Bearer eyJhbGciOi.payload.sig')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('bearer abc/def+ghi==')).toBe('bearer [redacted]');
    expect(redactSecrets('Authorization: Basic dXNlcjpwYXNz')).toBe('Authorization: Basic [redacted]');
  });
  it('removes key=, token=, secret= and password= values, quoted or bare', () => {
    expect(redactSecrets('api_key=abc123 next')).toBe('api_key=[redacted] next');
    expect(redactSecrets('https://x.io/cb?token=abc&user=bob')).toBe('https://x.io/cb?token=[redacted]&user=bob');
    expect(redactSecrets('client_secret = "s3cr3t value"')).toBe('client_secret = [redacted]');
    expect(redactSecrets("PASSWORD='pa ss'")).toBe('PASSWORD=[redacted]');
    expect(redactSecrets('key=v1,other')).toBe('key=[redacted],other');
    expect(redactSecrets('password: hunter2 rejected')).toBe('password: [redacted] rejected');
    expect(redactSecrets('{"password":"hunter2","user":"x"}')).toBe('{"password":[redacted],"user":"x"}');
    expect(redactSecrets('{"api_key": "abc def"}')).toBe('{"api_key": [redacted]}');
  });
  it('removes AWS access key ids', () => {
    expect(redactSecrets('denied for AKIAIOSFODNN7EXAMPLE')).toBe('denied for [redacted]');
  });
  it('removes sk- keys', () => {
    expect(redactSecrets('invalid key sk-proj-AbCdEf1234567890 used')).toBe('invalid key [redacted] used');
    expect(redactSecrets('sk-ant-api03-xyz_12345678')).toBe('[redacted]');
  });
  it('removes hex runs of 32+ characters', () => {
    const hex = 'a'.repeat(16) + '0123456789abcdef';
    expect(redactSecrets(`hash ${hex} mismatch`)).toBe('hash [redacted] mismatch');
    expect(redactSecrets(`short ${'ab12'.repeat(7)} kept`)).toBe(`short ${'ab12'.repeat(7)} kept`); // 28 chars
  });
  it('removes base64 runs of 32+ characters', () => {
    expect(redactSecrets('blob QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk= end')).toBe('blob [redacted] end');
    expect(redactSecrets('secret wJalrXUtnFEMIKMDENGbPxRfiCYEXAMPLEKEYabcdef here')).toBe('secret [redacted] here'); // no digit
    expect(redactSecrets(`hex ${'deadbeef'.repeat(4)}`)).toBe('hex [redacted]'); // letters only
  });
  it('keeps UUIDs and long plain words, which are identifiers, not secrets', () => {
    const text = 'run 3f2b8c1e-4d5a-4e6f-8a9b-0c1d2e3f4a5b of insufficient_credits_for_system_account failed';
    expect(redactSecrets(text)).toBe(text);
  });
  it('leaves an ordinary message alone', () => {
    expect(redactSecrets('insufficient_credits')).toBe('insufficient_credits');
  });
});

// Public ids, names and titles are redacted only where a secret shows by its shape or its label, never
// by length alone (issue 21): at the 32-character edge, each side of it.
describe('ids survive and secrets do not, at the 32-character edge', () => {
  const ids: Array<[what: string, id: string]> = [
    ['a 32-character slug with a date', 'engineering-20261204T130000-0001'],
    ['the demo thread key with that slug', 'governance-engineering-20261204T130000-0001'],
    ['a slug with a longer name', 'sustainability-20261204T130000-0042'],
    ['a UUID', '3f2b8c1e-4d5a-4e6f-8a9b-0c1d2e3f4a5b'],
    ['a UUID inside an id', 'run-3f2b8c1e-4d5a-4e6f-8a9b-0c1d2e3f4a5b-attempt-2'],
    ['an error class name (PascalCase)', 'WorkflowExecutionAlreadyStartedError'],
    ['a camelCase identifier', 'getGovernanceStatusForSystemAccount'],
    ['snake_case words', 'insufficient_credits_for_system_account'],
    ['UPPER_CASE words', 'GOVERNANCE_ENGINEERING_WEEKLY_REVIEW'],
    ['a 32-digit number (no hex letter)', '20261204130000000000000000000001'],
    ['a simulated run id with epoch milliseconds', 'governance-engineering-sim-1764853200000'],
    ['a path of words and numbers', 'repos/cogni-dao/governance-status-publisher/pulls/1234'],
    ['an id that starts like a token prefix', 'global-engineering-review-20261204'],
    ['31 random characters: below the edge, a run is not judged', 'q7Zr2XbT9mKw4NvP8sLd3HfJ6yGc1Rt'],
  ];
  it.each(ids)('keeps %s', (_what, id) => {
    expect(redactSecrets(id)).toBe(id);
    expect(publicText(`run ${id} failed`, 300)).toBe(`run ${id} failed`);
  });

  const secrets: Array<[what: string, text: string, secret: string]> = [
    ['32 hex digits', 'token a94a8fe5ccb19ba61c4c0873d391e987 used', 'a94a8fe5ccb19ba61c4c0873d391e987'],
    ['a 40-hex token', 'run a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    ['hex glued to a word by _ or -', 'sha_a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 and run-deadbeefdeadbeefdeadbeefdeadbeef', 'deadbeefdeadbeef'],
    ['32 random base64 characters', 'key q7Zr2XbT9mKw4NvP8sLd3HfJ6yGc1RtE ok', 'q7Zr2XbT9mKw4NvP8sLd3HfJ6yGc1RtE'],
    ['32 random base64url characters', 'session Xk3_vQ9-pL2mN8rT4wY6zA1bC5dE7fG0 ok', 'Xk3_vQ9-pL2mN8rT4wY6zA1bC5dE7fG0'],
    ['a token glued to an id', 'id engineering-q7Zr2XbT9mKw4NvP8sLd3HfJ6yGc1RtE', 'q7Zr2XbT9mKw4NvP'],
    ['a token at the start of a long word', `q7Zr2XbT9mKw4NvP8sLd3HfJ6yGc1RtE${'r'.repeat(1_000)}`, 'q7Zr2XbT9mKw4NvP'],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
    ['an AWS secret key', 'aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['an sk- key', 'sk-proj-AbCdEf1234567890', 'AbCdEf1234567890'],
    ['a GitHub token', 'ghp_16C7e42F292c6912E7710c8', 'ghp_16C7e42F292c6912E7710c8'],
    ['a bearer token', 'Authorization: Bearer abc', 'abc'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'eyJzdWIiOiIxIn0'],
    ['credentials in a URL', 'https://bot:pass123@api.example.org/x', 'pass123'],
    ['a labelled value', 'password=short', 'short'],
  ];
  it.each(secrets)('redacts %s', (_what, text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
    expect(publicText(text, 300)).toContain('[redacted]');
  });

  it('catches every one of 2,000 random 256-bit keys (base64url, 43 characters) and 128-bit keys (base64, 24 bytes = 32 characters)', () => {
    const random = mulberry32(21);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const draw = (length: number, extra: string) => Array.from({ length }, () => (alphabet + extra)[Math.floor(random() * (alphabet.length + extra.length))]).join('');
    const missed = Array.from({ length: 2_000 }, (_, index) => (index % 2 ? draw(43, '-_') : draw(32, '+/'))).filter((key) => redactSecrets(`k ${key} k`) !== 'k [redacted] k');
    expect(missed).toEqual([]);
  });
});

/** mulberry32: a fixed sample, the same on every run */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the table of secret patterns: one test each', () => {
  it('has unique names, and every entry says what it catches', () => {
    expect(new Set(secretPatterns.map((entry) => entry.name)).size).toBe(secretPatterns.length);
    for (const entry of secretPatterns) expect(entry.catches.length).toBeGreaterThan(10);
  });
  it.each(secretPatterns)('$name: $catches', ({ example, secret, pattern, replacement }) => {
    expect(example).toContain(secret);
    // the pattern itself catches its example, and so does the whole pipeline
    const alone = typeof replacement === 'string' ? example.replace(pattern, replacement) : example.replace(pattern, replacement);
    expect(alone).not.toContain(secret);
    const cleaned = publicText(example, 300);
    expect(cleaned).not.toContain(secret);
    expect(cleaned).toContain('[redacted]');
  });
});

// The leaks found by trying (issue 12), each exactly as it reached the public file.
const leaks: Array<[what: string, text: string, secret: string]> = [
  ['an e-mail address', 'could not notify jane.doe@cogni.example: mailbox full', 'jane.doe@cogni.example'],
  ['a temporary AWS key id', 'AccessDenied: ASIAIOSFODNN7EXAMPLE is not authorized', 'ASIAIOSFODNN7EXAMPLE'],
  ['a long-term AWS key id', 'denied for AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
  ['a Slack user token', 'chat.postMessage failed: xoxp-2048-9134-AbCdEf', 'xoxp-2048-9134-AbCdEf'],
  ['a Slack bot token', 'invalid_auth for xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy', 'pdFZKVeTuE8sk7oOcBrzbqgy'],
  ['Authorization: Token', 'request had Authorization: Token abc123def', 'abc123def'],
  ['Token in prose', 'retry with Token abc123def', 'abc123def'],
  ['a password in prose', 'bootstrap failed, the password is hunter2', 'hunter2'],
  ['an Azure SAS signature', 'PUT https://a.blob.core.windows.net/c/x?sp=rw&sig=3dJk9%2FzQ%3D failed', '3dJk9%2FzQ%3D'],
  ['curl -u', 'exec: curl -u admin:Adm1nPass https://ci/x', 'Adm1nPass'],
  ['curl --user', 'exec: curl --user=admin:Adm1nPass https://ci/x', 'Adm1nPass'],
  ['an alg-none JWT, empty signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0. accepted', 'eyJzdWIiOiJhIn0'],
  ['a short JWT', 'got eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln', 'eyJhIjoxfQ'],
  ['a database URL in a title', 'Deploy postgres://u:TitlePass@h/d now', 'TitlePass'],
  ['an sk-proj key in a title', 'Review sk-proj-Abc123Def456Ghi789', 'Abc123Def456Ghi789'],
  ['a credential split by a zero-width space', 'key sk-\u200bproj-Abc123Def456Ghi789', 'Abc123Def456Ghi789'],
  // secret-attack: forms a reader still reads as the secret
  ['a key in fullwidth letters', 'key ｓｋ－ｐｒｏｊ－Ａｂｃ１２３Ｄｅｆ４５６Ｇｈｉ７８９ used', 'Ａｂｃ１２３Ｄｅｆ４５６Ｇｈｉ７８９'],
  ['a GitHub token with a fullwidth underscore', 'clone failed with ghp＿16C7e42F292c6912E7710c8', '16C7e42F292c6912E7710c8'],
  ['an e-mail address with a fullwidth @', 'could not notify jane.doe＠cogni.example', 'jane.doe'],
  ['a %-encoded key', 'GET /cb?next=sk%2Dproj%2DAbc123Def456Ghi789 400', 'Abc123Def456Ghi789'],
  ['a %-encoded Authorization header', 'echo: Authorization%3A%20Bearer%20Zm9vYmFyYmF6cXV4 rejected', 'Zm9vYmFyYmF6cXV4'],
  ['URL credentials %-encoded twice', 'redirect to https%253A%252F%252Fadmin%253Ahunter2%2540host failed', 'hunter2'],
  // hostile rows: escapes a reader reads through, and headers that carry a session
  ['a password in JSON inside a string', 'POST /login {\\"user\\":\\"bob\\",\\"password\\":\\"hunter2\\"} rejected', 'hunter2'],
  ['an = written as JSON writes it', 'login password\\u003dhunter2 failed', 'hunter2'],
  ['an = written as an HTML character reference', 'login password&#61;hunter2 failed', 'hunter2'],
  ['an = written as a JavaScript escape', 'login password\\x3dhunter2 failed', 'hunter2'],
  ['a Cookie header', 'request had Cookie: session=abcdef1234567890; theme=dark', 'abcdef1234567890'],
  ['a Set-Cookie header', 'got Set-Cookie: sid=Zq81abcXYZ; Path=/; HttpOnly', 'Zq81abcXYZ'],
  ['a combining mark after the label', 'login password\u0301=hunter2 failed', 'hunter2'],
  ['a colon NFKC does not fold', 'config api_key\ua789 Zq81abcXYZ loaded, token\u2236 Zq81abcXYZ', 'Zq81abcXYZ'],
  ['braille blanks for spaces', 'login failed, the password\u2800is\u2800hunter2', 'hunter2'],
  // a reviewer's siblings of those: marks NFKC composes, other lookalikes, escapes across a space
  ['a combining mark NFKC composes, inside the label', 'login pas\u0301sword=hunter2 failed', 'hunter2'],
  ['a combining mark inside a key', 'invalid key sk-proj-\u0301AbCdEf1234567890 used', 'AbCdEf1234567890'],
  ['five combining marks after the label', 'login password\u0301\u0301\u0301\u0301\u0301=hunter2 failed', 'hunter2'],
  ['other colon and equals lookalikes', 'password\ua78ahunter2 password\u02d0hunter2 password\u205ahunter2 password\u05c3hunter2 password\u0589hunter2 password\ua4fdhunter2 password\u2254hunter2', 'hunter2'],
  ['a Cookie header with a lookalike colon', 'request had Cookie\u2236 session=abcdef1234567890', 'abcdef1234567890'],
  ['an Authorization header with a lookalike colon', 'request had Authorization\u2236 Token abcdefghij123', 'abcdefghij123'],
  ['a Cookie in JSON inside a string', 'sent {\\"Cookie\\":\\"session=abcdef1234567890\\"}', 'abcdef1234567890'],
  ['an Authorization in JSON inside a string', 'sent {\\"authorization\\":\\"Custom s3cr3tvalue\\"}', 's3cr3tvalue'],
  ['a password in JSON escaped twice', 'sent {\\\\\\"password\\\\\\":\\\\\\"hunter2\\\\\\"}', 'hunter2'],
  ['an escaped = then a space', 'login password\\u003d hunter2 failed', 'hunter2'],
  ['a character reference = then a space', 'login password &#61; hunter2 failed', 'hunter2'],
  ['an escaped colon after Cookie', 'request had Cookie\\u003a session=abcdef1234567890', 'abcdef1234567890'],
  ['an escaped colon after Authorization', 'request had Authorization\\u003a Token abcdefghij123', 'abcdefghij123'],
  ['named and bare character references', 'password&equals;hunter2 &quot;password&quot;:&quot;hunter2&quot; password&#61hunter2 password&#x0000003d;hunter2', 'hunter2'],
  ['a JavaScript code point escape', 'login password\\u{3d}hunter2 failed', 'hunter2'],
  ["Ruby's hash syntax", 'params {"password"=>"hunter2", "user"=>"bob"}', 'hunter2'],
  ['Hangul fillers for spaces', 'the password\u3164is\u3164hunter2, the secret\uffa0is\u115fhunter2', 'hunter2'],
  ['near-miss cookie labels', 'Cookies: session=abcdef1234567890 set_cookie: sid=abcdef1234567890', 'abcdef1234567890'],
  // a second reviewer's: a hidden secret beside a plain one, values split by decoding, escaped quotes, Gson
  ['an accented label beside an e-mail address', 'contact ops@example.org, login pas\u0301sword=hunter2 failed', 'hunter2'],
  ['an accented label beside a token', 'token=abc login to\u0301ken=abcdef123 failed', 'abcdef123'],
  ['a %-encoded value with spaces in it', 'GET /login?user=bob&password=correct%20horse%20battery%20staple failed', 'horse'],
  ['a %-encoded value with an @ in it', 'GET /cb?password=p%40ss%20w0rd%21 401', 'w0rd'],
  ['an escaped quote inside a quoted value', '{"password":"pa\\"ss\\"XyZ"}', 'XyZ'],
  ['an = escaped twice (Gson)', 'login password\\\\u003dhunter2 failed', 'hunter2'],
  ['a Z notation colon', 'login password\u2982hunter2 failed', 'hunter2'],
  ['an enclosing mark after the label', 'login password\u20dd=hunter2 failed', 'hunter2'],
  ['a spaced Cookie pair', 'request had Cookie: session = abcdef1234567890', 'abcdef1234567890'],
  ['prose in a query, spaced with +', 'GET /search?q=my+password+is+hunter2 400', 'hunter2'],
  ['a key with hyphen lookalikes', 'invalid key sk\u2011proj\u2010AbCdEf1234567890 and sk\u2212proj-AbCdEf1234567890', 'AbCdEf1234567890'],
  // hostile rows: invisible selectors that NFKC keeps, inside the secret
  ['a key split by a variation selector', 'key sk-proj-\ufe0fHidden0123456789abcdef used', 'Hidden0123456789abcdef'],
  ['password= split by a variation selector', 'login password\ufe0f=hunter2 failed', 'hunter2'],
  ['Bearer split by a variation selector', 'sent Bearer\ufe0f abcdefgh12345678', 'abcdefgh12345678'],
  ['an AWS key id split by a supplementary variation selector', 'denied for AKIA\u{e0100}IOSFODNN7EXAMPLE', 'IOSFODNN7EXAMPLE'],
  ['a GitHub token split by a Mongolian variation selector', 'clone with ghp_\u180b16C7e42F292c6912E7710c8', '16C7e42F292c6912E7710c8'],
];

describe('what a label without a secret after it keeps', () => {
  it.each([
    'failed to parse cookie: invalid format at 10:00, retrying',
    'document.cookie: undefined; falling back to header auth',
    'cookie consent banner: dismissed',
    'GET /a%20b?q=100%25 took 100% of Café 議会',
    'GET /page?cookies=1&lang=de 404',
    'body {"msg":"say \\"hi\\"","user":"bob"}',
    'failed to load C:\\x64\\Release\\app.dll',
    'built with C++ and g++ -O2, a+b=c',
  ])('%s', (text) => {
    expect(publicText(text, 300)).toBe(text);
  });
});

describe('a text with a secret in plain sight is redacted as written', () => {
  it.each([
    ['10⁶ requests, ﬁle ① token=abc', '10⁶ requests, ﬁle ① token=[redacted]'],
    ['त्रुटि: सर्वर से कनेक्शन विफल, password=hunter2', 'त्रुटि: सर्वर से कनेक्शन विफल, password=[redacted]'],
    ['failed to load C:\\x64\\Release\\app.dll with api_key=abc123', 'failed to load C:\\x64\\Release\\app.dll with api_key=[redacted]'],
    ['GET /My%20Files/report.pdf?token=abc123', 'GET /My%20Files/report.pdf?token=[redacted]'],
  ])('%s', (text, shown) => {
    expect(publicText(text, 300)).toBe(shown);
  });
});

describe('each leak found by trying, through every public text function', () => {
  it.each(leaks)('%s', (_what, text, secret) => {
    expect(publicText(text, 300)).not.toContain(secret);
    expect(publicErrorMessage(text)).not.toContain(secret);
    expect(publicTitle(text)).not.toContain(secret);
    expect(errorCodeOf(text, null)).not.toContain(secret);
  });
});

describe('errorCodeOf: a message is a code only when it is a plain word', () => {
  it('takes a bare snake_case message as the code', () => {
    expect(errorCodeOf(null, ' insufficient_credits ')).toBe('insufficient_credits');
    expect(errorCodeOf('', 'grant_validation_failed')).toBe('grant_validation_failed');
  });
  it.each([
    ['a 40-character hex token (a git or API token, one lowercase word)', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    ['a 32-character lowercase hex key', 'deadbeefdeadbeefdeadbeefdeadbeef'],
    ['a lowercase base64-ish run with digits', 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8'],
  ])('never takes %s as a code, and the message shows it redacted', (_what, secret) => {
    expect(errorCodeOf(null, secret)).toBeNull();
    expect(publicErrorMessage(secret)).toBe('[redacted]');
  });
});

describe('log lines read secrets as public text does', () => {
  it.each(leaks)('%s', (_what, text, secret) => {
    expect(redactLogText(text)).not.toContain(secret);
    expect(describeError(new Error(text)).message).not.toContain(secret);
  });
  it('a %-escape that hides no secret, and what people write, stay as written', () => {
    expect(publicText('GET /a%20b?q=100%25 took 100% of Café 議会', 300)).toBe('GET /a%20b?q=100%25 took 100% of Café 議会');
    expect(redactLogText('GET /a%20b 404')).toBe('GET /a%20b 404');
  });
  // NFKC is how a secret is read, not how ordinary text is shown: folded, 10⁶ would read 106, and a
  // charter id governance:ﬁnance would become governance:finance (a new id after an upgrade, and the
  // same id as another charter's)
  it.each([
    ['an exponent', 'quota of 10⁶ tokens exceeded'],
    ['a subscript and a square', 'CO₂ per m²'],
    ['fullwidth punctuation in Japanese', 'Ｑ３レビュー（草案）：完了！'],
    ['a ligature in an id', 'governance:ﬁnance'],
    ['an ellipsis and a fraction', 'wait… ½ done'],
  ])('%s is shown as written when it hides no secret', (_what, text) => {
    expect(publicText(text, 300)).toBe(text);
    expect(redactLogText(text)).toBe(text);
  });
  it('a text whose folded form holds a secret is shown folded, and redacted', () => {
    expect(publicText('key ｓｋ－ｐｒｏｊ－Ａｂｃ１２３Ｄｅｆ４５６Ｇｈｉ７８９ at 10⁶ calls', 300)).toBe('key [redacted] at 106 calls');
  });
  it('a log line keeps its line breaks when it hides no secret', () => {
    const message = 'SECURITY WARNING: The SSL modes are aliases\n\nTo prepare:\n- use sslmode=verify-full';
    expect(describeError(new Error(message)).message).toBe(message);
  });
});

describe('stripControlCharacters', () => {
  const invisible: Array<[name: string, character: string]> = [
    ['LRE U+202A', '\u202a'], ['RLE U+202B', '\u202b'], ['PDF U+202C', '\u202c'], ['LRO U+202D', '\u202d'], ['RLO U+202E', '\u202e'],
    ['LRI U+2066', '\u2066'], ['RLI U+2067', '\u2067'], ['FSI U+2068', '\u2068'], ['PDI U+2069', '\u2069'],
    ['LRM U+200E', '\u200e'], ['RLM U+200F', '\u200f'], ['ALM U+061C', '\u061c'],
    ['zero-width space U+200B', '\u200b'], ['ZWNJ U+200C', '\u200c'], ['ZWJ U+200D', '\u200d'], ['word joiner U+2060', '\u2060'],
    ['BOM U+FEFF', '\ufeff'], ['soft hyphen U+00AD', '\u00ad'], ['tag character U+E0041', '\u{e0041}'],
    ['a lone surrogate', '\ud800'],
    ['variation selector U+FE0F', '\ufe0f'], ['variation selector U+FE00', '\ufe00'], ['variation selector U+E0100', '\u{e0100}'],
    ['Mongolian variation selector U+180B', '\u180b'], ['combining grapheme joiner U+034F', '\u034f'],
    ['noncharacter U+FFFE', '\ufffe'], ['noncharacter U+FFFF', '\uffff'], ['noncharacter U+FDD0', '\ufdd0'], ['noncharacter U+10FFFF', '\u{10ffff}'],
  ];
  it.each(invisible)('removes %s', (_name, character) => {
    expect(stripControlCharacters(`ab${character}cd`)).toBe('abcd');
  });
  it('turns C0 and C1 controls, line separators and the blanks that show as a space into one space', () => {
    expect(stripControlCharacters('a\u0000b\u001bc\u007fd\u0085e\u009ff\u2028g\t\th')).toBe('a b c d e f g h');
    expect(stripControlCharacters('a\u3164b\uffa0c\u115f\u1160d\u2800e')).toBe('a b c d e');
  });
  it('keeps what people write: accents, CJK, emoji (without their joiners and variation selectors, which can hide a secret)', () => {
    expect(stripControlCharacters('Café 議会 ❤️ 😀 ﷺ')).toBe('Café 議会 ❤ 😀 ﷺ');
  });
  it('is applied by every public text function', () => {
    const hostile = 'x\u202e<script>\u200b';
    for (const out of [publicText(hostile, 100), publicTitle(hostile), publicScheduleText(hostile), errorCodeOf(hostile, null), publicErrorMessage(hostile)]) {
      expect(out).toBe('x<script>');
    }
  });
});

describe('hostile lengths', () => {
  it('cut a huge text before cleaning it, dropping the word that was cut rather than half a secret', () => {
    // one base64 run that redaction shrinks to ten characters, then a key that the 65,536-character
    // bound cuts to "sk-proj-Ab": too short for the sk- pattern, but it must not show either
    const run = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldY'.repeat(2_048).slice(0, 65_536 - 11);
    const text = `${run} sk-proj-Abc123Def456Ghi789Jkl`;
    expect(text.slice(0, 65_536).endsWith(' sk-proj-Ab')).toBe(true);
    expect(publicText(text, 300)).toBe('[redacted]');
    expect(publicText(`${'word '.repeat(40_000)}end`, 100)).toBe(`${'word '.repeat(19)}word…`);
  });
  it('cut at a word: padding cleaning squeezes away ends a word too, so a secret pushed to the cut is dropped whole', () => {
    const url = 'postgres://app:Sup3rSecret@db';
    for (const padding of [' '.repeat(20), '\u200b'.repeat(20), '\u0007'.repeat(20), '\u3164'.repeat(20)]) {
      const cut = cutAtWord(`${padding}${url}`, 30);
      expect(publicText(cut, 300), JSON.stringify(padding[0])).toBe('');
    }
    // a zero-width run inside the secret: cleaning joins its pieces, so the cut drops them together
    const split = `connect postgres://app:Sup3rSecret${'\u200b'.repeat(40)}@db failed`;
    expect(publicText(cutAtWord(split, 60), 300)).toBe('connect');
    // a quoted value cut open: the words before the cut one still read as a secret's
    const quoted = `${' '.repeat(20)}password: "correct horse battery staple" rejected`;
    expect(publicText(cutAtWord(quoted, 55), 300)).toBe('password: [redacted]');
    expect(publicText('login failed, password: "correct horse', 300)).toBe('login failed, password: [redacted]');
    // a quote left open far from the end: the value runs to its bound, not to a closing quote that never comes
    expect(publicText(`password: "correct horse battery staple${' x'.repeat(5_000)}`, 300)).not.toContain('correct');
    expect(cutAtWord('one two three', 7)).toBe('one two'); // cut between two words
    expect(cutAtWord('one two three', 9)).toBe('one two');
    expect(cutAtWord('k'.repeat(50), 30)).toBe(''); // one word cut: its start may be a secret whose end was cut
    // a giant word padded with %-escapes that cleaning does not squeeze: the URL's @ is past the cut
    expect(publicText(cutAtWord(`postgres://app:Sup3rSecret${'%E2%80%8B'.repeat(100)}@db`, 300), 300)).toBe('');
    expect(cutAtWord('short', 30)).toBe('short');
  });
  // What they cost, against prose of the same length, is the bench's (npm run bench:redact).
  it('clean a 400,000-character value and cap it', () => {
    for (const text of ['a://'.repeat(100_000), 'k'.repeat(400_000), 'a.'.repeat(200_000), 'eyJa.'.repeat(80_000), `${'\u202e'.repeat(200_000)}x`]) {
      expect(publicText(text, 100).length).toBeLessThanOrEqual(100);
    }
  });
});

describe('publicErrorMessage', () => {
  it('keeps the first line only and strips control characters', () => {
    expect(publicErrorMessage('boom\u0007 at step 3\n    at handler (/app/x.js:1:1)\n')).toBe('boom at step 3');
    expect(publicErrorMessage('one\r\ntwo')).toBe('one');
    // a bidi override is removed, not turned into a space: it never stood for one
    expect(publicErrorMessage('tab\there \u202eevil')).toBe('tab here evil');
    expect(publicErrorMessage('tab\there\u202eevil')).toBe('tab hereevil');
    expect(publicErrorMessage('one\u2028two')).toBe('one');
    expect(publicErrorMessage('Authorization: Bearer\tabcdef123456')).toBe('Authorization: Bearer [redacted]');
  });
  it('is null for null or empty', () => {
    expect(publicErrorMessage(null)).toBeNull();
    expect(publicErrorMessage('\n\nsecond line')).toBeNull();
  });
  it('caps at 300 characters after redacting, so a cut never exposes part of a secret', () => {
    const message = `${'x '.repeat(140)}token=${'s'.repeat(100)}`;
    const out = publicErrorMessage(message)!;
    expect(out.length).toBeLessThanOrEqual(300);
    expect(out).toContain('token=[redacted]');
    expect(out).not.toMatch(/s{5}/);
    const long = publicErrorMessage('y'.repeat(1000))!;
    expect(long).toHaveLength(300);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('errorCodeOf', () => {
  it('prefers the error_code column where set', () => {
    expect(errorCodeOf('insufficient_credits', 'some long text')).toBe('insufficient_credits');
  });
  it('falls back to a message that is a bare code', () => {
    expect(errorCodeOf(null, 'insufficient_credits')).toBe('insufficient_credits');
    expect(errorCodeOf(undefined, '  rate_limited  ')).toBe('rate_limited');
    expect(errorCodeOf('', 'timeout_exceeded')).toBe('timeout_exceeded');
  });
  it('is null for prose, short words, upper case or nothing', () => {
    expect(errorCodeOf(null, 'Insufficient credits for run')).toBeNull();
    expect(errorCodeOf(null, 'ab')).toBeNull();
    expect(errorCodeOf(null, 'Insufficient_credits')).toBeNull();
    expect(errorCodeOf(null, `a${'b'.repeat(64)}`)).toBeNull(); // 65 characters
    expect(errorCodeOf(null, null)).toBeNull();
  });
});

describe('publicTitle', () => {
  it('is null unless a string', () => {
    expect(publicTitle(null)).toBeNull();
    expect(publicTitle(42)).toBeNull();
    expect(publicTitle({ text: 'x' })).toBeNull();
  });
  it('strips control characters and caps at 200', () => {
    expect(publicTitle('Weekly\u0000 review\n')).toBe('Weekly review');
    expect(publicTitle('t'.repeat(500))).toHaveLength(200);
  });
  it('redacts like every other text', () => {
    expect(publicTitle('Rotate sk-proj-Abc123Def456Ghi789 and postgres://u:TitlePass@h/d')).toBe('Rotate [redacted] and postgres://[redacted]@h/d');
  });
});

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    const out = truncate(`${'a'.repeat(8)}😀😀`, 10);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out).toBe(`${'a'.repeat(8)}…`);
  });
});
