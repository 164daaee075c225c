import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { limits } from '../../shared/constants.ts';
import { en } from '../../site/i18n/en.ts';
import { governanceStatusJsonSchema } from '../../shared/json-schema.ts';
import type { JsonSchema } from '../../site/lib/check-schema.ts';
import { fetchChecked, type FetchOutcome } from '../../site/lib/fetch-snapshot.ts';
import { applyOutcome, initialFileState, overtakenSince } from '../../site/lib/snapshot-state.ts';

const schema = governanceStatusJsonSchema({ reader: true }) as JsonSchema;
const fixtureText = readFileSync(new URL('../fixtures/snapshots/healthy.json', import.meta.url), 'utf8');

function answering(respond: () => Response | Promise<Response>) {
  const calls: RequestInit[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    calls.push(init);
    return respond();
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('fetchChecked', () => {
  it('returns a snapshot that passes the contract, asking the browser to revalidate', async () => {
    const { calls, fetchImpl } = answering(() => new Response(fixtureText, { status: 200 }));
    const outcome = await fetchChecked('/governance-status.json', schema, limits.snapshotBytes, en.failures, fetchImpl);
    expect(outcome.ok && (outcome.data as { status: string }).status).toBe('healthy');
    expect(calls[0]?.cache).toBe('no-cache');
  });

  it('gives up on a request that hangs, so polling goes on', async () => {
    const { calls, fetchImpl } = answering(() => Promise.reject(new DOMException('signal timed out', 'TimeoutError')));
    const outcome = await fetchChecked('/x.json', schema, limits.snapshotBytes, en.failures, fetchImpl);
    expect(outcome).toEqual({ ok: false, reason: 'no answer within 15 s' });
    expect(calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it('turns every kind of failure into a reason', async () => {
    const reasons = await Promise.all(
      [
        () => Promise.reject(new TypeError('Failed to fetch')),
        () => new Response('oops', { status: 500 }),
        () => new Response('{"schemaVersion": 1,', { status: 200 }),
        () => new Response(fixtureText.replace('"status": "healthy"', '"status": "fine"'), { status: 200 }),
      ].map(async (respond) => {
        const outcome = await fetchChecked('/x.json', schema, limits.snapshotBytes, en.failures, answering(respond).fetchImpl);
        return outcome.ok ? 'ok' : outcome.reason;
      }),
    );
    expect(reasons).toEqual([
      'the request failed (network error)',
      'the server answered 500',
      'the answer is not valid JSON',
      'the data does not match the contract at status (invalid_value)',
    ]);
  });
});

/** A body far longer than any bound (a hostile or broken server; an endless one would not end a test that fails), counted as it is pulled. */
function endless(chunkBytes = 65_536, chunks = 1_000) {
  const pulled = { chunks: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull: (controller) => {
      pulled.chunks += 1;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
      if (pulled.chunks === chunks) controller.close();
    },
    cancel: () => {
      pulled.cancelled = true;
    },
  });
  return { body, pulled };
}

describe('a body longer than its bound', () => {
  it('is refused with its bound named, read no further than the bound', async () => {
    const { body, pulled } = endless();
    const outcome = await fetchChecked('/x.json', schema, limits.snapshotBytes, en.failures, answering(() => new Response(body)).fetchImpl);
    expect(outcome).toMatchObject({ ok: false, reason: `the file is larger than its bound of ${limits.snapshotBytes} bytes` });
    expect(pulled.chunks * 65_536).toBeLessThanOrEqual(limits.snapshotBytes + 2 * 65_536);
    expect(pulled.cancelled).toBe(true);
    // a valid file padded past the bound is not one the worker wrote either
    const padded = fixtureText + ' '.repeat(limits.snapshotBytes);
    expect(await fetchChecked('/x.json', schema, limits.snapshotBytes, en.failures, answering(() => new Response(padded)).fetchImpl)).toMatchObject({ ok: false });
    // up to the bound, byte for byte, it is read
    const full = fixtureText + ' '.repeat(limits.snapshotBytes - new TextEncoder().encode(fixtureText).length);
    expect(await fetchChecked('/x.json', schema, limits.snapshotBytes, en.failures, answering(() => new Response(full)).fetchImpl)).toMatchObject({ ok: true });
  });

  it('that stops arriving is a timeout, not "not valid JSON"', async () => {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode('{"schemaVersion": 1,')),
      pull: () => Promise.reject(new DOMException('signal timed out', 'TimeoutError')),
    });
    const outcome = await fetchChecked('/x.json', schema, limits.snapshotBytes, en.failures, answering(() => new Response(body)).fetchImpl);
    expect(outcome).toMatchObject({ ok: false, reason: 'no answer within 15 s' });
  });
});

describe('applyOutcome', () => {
  const snapshot = JSON.parse(fixtureText);
  const good: FetchOutcome = { ok: true, data: snapshot };
  const bad: FetchOutcome = { ok: false, reason: 'the server answered 500' };

  it('keeps the last good snapshot through failures and clears the failure on success', () => {
    const loaded = applyOutcome(initialFileState, good, 1000);
    const failed = applyOutcome(applyOutcome(loaded, bad, 2000), bad, 3000);
    expect(failed).toEqual({ data: snapshot, receivedAt: 1000, firstSeenAt: 1000, failure: 'the server answered 500' });
    // the same copy again is a refresh, not a new copy: it was first seen at 1000 (a snapshot from the future is vouched for from then)
    expect(applyOutcome(failed, good, 4000)).toEqual({ data: snapshot, receivedAt: 4000, firstSeenAt: 1000, failure: null });
    expect(applyOutcome(failed, { ok: true, data: { ...snapshot } }, 5000)).toMatchObject({ receivedAt: 5000, firstSeenAt: 5000 });
  });

  it('records a failure before any snapshot arrived', () => {
    expect(applyOutcome(initialFileState, bad, 1000)).toEqual({
      data: null,
      receivedAt: null,
      firstSeenAt: null,
      failure: 'the server answered 500',
    });
  });
});

describe('a file read again', () => {
  it('is the same data when its text is the same: parsed and checked once, and nothing re-renders for it', async () => {
    let text = fixtureText;
    const { fetchImpl } = answering(() => new Response(text, { status: 200 }));
    const last = { current: null };
    const first = await fetchChecked('/governance-status.json', schema, limits.snapshotBytes, en.failures, fetchImpl, last);
    const again = await fetchChecked('/governance-status.json', schema, limits.snapshotBytes, en.failures, fetchImpl, last);
    expect(first.ok && again.ok && first.data === again.data).toBe(true);
    const state = applyOutcome(initialFileState, first, 1000);
    expect(applyOutcome(state, again, 2000)).toBe(state);
    // A changed file is new data; a failure keeps the last good copy for the next comparison.
    text = fixtureText.replace('"status": "healthy"', '"status": "degraded"');
    const changed = await fetchChecked('/governance-status.json', schema, limits.snapshotBytes, en.failures, fetchImpl, last);
    expect(changed.ok && changed.data !== (first.ok && first.data)).toBe(true);
    expect(applyOutcome(state, changed, 3000)).not.toBe(state);
  });

  it("says what the answer's Date tells of the server's clock, on a failure too", async () => {
    const date = new Date(Date.now() + 30 * 60_000).toUTCString();
    for (const status of [200, 503]) {
      const { fetchImpl } = answering(() => new Response(fixtureText, { status, headers: { Date: date } }));
      const { clock } = await fetchChecked('/governance-status.json', schema, limits.snapshotBytes, en.failures, fetchImpl);
      expect(clock!.low).toBeGreaterThan(29 * 60_000);
      expect(clock!.high).toBeLessThan(31 * 60_000);
    }
  });
});

describe('a poll answered after the record check adopted a newer snapshot (overtakenSince)', () => {
  const at = (second: number) => ({ generatedAt: `2026-11-21T12:00:${String(second).padStart(2, '0')}.000Z` });
  const now = Date.parse('2026-11-21T12:01:00Z');
  it('is no failure when it is older only than the one adopted since it was asked', () => {
    const asked = at(10);
    expect(overtakenSince(at(20), asked, at(30), now)).toBe(true);
    // the same one again (a 304), while a newer one was adopted
    expect(overtakenSince(asked, asked, at(30), now)).toBe(true);
  });
  it('is an old copy as before when it is older than the one shown when it was asked, or nothing was adopted', () => {
    const asked = at(10);
    expect(overtakenSince(at(5), asked, at(30), now)).toBe(false);
    expect(overtakenSince(at(5), asked, asked, now)).toBe(false);
    // newer than the one adopted: simply the newest
    expect(overtakenSince(at(40), asked, at(30), now)).toBe(false);
    expect(overtakenSince(at(20), null, null, now)).toBe(false);
  });
});
