// Reading governance-archive/recent.json (worker/archive-recent.ts writes it): its copies stand in
// for the published files they copy (the index, the days, the public key and the rotation statements), so shared/archive-verify.ts checks them exactly as it checks the
// files themselves (signatures, the index's hashes, the chain). No Zod: the page imports this.
import { archiveDayBytes, archiveDayFileName, archiveIndexBytes, archiveIndexFileName, archiveSignatureBytes, isUtcDate, keyRotationsBytes, keyRotationsFileName, signatureFileName, signingKeyBytes, signingKeyFileName } from './archive-files.ts';

export type RecentBundle = { index: string; indexSignature: string | null; signingKey: string | null; keyRotations: string | null; days: Array<{ day: string; bytes: string; signature: string | null }> };

/** A string no longer than the file it copies may be (its UTF-8 bytes are never fewer than its length). */
const isText = (value: unknown, maxBytes: number): value is string => typeof value === 'string' && value.length <= maxBytes;
const isTextOrNull = (value: unknown, maxBytes: number) => value === null || isText(value, maxBytes);

/**
 * The bundle's fields this reader relies on, or null (then the reader verifies nothing from it). A
 * copy longer than its file's bound (shared/archive-files.ts) is not one the worker wrote: refused
 * here, before anything parses it.
 */
export function asRecentBundle(value: unknown): RecentBundle | null {
  const bundle = value as Partial<RecentBundle> | null;
  const days = bundle?.days;
  const signature = (text: unknown) => isTextOrNull(text, archiveSignatureBytes);
  if (!isText(bundle?.index, archiveIndexBytes) || !signature(bundle.indexSignature) || !isTextOrNull(bundle.signingKey, signingKeyBytes) || !isTextOrNull(bundle.keyRotations, keyRotationsBytes) || !Array.isArray(days)) return null;
  return days.every((day) => isUtcDate(day?.day) && isText(day.bytes, archiveDayBytes) && signature(day.signature)) ? (bundle as RecentBundle) : null;
}

type Read = (name: string) => Promise<Uint8Array<ArrayBuffer> | null>;

/** `read` for verifyRecord: a file the bundle copies from the bundle (a null signature: absent), any other from `fallback`. */
export function readWithBundle(bundle: RecentBundle, fallback: Read): Read {
  const files = new Map<string, string | null>([
    [archiveIndexFileName, bundle.index],
    [signatureFileName(archiveIndexFileName), bundle.indexSignature],
    [signingKeyFileName, bundle.signingKey],
    [keyRotationsFileName, bundle.keyRotations],
  ]);
  for (const { day, bytes, signature } of bundle.days) {
    files.set(archiveDayFileName(day), bytes);
    files.set(signatureFileName(archiveDayFileName(day)), signature);
  }
  const encoder = new TextEncoder();
  return async (name) => {
    if (!files.has(name)) return fallback(name);
    const text = files.get(name);
    return text == null ? null : encoder.encode(text);
  };
}

/**
 * Whether each of the bundle's days is one the index lists, in ascending order, each once: only then
 * is every copy it holds the one verifyRecord reads over `bundleRange` (a day of the range it does not
 * hold is fetched). A copy the index does not list, or a second copy of a day, is never read by the
 * checks, so a reader that counted it (the page's uptime) would count bytes nobody verified. The
 * worker writes the index's newest days; a bundle written as another replica extended the index holds
 * all but the newest, which is fetched and checked.
 */
export function holdsOnlyIndexedDays(bundle: RecentBundle, entries: ReadonlyArray<{ day: string }>): boolean {
  const listed = new Set(entries.map((entry) => entry.day));
  return bundle.days.every((day, at) => listed.has(day.day) && (at === 0 || bundle.days[at - 1]!.day < day.day));
}

/** A range of no day: verifyRecord then checks the index's last day alone (it checks that one whatever the range). */
export const lastDayOnly = { from: '9999-12-31' } as const;

/** The days the bundle holds, for verifyRecord's range: when it holds none, the index's last day alone, fetched. */
export const bundleRange = (bundle: RecentBundle) => (bundle.days.length === 0 ? lastDayOnly : { from: bundle.days[0]!.day });
