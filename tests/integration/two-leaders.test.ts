// Two leaders for a moment (issue 17): a leader frozen after it read the destination wakes after
// another one published a newer snapshot. On both real stores (a folder, and S3 through the AWS SDK
// to s3rver behind a proxy that honours If-Match / If-None-Match as S3 does) the older snapshot never
// replaces the newer one: it is refused, and says so. Then a real race, many times: the newest wins.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SnapshotStorePort } from '../../shared/ports.ts';
import { createSnapshotBuilder, defaultRules, type BuiltSnapshot, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createFilePublisher } from '../../worker/publish.ts';
import { createFileSnapshotStore } from '../../worker/stores/file-snapshot-store.ts';
import { createS3SnapshotStore } from '../../worker/stores/s3-snapshot-store.ts';
import { createFakeSource, schedule } from '../support/fake-source.ts';
import { startConditionalProxy, type ConditionalProxy } from '../support/s3-conditional-proxy.ts';
import { s3Credentials, startS3Server, type S3TestServer } from '../support/s3-server.ts';

let s3: S3TestServer;
let proxy: ConditionalProxy;
let client: S3Client;
let folder: string;
beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['status'] });
  proxy = await startConditionalProxy({ target: s3.endpoint, honour: true });
  client = new S3Client({ endpoint: proxy.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3Credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  folder = await mkdtemp(join(tmpdir(), 'governance-two-leaders-'));
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await s3?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

/** A destination on a real store, and what it holds, read past the store under test. */
type Destination = { store: SnapshotStorePort; generatedAt(): Promise<string> };
let destinations = 0;
const stores: Record<string, () => Destination> = {
  file: () => {
    const site = join(folder, `site-${(destinations += 1)}`);
    return {
      store: createFileSnapshotStore(join(site, 'governance-status.json')),
      generatedAt: async () => JSON.parse(await readFile(join(site, 'governance-status.json'), 'utf8')).generatedAt,
    };
  },
  s3: () => {
    const prefix = `dao-${(destinations += 1)}/`;
    return {
      store: createS3SnapshotStore(client, { bucket: 'status', prefix, snapshotName: 'governance-status.json', cacheControl: 'no-cache' }),
      generatedAt: async () => JSON.parse((await s3.read('status', `${prefix}governance-status.json`)).body).generatedAt,
    };
  },
};

const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000, rules: defaultRules };
const data = {
  balance: 5_000_000_000n,
  receipts: [],
  schedules: [schedule('engineering', '0 * * * *')],
  runs: [{ scheduleId: 'schedule-engineering', runId: 'r1', status: 'success' as const, scheduledFor: new Date('2026-11-21T11:00:00Z'), completedAt: new Date('2026-11-21T11:00:40Z') }],
  threads: [],
};
/** A snapshot as a leader builds it at `at` (the fake database's clock agrees with it). */
const builtAt = (at: number): Promise<BuiltSnapshot> => createSnapshotBuilder(createFakeSource(data), settings, createLogger(() => {})).build(new Date(at));
const base = Date.parse('2026-11-21T12:00:00.000Z');
const iso = (at: number) => new Date(at).toISOString();

function recordingLogger() {
  const lines: Array<{ event: string; [field: string]: unknown }> = [];
  return { logger: createLogger((line) => lines.push(JSON.parse(line))), lines };
}

/** The real store, except that its compare-and-swap waits until released: a leader frozen just before it. */
function frozenBeforeReplace(store: SnapshotStorePort) {
  let reached!: () => void;
  let release!: () => void;
  const atReplace = new Promise<void>((resolve) => (reached = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const frozen: SnapshotStorePort = Object.assign(Object.create(store) as SnapshotStorePort, {
    async replace(name: string, body: string, tag: string | null, signal?: AbortSignal) {
      reached();
      await released;
      return store.replace(name, body, tag, signal);
    },
  });
  return { store: frozen, atReplace, release };
}

describe.each(Object.keys(stores))('two leaders on the %s store', (kind) => {
  for (const before of ['nothing', 'an older snapshot'] as const) {
    it(`the old leader, released after the new one published over ${before}, is refused and leaves the newer snapshot`, async () => {
      const destination = stores[kind]!();
      if (before !== 'nothing') await createFilePublisher(destination.store, { feeds: null }, createLogger(() => {})).publish(await builtAt(base - 60_000));
      const [oldSnapshot, newSnapshot] = await Promise.all([builtAt(base), builtAt(base + 10_000)]);

      const old = recordingLogger();
      const frozen = frozenBeforeReplace(destination.store);
      const oldLeader = createFilePublisher(frozen.store, { feeds: null }, old.logger).publish(oldSnapshot);
      await frozen.atReplace; // it has read the destination and written its side files

      const newLeader = await createFilePublisher(destination.store, { feeds: null }, createLogger(() => {})).publish(newSnapshot);
      expect(newLeader.outcome).toBe('written');
      expect(await destination.generatedAt()).toBe(iso(base + 10_000));

      frozen.release();
      const result = await oldLeader;
      expect(result.outcome).toBe('refused');
      expect(await destination.generatedAt()).toBe(iso(base + 10_000));
      expect(old.lines.filter((line) => line.event === 'snapshot_refused')).toEqual([
        expect.objectContaining({ level: 'warn', reason: expect.stringContaining(`(generatedAt ${iso(base + 10_000)}) is newer than this one (${iso(base)})`) }),
      ]);
      expect(old.lines.filter((line) => line.event === 'snapshot_failed')).toEqual([]);
    });
  }

  it('a race between two leaders of different generatedAt, many times, always ends with the newest', async () => {
    const destination = stores[kind]!();
    const changed = { count: 0 };
    // the real store, counting the compare-and-swaps another writer came between
    const counting: SnapshotStorePort = Object.assign(Object.create(destination.store) as SnapshotStorePort, {
      async replace(name: string, body: string, tag: string | null, signal?: AbortSignal) {
        const outcome = await destination.store.replace(name, body, tag, signal);
        if (outcome === 'changed') changed.count += 1;
        return outcome;
      },
    });
    const rounds = 15;
    for (let round = 0; round < rounds; round += 1) {
      const [older, newer] = await Promise.all([builtAt(base + round * 2_000), builtAt(base + round * 2_000 + 1_000)]);
      // which one sets off first changes from round to round; both read the same file before either writes
      const [first, second] = round % 2 === 0 ? [older, newer] : [newer, older];
      const outcomes = await Promise.all([first, second].map((built) => createFilePublisher(counting, { feeds: null }, createLogger(() => {})).publish(built)));
      const newest = outcomes[first === newer ? 0 : 1]!;
      expect(newest.outcome, `round ${round}`).toBe('written');
      expect(await destination.generatedAt(), `round ${round}`).toBe(newer.snapshot.generatedAt);
    }
    expect(changed.count).toBeGreaterThan(0); // the writers did come between each other
  });
});
