// The order of one tick's files (worker/publish.ts): never over a newer snapshot, side files first
// and bounded, a side file that fails named in the snapshot and retried, the snapshot last.
import { describe, expect, it } from 'vitest';
import type { SnapshotStorePort } from '../../shared/ports.ts';
import { createSnapshotBuilder, defaultRules, type BuiltSnapshot, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createFilePublisher } from '../../worker/publish.ts';
import { createFakeSource, schedule } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';
import { newSigner } from '../support/archive-record.ts';

const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000, rules: defaultRules };
const at = (iso: string) => new Date(iso);

async function built(now: string): Promise<BuiltSnapshot> {
  const data = {
    balance: 5_000_000_000n,
    receipts: [],
    schedules: [schedule('engineering', '0 * * * *')],
    runs: [{ scheduleId: 'schedule-engineering', runId: 'r1', status: 'success' as const, scheduledFor: at('2026-11-21T11:00:00Z'), completedAt: at('2026-11-21T11:00:40Z') }],
    threads: [],
  };
  return createSnapshotBuilder(createFakeSource(data), settings, createLogger(() => {})).build(at(now));
}

/** A memory store that records the order of writes and fails or hangs on the files it is told to. */
function watchedStore(options: { failing?: Set<string>; hanging?: Set<string> } = {}) {
  const { store, files } = createMemoryStore();
  const order: string[] = [];
  const watched: SnapshotStorePort = {
    ...store,
    async put(name, body, signal) {
      if (options.failing?.has(name)) throw Object.assign(new Error('503 Service Unavailable'), { $metadata: { httpStatusCode: 503 } });
      if (options.hanging?.has(name)) await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      order.push(name);
      return store.put(name, body, signal);
    },
    async replace(name, body, tag, signal) {
      const outcome = await store.replace(name, body, tag, signal);
      if (outcome === 'written') order.push(name);
      return outcome;
    },
  };
  return { store: watched, files, order };
}

const lines: Array<Record<string, unknown>> = [];
const logger = createLogger((line) => lines.push(JSON.parse(line)));

