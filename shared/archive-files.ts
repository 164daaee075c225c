// Names of the archive's published files, with no Zod and no Node, so the page and the verify
// command can import them as cheaply as the worker. Every file signed has its detached JWS beside
// it, named `<file>.jws`.
export const archiveIndexFileName = 'governance-archive.json';
export const archiveFolder = 'governance-archive';
export const archiveDaySchemaFileName = 'governance-archive-day.schema.json';
export const archiveIndexSchemaFileName = 'governance-archive.schema.json';
export const signingKeyFileName = 'governance-signing-key.json';
export const keyRotationsFileName = 'governance-key-rotations.json';

export const archiveDayFileName = (day: string) => `${archiveFolder}/${day}.json`;
export const signatureFileName = (name: string) => `${name}.jws`;

/** A UTC calendar date, `2026-11-03`. */
export const isUtcDate = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\d$/.test(value) && new Date(Date.parse(`${value}T00:00:00.000Z`) || 0).toISOString().startsWith(value);

/** The contract's instants: UTC with milliseconds, a date that exists. */
export const isInstant = (value: unknown): value is string =>
  typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value) && new Date(Date.parse(value) || 0).toISOString() === value;

export const isSha256Hex = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

const dayMs = 86_400_000;
/** The instant a UTC day ends (the next day's midnight), in ms. */
export const endOfUtcDate = (day: string) => Date.parse(`${day}T00:00:00.000Z`) + dayMs;
/** The UTC date after `day`. */
export const nextUtcDate = (day: string) => new Date(endOfUtcDate(day)).toISOString().slice(0, 10);

/**
 * The last days of the record in one file, so a reader (the page) checks up to a year with one
 * request: each day's exact bytes and signature, and the index with its signature.
 */
export const archiveRecentFileName = `${archiveFolder}/recent.json`;
export const archiveRecentSchemaFileName = 'governance-archive-recent.schema.json';
/** the days the bundle holds at most: a year */
export const archiveRecentDays = 365;
/** one archived day's bytes at most: a day that would not fit is refused (logged), never cut short */
export const archiveDayBytes = 1_048_576;
/** the days the index lists at most: a century */
export const archiveIndexDays = 36_600;
/** the index's bytes at most: each day's entry takes under 100 */
export const archiveIndexBytes = archiveIndexDays * 100;
/** the bundle's bytes at most: older days are left out rather than pass this (worker/archive-recent.ts) */
export const archiveRecentBytes = 16_777_216;

/** a detached signature's bytes at most (a `.jws` file, a copy in the bundle) */
export const archiveSignatureBytes = 4_096;
/** governance-signing-key.json's bytes at most */
export const signingKeyBytes = 4_096;
/** governance-key-rotations.json's bytes at most */
export const keyRotationsBytes = 1_048_576;

/**
 * Whether a server's answer to a GET of a published file says it is not there: 404; 403, as S3 answers
 * for a missing key a reader may not list; or a page of HTML, which no published file is (a host's
 * fallback for any path: a single-page app's, Cloudflare Pages' without a 404.html).
 */
export function answersMissing(status: number, contentType: string | null): boolean {
  return status === 404 || status === 403 || (status === 200 && /^\s*text\/html\b/i.test(contentType ?? ''));
}
