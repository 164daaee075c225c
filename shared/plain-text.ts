// Text that reads as it is: no control, bidirectional or invisible characters. The worker cleans every
// string from the database with it (shared/redact.ts publicText); the page cleans with it a name it
// puts into a sentence of its own, where an unterminated override would turn the words after it.

// C0 and C1 controls (tab, escape, NEL, ...), the line and paragraph separators, and the blanks
// that show as a space (the braille blank, the Hangul fillers): a space, so that "Bearer\tTOKEN" and
// "password⠀is⠀hunter2" stay words apart and get redacted.
export const controlClass = '\\p{Cc}\\u2028\\u2029\\u2800\\u115f\\u1160\\u3164\\uffa0';
const controlCharacters = new RegExp(`[${controlClass}]+`, 'gu');
// Format characters (bidi embeddings, overrides and isolates U+202A-E and U+2066-9, the marks
// U+200E/F and U+061C, zero-width U+200B-D, word joiner, BOM, soft hyphen, tag characters), every
// character Unicode says renders as nothing where unsupported (Default_Ignorable_Code_Point, the
// variation selectors among them, which would hide "sk-\ufe0fproj-..." from the patterns as well as
// "sk-\u200bproj-..."; the fillers among them are spaces already, above), lone surrogates, and the noncharacters (U+FDD0-FDEF, U+xFFFE/F;
// XML forbids U+FFFE/F, and one in a name made the Atom feed unreadable): removed, so that a line
// cannot read differently than it is, and every string is one a feed can carry.
const formatClass = '\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{Noncharacter_Code_Point}';
const invisibleCharacters = new RegExp(`[${formatClass}\\p{Cs}]+`, 'gu');

/** Control characters and blanks become one space; format and invisible characters are removed. */
export function stripControlCharacters(text: string): string {
  return text.replace(controlCharacters, ' ').replace(invisibleCharacters, '').replace(/ {2,}/g, ' ');
}