describe('publishing one tick', () => {
  it('writes the side files first and the snapshot last', async () => {
    const { store, order } = watchedStore();
    const result = await createFilePublisher(store, { feeds: null }, logger).publish(await built('2026-11-21T12:00:00Z'));
    expect(result.outcome).toBe('written');
    expect(order.at(-1)).toBe('governance-status.json');
    expect(order).toContain('governance-history.json');
  });

  it('a side file that fails is named in the snapshot since its first failure, retried, and dropped once written', async () => {
    const failing = new Set(['governance-history.json']);
    const { store, files } = watchedStore({ failing });
    const publisher = createFilePublisher(store, { feeds: null }, logger);
    const first = await publisher.publish(await built('2026-11-21T12:00:00Z'));
    expect(first.filesBehind).toEqual([{ name: 'governance-history.json', since: '2026-11-21T12:00:00.000Z' }]);
    expect(JSON.parse(files.get('governance-status.json')!).filesBehind).toEqual(first.filesBehind);
    const second = await publisher.publish(await built('2026-11-21T12:01:00Z'));
    expect(second.filesBehind).toEqual([{ name: 'governance-history.json', since: '2026-11-21T12:00:00.000Z' }]);
    failing.clear();
    const third = await publisher.publish(await built('2026-11-21T12:02:00Z'));
    expect(third.filesBehind).toEqual([]);
    expect(JSON.parse(files.get('governance-status.json')!).filesBehind).toEqual([]);
    expect(files.has('governance-history.json')).toBe(true);
  });

  it("the snapshot's signature that fails is named from the next snapshot on (the old one stands beside the new body), and dropped once written", async () => {
    const failing = new Set(['governance-status.json.jws']);
    const { store, files } = watchedStore({ failing });
    const publisher = createFilePublisher(store, { feeds: null, signer: newSigner() }, logger);
    const first = await publisher.publish(await built('2026-11-21T12:00:00Z'));
    expect(first.outcome).toBe('written');
    expect(files.has('governance-status.json.jws')).toBe(false);
    const second = await publisher.publish(await built('2026-11-21T12:01:00Z'));
    expect(second.filesBehind).toEqual([{ name: 'governance-status.json.jws', since: '2026-11-21T12:00:00.000Z' }]);
    failing.clear();
    // the snapshot written with the signature that lands names it still: it was behind when it was made
    const third = await publisher.publish(await built('2026-11-21T12:02:00Z'));
    expect(third.filesBehind).toEqual([{ name: 'governance-status.json.jws', since: '2026-11-21T12:00:00.000Z' }]);
    const fourth = await publisher.publish(await built('2026-11-21T12:03:00Z'));
    expect(fourth.filesBehind).toEqual([]);
    expect(files.has('governance-status.json.jws')).toBe(true);
  });

  it('a side file that never answers costs it its share of the time, not the snapshot', async () => {
    const { store, files } = watchedStore({ hanging: new Set(['governance-badge.svg', 'governance-history.json']) });
    const result = await createFilePublisher(store, { feeds: null, timeoutMs: 400 }, logger).publish(await built('2026-11-21T12:00:00Z'));
    expect(result.outcome).toBe('written');
    // the two that hang, and any that found no time left in the side files' half of the tick
    expect(result.filesBehind.map((file) => file.name)).toEqual(expect.arrayContaining(['governance-badge.svg', 'governance-history.json']));
    expect(files.has('governance-status.json')).toBe(true);
  });

  it('never writes over a newer snapshot: not the snapshot, not a side file', async () => {
    const { store, files, order } = watchedStore();
    await createFilePublisher(store, { feeds: null }, logger).publish(await built('2026-11-21T12:01:00Z'));
    const newer = files.get('governance-status.json');
    order.length = 0;
    const result = await createFilePublisher(store, { feeds: null }, logger).publish(await built('2026-11-21T12:00:00Z'));
    expect(result.outcome).toBe('refused');
    expect(order).toEqual([]);
    expect(files.get('governance-status.json')).toBe(newer);
    expect(lines.at(-1)).toMatchObject({ event: 'snapshot_refused' });
  });

  it('a snapshot from the future (after the database\'s now by more than a minute) is replaced and said, never obeyed', async () => {
    const tick = await built('2026-11-21T12:00:00Z');
    // publishing a few seconds after the tick's read, by a clock that agrees with the database's
    const clock = () => new Date('2026-11-21T12:00:05Z');
    for (const [storedAt, outcome] of [['2026-11-22T12:00:00.000Z', 'written'], ['2026-11-21T12:01:05.000Z', 'written'], ['2026-11-21T12:01:04.000Z', 'refused']] as const) {
      const { store, files } = createMemoryStore();
      files.set('governance-status.json', `${JSON.stringify({ ...tick.snapshot, generatedAt: storedAt, status: 'healthy' })}\n`);
      lines.length = 0;
      const result = await createFilePublisher(store, { feeds: null }, logger, clock).publish(tick);
      expect(result.outcome, storedAt).toBe(outcome);
      if (outcome === 'refused') continue; // within a minute of now: another replica's, as far as anyone can tell
      expect(JSON.parse(files.get('governance-status.json')!).generatedAt).toBe('2026-11-21T12:00:00.000Z');
      const databaseNow = new Date(clock().getTime() - tick.skewMs).toISOString(); // the worker's clock less the tick's skew
      expect(lines.find((line) => line.event === 'snapshot_from_the_future')).toMatchObject({ level: 'error', generatedAt: storedAt, databaseNow });
    }
  });

  it('a snapshot newer than this one but not from the future (a leader frozen while another published) is still refused', async () => {
    const { store, files } = createMemoryStore();
    await createFilePublisher(store, { feeds: null }, logger).publish(await built('2026-11-21T12:30:00Z'));
    // this leader read at 12:00 and was frozen until 12:31
    const result = await createFilePublisher(store, { feeds: null }, logger, () => new Date('2026-11-21T12:31:00Z')).publish(await built('2026-11-21T12:00:00Z'));
    expect(result.outcome).toBe('refused');
    expect(JSON.parse(files.get('governance-status.json')!).generatedAt).toBe('2026-11-21T12:30:00.000Z');
  });

  it('a leader that finds at the destination a snapshot it did not write says another writer is there, each tick it is, until it stops leading', async () => {
    const { store, files } = createMemoryStore();
    const publisher = createFilePublisher(store, { feeds: null }, logger);
    expect((await publisher.publish(await built('2026-11-21T12:00:00Z'))).otherWriter).toBeNull(); // nothing written yet: nothing to compare
    expect((await publisher.publish(await built('2026-11-21T12:01:00Z'))).otherWriter).toBeNull(); // its own snapshot
    // another deployment, on its own database, writes the same file between two ticks
    const intruder = await built('2026-11-21T12:01:30Z');
    files.set('governance-status.json', `${JSON.stringify(intruder.snapshot)}\n`);
    lines.length = 0;
    const seen = await publisher.publish(await built('2026-11-21T12:02:00Z'));
    expect(seen).toMatchObject({ outcome: 'written', otherWriter: '2026-11-21T12:01:30.000Z' });
    expect(lines.find((line) => line.event === 'another_writer')).toMatchObject({ level: 'error', generatedAt: '2026-11-21T12:01:30.000Z', lastWritten: '2026-11-21T12:01:00.000Z' });
    expect((await publisher.publish(await built('2026-11-21T12:03:00Z'))).otherWriter).toBeNull(); // gone: its own again
    // a tick it did not lead (another replica published): what it finds next is no one's intrusion
    files.set('governance-status.json', `${JSON.stringify((await built('2026-11-21T12:03:30Z')).snapshot)}\n`);
    publisher.reset();
    expect((await publisher.publish(await built('2026-11-21T12:04:00Z'))).otherWriter).toBeNull();
  });

  it('a write of its own that failed, landed or not, is no other writer; a new leader compares nothing before its first write', async () => {
    for (const landed of [false, true]) {
      const { store, files } = createMemoryStore();
      let failNext = false;
      const flaky: SnapshotStorePort = {
        ...store,
        async replace(name, body, tag, signal) {
          if (!failNext) return store.replace(name, body, tag, signal);
          failNext = false;
          if (landed) await store.replace(name, body, tag, signal); // written, but the answer was lost
          throw new Error('503 Service Unavailable');
        },
      };
      // another replica's snapshot is there when this one starts to lead
      files.set('governance-status.json', `${JSON.stringify((await built('2026-11-21T11:59:00Z')).snapshot)}\n`);
      const publisher = createFilePublisher(flaky, { feeds: null }, logger);
      failNext = true;
      await expect(publisher.publish(await built('2026-11-21T12:00:00Z'))).rejects.toThrow('503');
      expect((await publisher.publish(await built('2026-11-21T12:01:00Z'))).otherWriter).toBeNull();
      failNext = true;
      await expect(publisher.publish(await built('2026-11-21T12:02:00Z'))).rejects.toThrow('503');
      expect((await publisher.publish(await built('2026-11-21T12:03:00Z'))).otherWriter, `landed: ${landed}`).toBeNull();
    }
  });

  it('a stored file whose generatedAt is no instant is no snapshot of anyone: written over, never obeyed', async () => {
    const { store, files } = createMemoryStore();
    files.set('governance-status.json', `${JSON.stringify({ generatedAt: '9999-99-99', status: 'healthy' })}\n`);
    const result = await createFilePublisher(store, { feeds: null }, logger).publish(await built('2026-11-21T12:00:00Z'));
    expect(result.outcome).toBe('written');
    expect(JSON.parse(files.get('governance-status.json')!).generatedAt).toBe('2026-11-21T12:00:00.000Z');
    // nor is it echoed, however long, when a leader finds it in place of its own
    files.set('governance-status.json', `${JSON.stringify({ generatedAt: 'x'.repeat(100_000) })}\n`);
    lines.length = 0;
    const publisher = createFilePublisher(store, { feeds: null }, logger);
    await publisher.publish(await built('2026-11-21T12:01:00Z'));
    files.set('governance-status.json', `${JSON.stringify({ generatedAt: 'x'.repeat(100_000) })}\n`);
    expect((await publisher.publish(await built('2026-11-21T12:02:00Z'))).outcome).toBe('written');
    expect(JSON.stringify(lines)).not.toContain('xxxxxxxx');
  });

  it('a newer snapshot written between its read and its write wins; an older one is replaced', async () => {
    for (const [between, wins] of [['2026-11-21T12:05:00Z', 'between'], ['2026-11-21T11:55:00Z', 'ours']] as const) {
      const { store, files } = createMemoryStore();
      const other = await built(between);
      let raced = false;
      const racing: SnapshotStorePort = {
        ...store,
        async replace(name, body, tag, signal) {
          if (!raced) {
            raced = true; // another leader's write lands after this one read the file
            files.set(name, `${JSON.stringify(other.snapshot)}\n`);
          }
          return store.replace(name, body, tag, signal);
        },
      };
      const result = await createFilePublisher(racing, { feeds: null }, logger).publish(await built('2026-11-21T12:00:00Z'));
      expect(result.outcome).toBe(wins === 'ours' ? 'written' : 'refused');
      expect(JSON.parse(files.get('governance-status.json')!).generatedAt).toBe(wins === 'ours' ? '2026-11-21T12:00:00.000Z' : '2026-11-21T12:05:00.000Z');
    }
  });
});
