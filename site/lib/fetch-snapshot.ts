// One fetch of a published file (the snapshot or the history), checked against its JSON Schema.
// Never throws: every failure becomes a reason the page can show next to the last good data. Each
// answer also says what it knows of the server's clock (server-clock.ts), a failed one too.
import { findSchemaIssue, type JsonSchema, type SchemaIssue } from './check-schema.ts';
import { offsetFromResponse, type OffsetRange } from './server-clock.ts';

export type FetchOutcome<T = unknown> = ({ ok: true; data: T } | { ok: false; reason: string }) & { clock?: OffsetRange | null };

/** "credits.balance (invalid_format)": enough to find the field, short enough for a note. */
export function describeSchemaIssue({ path, code }: SchemaIssue): string {
  return `the data does not match the contract at ${path.length > 0 ? path.join('.') : 'the top level'} (${code})`;
}

/** A request that hangs (a stalled CDN edge) must not stop the polling: it counts as a failure. */
export const fetchTimeoutMs = 15_000;

/** The last file a reader checked: the same text again is the same data, not parsed or checked twice. */
export type Checked = { text: string; data: unknown };

export async function fetchChecked<T>(url: string, schema: JsonSchema, fetchImpl: typeof fetch = fetch, last?: { current: Checked | null }): Promise<FetchOutcome<T>> {
  let response: Response;
  const sentAt = Date.now();
  try {
    // no-cache = always revalidate: the browser sends If-None-Match from its cache and an unchanged
    // file comes back as a body-less 304, which fetch presents as the cached 200.
    response = await fetchImpl(url, { cache: 'no-cache', signal: AbortSignal.timeout(fetchTimeoutMs) });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return { ok: false, reason: timedOut ? `no answer within ${fetchTimeoutMs / 1000} s` : 'the request failed (network error)' };
  }
  const clock = offsetFromResponse({ date: response.headers.get('date'), age: response.headers.get('age'), sentAt, receivedAt: Date.now() });
  if (!response.ok) return { ok: false, reason: `the server answered ${response.status}`, clock };
  let text: string;
  let data: unknown;
  try {
    text = await response.text();
    if (last?.current?.text === text) return { ok: true, data: last.current.data as T, clock };
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the answer is not valid JSON', clock };
  }
  const issue = findSchemaIssue(schema, data);
  if (issue) return { ok: false, reason: describeSchemaIssue(issue), clock };
  if (last) last.current = { text, data };
  return { ok: true, data: data as T, clock };
}
