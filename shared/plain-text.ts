// Text that reads as it is: no control, bidirectional or invisible characters. The worker cleans every
// string from the database with it (shared/redact.ts publicText); the page cleans with it a name it
// puts into a sentence of its own, where an unterminated override would turn the words after it.

// C0 and C1 controls (tab, escape, NEL, ...) and the line and paragraph separators: a space, so that
// "Bearer\tTOKEN" stays two words and gets redacted.
export const controlClass = '\\p{Cc}\\u2028\\u2029';
const controlCharacters = new RegExp(`[${controlClass}]+`, 'gu');
// Format characters (bidi embeddings, overrides and isolates U+202A-E and U+2066-9, the marks
// U+200E/F and U+061C, zero-width U+200B-D, word joiner, BOM, soft hyphen, tag characters), lone
// surrogates and the fillers that render as nothing: removed, so that a line cannot read differently
// than it is and "sk-\u200bproj-..." cannot hide from the patterns.
const formatClass = '\\p{Cf}\\u034f\\u115f\\u1160\\u17b4\\u17b5\\u3164\\uffa0';
const invisibleCharacters = new RegExp(`[${formatClass}\\p{Cs}]+`, 'gu');

/** Control characters become one space; format and invisible characters are removed. */
export function stripControlCharacters(text: string): string {
  return text.replace(invisibleCharacters, '').replace(controlCharacters, ' ').replace(/ {2,}/g, ' ');
}
