// Whether a long run of base64 characters is an opaque token (a key, a session secret) or an id a
// person made: judged by its shape, never by its length. Ids are words and numbers between
// separators (engineering-20261204T130000-0001, WorkflowExecutionAlreadyStartedError); a token
// mixes upper case, lower case and digits the way random bytes do, and carries more information.

/** How many characters are judged at a time: a token glued to other text is still found. */
export const tokenWindow = 32;
/** Class changes inside a window that words and numbers do not explain (see irregularChanges). */
const minIrregularChanges = 5;
/** Shannon entropy of a window, bits per character: random base64 is about 4.5 at 32 characters. */
const minEntropy = 3.85;

const uuidAnywhere = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

type CharClass = 'upper' | 'lower' | 'digit' | 'other';
function classOf(code: number): CharClass {
  if (code >= 65 && code <= 90) return 'upper';
  if (code >= 97 && code <= 122) return 'lower';
  if (code >= 48 && code <= 57) return 'digit';
  return 'other';
}

/**
 * Positions where the character class changes in a way words and numbers do not: a capital that
 * starts a word (`Governance`), an acronym before a word (`HTTPServer`) and a word of three or more
 * letters before a capital (`statusFor`) are how people write; a digit after a letter inside one
 * segment, or a case change around a one- or two-letter piece, is how random text looks.
 * Separators (- _ + / =) end a segment and are never a change.
 */
function irregularChanges(text: string): number[] {
  const pieces: Array<{ cls: CharClass; start: number; length: number }> = [];
  for (let index = 0; index < text.length; index++) {
    const cls = classOf(text.charCodeAt(index));
    const last = pieces.at(-1);
    if (last && last.cls === cls) last.length++;
    else pieces.push({ cls, start: index, length: 1 });
  }
  const changes: number[] = [];
  for (let index = 1; index < pieces.length; index++) {
    const before = pieces[index - 1]!;
    const after = pieces[index]!;
    if (before.cls === 'other' || after.cls === 'other') continue;
    const startsWord = before.cls === 'upper' && after.cls === 'lower' && after.length >= 3;
    const endsWord = before.cls === 'lower' && before.length >= 3 && after.cls === 'upper';
    if (!startsWord && !endsWord) changes.push(after.start);
  }
  return changes;
}

function entropy(counts: Map<number, number>, length: number): number {
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * True when some 32 characters of `run` look random: they change between upper case, lower case
 * and digits at least five times where words and numbers would not, and have an entropy of at
 * least 3.85 bits per character. UUIDs inside the run are ids and are skipped.
 * Linear in the run's length (one pass with a sliding window).
 */
export function isOpaqueToken(run: string): boolean {
  const text = run.replace(uuidAnywhere, (uuid) => '-'.repeat(uuid.length));
  if (text.length < tokenWindow) return false;
  const changes = irregularChanges(text);
  if (changes.length < minIrregularChanges) return false;
  const counts = new Map<number, number>();
  const add = (index: number, delta: number) => {
    const code = text.charCodeAt(index);
    const count = (counts.get(code) ?? 0) + delta;
    if (count === 0) counts.delete(code);
    else counts.set(code, count);
  };
  let firstChange = 0; // index into changes of the first change inside the window
  let lastChange = 0; // one past the last change inside the window
  for (let end = 0; end < text.length; end++) {
    add(end, 1);
    const start = end - tokenWindow + 1;
    if (start < 0) continue;
    if (start > 0) add(start - 1, -1);
    // a change at position p lies between p - 1 and p: inside the window when start < p <= end
    while (lastChange < changes.length && changes[lastChange]! <= end) lastChange++;
    while (firstChange < lastChange && changes[firstChange]! <= start) firstChange++;
    if (lastChange - firstChange < minIrregularChanges) continue;
    if (entropy(counts, tokenWindow) >= minEntropy) return true;
  }
  return false;
}
