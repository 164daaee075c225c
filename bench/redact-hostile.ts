// `npm run bench:redact`: what cleaning a hostile value costs (shared/redact.ts publicText), against
// plain prose of the same length, side by side in one run. The shapes are the ones that make a
// regular expression backtrack: a scheme:// repeated with no @ after it, one endless word, dotted and
// JWT-like runs, invisible characters, %-, JSON- and HTML-escaped words, cookie headers, characters that NFKC expands, accented prose (read twice). As a reference, the url-credentials pattern as it once was
// (an unbounded `\S+@`) on the same scheme:// run: what a quadratic pattern looks like in this table.
// The goal: every shape within 50x the prose (the linear patterns stay well under it, the quadratic
// one is in the hundreds). Prints a Markdown table for docs/measurements.md.
import { publicText } from '../shared/redact.ts';
import { secretPatterns } from '../shared/secret-patterns.ts';

const length = 400_000;
const runs = Number(process.env.BENCH_RUNS ?? 7);
const goal = 50;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median milliseconds of `clean` on `text`, after one warm-up. */
function timed(text: string, clean: (text: string) => unknown): number {
  clean(text);
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    clean(text);
    times.push(performance.now() - started);
  }
  return median(times);
}

const fill = (unit: string) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const shapes: Array<[string, string]> = [
  ['`a://` repeated, no @', fill('a://')],
  ['one word of `k`', fill('k')],
  ['`a.` repeated', fill('a.')],
  ['`eyJa.` repeated (JWT-like)', fill('eyJa.')],
  ['U+202E repeated, then `x`', `${'\u202e'.repeat(length - 1)}x`],
  // every word %-encoded: the text is decoded, and that form checked for a secret (shared/hidden-secrets.ts)
  ['`a%20 ` repeated (%-escaped words)', fill('a%20 ')],
  ['`\\u0041&#65; ` repeated (JSON- and HTML-escaped words)', fill('\\u0041&#65; ')],
  ['`a+b ` repeated (words with a query\'s +)', fill('a+b ')],
  ['`\\"key\\":` repeated (JSON inside a string)', fill('\\"key\\": ')],
  ['`cookie:` repeated', fill('cookie: ')],
  ['U+FDFA repeated (18 characters each in NFKC)', fill('\ufdfa')],
  // not ASCII: each word read with its accents dropped (shared/hidden-secrets.ts)
  ['`Café über 議会 ` repeated (accented prose)', fill('Café über 議会 ')],
  // one run of backslashes, which an unescaping pattern that may start anywhere in it takes quadratically
  ['65,000 backslashes, then a space', `${'\\'.repeat(65_000)} `.padEnd(length, 'x')],
];
const clean = (text: string) => publicText(text, 100);
const prose = timed(fill('the charter ran and failed for want of credits; '), clean);

// the url-credentials pattern before its quantifier was bounded, on the text publicText would give it (65,536 characters)
const current = secretPatterns.find((pattern) => pattern.name === 'url-credentials')!;
const unbounded = new RegExp(current.pattern.source.replace('\\S{1,256}@', '\\S+@'), current.pattern.flags);
const schemeRun = fill('a://').slice(0, 65_536);
const reference = timed(schemeRun, (text) => text.replace(unbounded, '[redacted]@'));

const rows = shapes.map(([name, text]) => ({ name, ms: timed(text, clean) }));
const worst = Math.max(...rows.map((row) => row.ms / prose));
console.log(`| value (${length.toLocaleString('en-US')} characters) | publicText, median of ${runs} | × prose |`);
console.log('| --- | ---: | ---: |');
console.log(`| prose (the baseline) | ${prose.toFixed(2)} ms | 1.0 |`);
for (const row of rows) console.log(`| ${row.name} | ${row.ms.toFixed(2)} ms | ${(row.ms / prose).toFixed(1)} |`);
console.log(`| reference: the unbounded \`\\S+@\` alone, on \`a://\` repeated (65,536 characters) | ${reference.toFixed(0)} ms | ${(reference / prose).toFixed(0)} |`);
console.log(`\nGoal: every hostile value within ${goal}x the prose: ${worst <= goal ? '**met**' : '**missed**'} (worst ${worst.toFixed(1)}x).`);
