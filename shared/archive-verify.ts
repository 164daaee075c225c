// Verifies the published record with its failures in sentences, for the verify command and anyone
// in Node: the checks are shared/archive-verify-core.ts (the page imports that alone, with its own
// words); here are the sentences, one per failure code, with {placeholders}.
import { archiveIndexFileName, isUtcDate, signingKeyFileName } from './archive-files.ts';
import { verifyRecordCore, type FailureCode, type VerifyOptions, type VerifyResult } from './archive-verify-core.ts';

export type { FailureKind, VerifyFailure, VerifyOptions, VerifyReport, VerifyResult } from './archive-verify-core.ts';

const words: Record<FailureCode, string> = {
  not_json: '{file} is not JSON ({what})',
  not_object: '{file} is not a JSON object',
  no_signature: '{file} has no signature ({jwsFile} is missing)',
  bad_jws: '{jwsFile} {problem}',
  unknown_signer: '{file} is signed by key {kid}, which is not the published key nor announced by a rotation statement',
  altered: '{file} does not match its signature: it was altered after it was signed',
  not_in_force: '{file} is signed by key {kid}, which was not in force at {at}',
  missing: '{file} is missing',
  key: '{message}',
  signed_without_key: `${archiveIndexFileName} is signed, but no public key is published (${signingKeyFileName}) or given`,
  bad_index: `${archiveIndexFileName} is not a consistent index (days in order with their SHA-256, and first, last, count, head and updatedAt that agree)`,
  day_missing: '{file} is listed in the index but missing',
  not_the_day: '{file} is not the archive of {day} (its day, closedAt or prev field)',
  contract: '{file} {problem}',
  not_listed: '{file} is not the file the index lists (its SHA-256 differs): it was altered or replaced',
  broken_link: "{file} does not continue the chain: its prev is {stated}, the previous archived day's SHA-256 is {prev}",
  after_retirement: '{file} is signed by key {kid}, retired by rotation statements that fixed the archive at {last}: it signs no later day',
  not_as_rotated: '{file} does not hold the day a key rotation statement fixed (SHA-256 {sha256}; it lists {listed}): the record was rewritten or rolled back',
  no_times: '{file} has no generatedAt and staleAfter instants',
};

/**
 * A value from a published file as inert text: control characters (C0, DEL, C1) and bidirectional
 * overrides spelled as \u{...}. The values (a header's kid, a key file's kid, a contract problem) are
 * whatever the record's writer put there, and a terminal would otherwise obey their escapes: move the
 * cursor, erase "NOT VERIFIED" and print "Verified" in its place, or reorder the words shown.
 */
export const inertText = (value: string) => value.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);

/** The sentence of a failure code with its values. */
export const sayFailure = (code: FailureCode, values: Record<string, string>) =>
  words[code].replace(/\{(\w+)\}/g, (_, name: string) => (values[name] === undefined ? `{${name}}` : inertText(values[name])));

export function verifyRecord(options: VerifyOptions): Promise<VerifyResult> {
  return verifyRecordCore(options, sayFailure);
}

/** A day a reader saw before, with its SHA-256 then (the head the verify command printed). */
export type SeenDay = { day: string; sha256: string };

/** "2026-11-03=<64 hex digits>" as a seen day, or null when it is not one. */
export function parseSeenDay(text: string): SeenDay | null {
  const match = /^(\d{4}-\d{2}-\d{2})=([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  return match && isUtcDate(match[1]) ? { day: match[1]!, sha256: match[2]! } : null;
}

/**
 * Why the record no longer holds a day the reader saw, or null when it holds every one with the same
 * bytes. A record only ever adds days: a seen day missing or changed means it was rolled back (an old
 * signed index served again) or rewritten, which no signature can show to a reader who kept nothing.
 */
export function forgottenDay(entries: ReadonlyArray<SeenDay>, seen: ReadonlyArray<SeenDay>): { day: string; problem: string; misread?: true } | null {
  const listed = new Map(entries.map((entry) => [entry.day, entry.sha256]));
  const dayOf = new Map(entries.map((entry) => [entry.sha256, entry.day]));
  for (const { day, sha256 } of seen) {
    const now = listed.get(day);
    // a day's bytes name their date: its hash listed under another day is the reader's pairing, not a rewrite
    const other = now === sha256 ? undefined : dayOf.get(sha256);
    if (other !== undefined) return { day, misread: true, problem: `${sha256} is the SHA-256 of ${other}, not of ${day}: give each hash with the day the verify command named beside it (--seen ${other}=${sha256})` };
    if (now === undefined) return { day, problem: `${day} was seen before (SHA-256 ${sha256}), but ${archiveIndexFileName} no longer lists it: the record was rolled back or cut` };
    if (now !== sha256) return { day, problem: `${day} was seen before with SHA-256 ${sha256}, but ${archiveIndexFileName} lists ${now}: the record was rewritten` };
  }
  return null;
}
