// One fetch of a published file (the snapshot or the history), checked against its JSON Schema.
// Never throws: every failure becomes a reason the page can show next to the last good data. Each
// answer also says what it knows of the server's clock (server-clock.ts), a failed one too.
import { fill } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';
import { findSchemaIssue, type JsonSchema, type SchemaIssue } from './check-schema.ts';
import { readerNow } from './clock.ts';
import { readCapped } from '../../shared/read-capped.ts';
import { offsetFromResponse, type OffsetRange } from './server-clock.ts';

export type FetchOutcome<T = unknown> = ({ ok: true; data: T } | { ok: false; reason: string }) & { clock?: OffsetRange | null };

/** The page's words for why a file could not be used (site/i18n/). */
export type FailureWords = Messages['failures'];

/** "credits.balance (invalid_format)": enough to find the field, short enough for a note. */
export function describeSchemaIssue({ path, code }: SchemaIssue, words: FailureWords): string {
  return path.length > 0 ? fill(words.schema, { path: path.join('.'), code }) : fill(words.schemaTop, { code });
}

/** A request that hangs (a stalled CDN edge) must not stop the polling: it counts as a failure. */
export const fetchTimeoutMs = 15_000;

/** The last file a reader checked: the same text again is the same data, not parsed or checked twice. */
export type Checked = { text: string; data: unknown };

/** A request or its body that did not arrive: in time, or at all. */
const failureOf = (error: unknown, words: FailureWords) =>
  error instanceof DOMException && error.name === 'TimeoutError' ? fill(words.timeout, { seconds: fetchTimeoutMs / 1000 }) : words.network;

/** `maxBytes`: the file's bound in its contract (shared/constants.ts limits); a longer body is refused, read no further. */
export async function fetchChecked<T>(url: string, schema: JsonSchema, maxBytes: number, words: FailureWords, fetchImpl: typeof fetch = fetch, last?: { current: Checked | null }): Promise<FetchOutcome<T>> {
  let response: Response;
  const sentAt = readerNow();
  try {
    // no-cache = always revalidate: the browser sends If-None-Match from its cache and an unchanged
    // file comes back as a body-less 304, which fetch presents as the cached 200.
    response = await fetchImpl(url, { cache: 'no-cache', signal: AbortSignal.timeout(fetchTimeoutMs) });
  } catch (error) {
    return { ok: false, reason: failureOf(error, words) };
  }
  const clock = offsetFromResponse({ date: response.headers.get('date'), age: response.headers.get('age'), sentAt, receivedAt: readerNow() });
  if (!response.ok) return { ok: false, reason: fill(words.status, { status: response.status }), clock };
  let bytes: Uint8Array | null;
  try {
    bytes = await readCapped(response, maxBytes);
  } catch (error) {
    return { ok: false, reason: failureOf(error, words), clock };
  }
  if (bytes === null) return { ok: false, reason: fill(words.tooLarge, { bytes: maxBytes }), clock };
  return { ...checkText<T>(new TextDecoder().decode(bytes), schema, words, last), clock };
}

/** A file's text checked as a fetched one is: JSON, then its JSON Schema; the same text as `last` is its data again. */
export function checkText<T>(text: string, schema: JsonSchema, words: FailureWords, last?: { current: Checked | null }): FetchOutcome<T> {
  if (last?.current?.text === text) return { ok: true, data: last.current.data as T };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: words.json };
  }
  const issue = findSchemaIssue(schema, data);
  if (issue) return { ok: false, reason: describeSchemaIssue(issue, words) };
  if (last) last.current = { text, data };
  return { ok: true, data: data as T };
}
