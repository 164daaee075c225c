// The archivist on the real stores: the file store on a real folder and the S3 store through the AWS
// SDK to an S3-protocol server. s3rver ignores If-None-Match on PutObject (so do the other S3 servers
// on npm), so S3 runs through tests/support/s3-conditional-proxy.ts: honouring the condition as S3
// does, or passing it on to s3rver, which ignores it, while recording what the worker sent.
import { readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveDayFileName, archiveIndexFileName, endOfUtcDate, signatureFileName } from '../../shared/archive-files.ts';
import { verifyRecord } from '../../shared/archive-verify.ts';
import { utf8 } from '../../shared/jws.ts';
import type { SnapshotStorePort } from '../../shared/ports.ts';
import { createArchivist } from '../../worker/archive.ts';
import { createFileSnapshotStore } from '../../worker/stores/file-snapshot-store.ts';
import { createS3SnapshotStore } from '../../worker/stores/s3-snapshot-store.ts';
import { closedDay, dates, newSigner, recordingLogger, snapshotAt } from '../support/archive-record.ts';
import { startConditionalProxy, type ConditionalProxy } from '../support/s3-conditional-proxy.ts';
import { s3Credentials, startS3Server, type S3TestServer } from '../support/s3-server.ts';

let s3: S3TestServer;
let honouring: ConditionalProxy;
let folder: string;
const clients: S3Client[] = [];
beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['status'] });
  honouring = await startConditionalProxy({ target: s3.endpoint, honour: true });
  folder = await mkdtemp(join(tmpdir(), 'governance-archive-'));
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await honouring?.close();
  await s3?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function clientAt(endpoint: string) {
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3Credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  clients.push(client);
  return client;
}

let prefixes = 0;
type Subject = { store: SnapshotStorePort; dayObjects(): Promise<string[]> };
const subjects: Record<string, () => Subject> = {
  file: () => {
    const site = join(folder, `site-${(prefixes += 1)}`);
    return {
      store: createFileSnapshotStore(join(site, 'governance-status.json')),
      dayObjects: async () => (await readdir(join(site, 'governance-archive')).catch(() => [])).filter(isDayObject).sort(),
    };
  },
  s3: () => {
    const prefix = `dao-${(prefixes += 1)}/`;
    return {
      store: createS3SnapshotStore(clientAt(honouring.endpoint), { bucket: 'status', prefix, snapshotName: 'governance-status.json', cacheControl: 'no-cache' }),
      dayObjects: () => listDays(prefix),
    };
  },
};

async function listDays(prefix: string) {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'status', Prefix: `${prefix}governance-archive/` }));
  return (listed.Contents ?? []).map((object) => object.Key!.slice(`${prefix}governance-archive/`.length)).filter(isDayObject).sort();
}

/** A day and its signature; not recent.json, the bundle of recent days beside them. */
function isDayObject(name: string) {
  return /^\d{4}-\d\d-\d\d\.json(\.jws)?$/.test(name);
}

const at = (date: string, minutes: number) => new Date(endOfUtcDate(date) + minutes * 60_000);
const readFrom = (store: SnapshotStorePort) => async (name: string) => {
  const body = await store.get(name);
  return body === null ? null : utf8(body);
};

describe.each(Object.keys(subjects))('%s store', (kind) => {
  it('creates a file once: a second create, however different, leaves the first', async () => {
    const { store } = subjects[kind]!();
    expect(await store.create('governance-archive/2026-11-03.json', '{"first":true}\n')).toBe('created');
    expect(await store.create('governance-archive/2026-11-03.json', '{"first":false}\n')).toBe('exists');
    expect(await store.get('governance-archive/2026-11-03.json')).toBe('{"first":true}\n');
  });

  it('closes and chains days over several simulated midnights, and the record verifies', async () => {
    const { store, dayObjects } = subjects[kind]!();
    const signer = newSigner();
    const list = dates('2026-10-28', 6);
    let now = at(list[0]!, 11);
    const archivist = createArchivist({ store, signer, logger: recordingLogger(), clock: () => now });
    for (const [index, date] of list.entries()) {
      now = at(date, 11); // each midnight, once the grace has passed
      const outcome = await archivist.archive(list.slice(0, index + 1).map((day) => closedDay(day)));
      expect(outcome).toMatchObject({ appended: [date], problem: null });
    }
    expect(await dayObjects()).toEqual(list.flatMap((date) => [`${date}.json`, `${date}.json.jws`]));
    const snapshot = snapshotAt(now.getTime());
    await store.put('governance-status.json', snapshot);
    await store.put(signatureFileName('governance-status.json'), signer.sign(snapshot));
    const result = await verifyRecord({ read: readFrom(store), now: now.getTime(), pinnedKey: signer.publicJwk });
    expect(result).toMatchObject({ ok: true, report: { days: 6, first: list[0], last: list.at(-1) } });
  });

  it('two writers at midnight leave one object per day, and agree on the head', async () => {
    const { store, dayObjects } = subjects[kind]!();
    const signer = newSigner();
    const list = dates('2026-10-01', 5);
    const outcomes = await Promise.all(
      [10, 11].map((minutes) =>
        createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list.at(-1)!, minutes) }).archive(
          list.map((date) => closedDay(date, { closedAt: at(date, minutes).toISOString() })),
        ),
      ),
    );
    expect((await dayObjects()).filter((name) => name.endsWith('.json'))).toEqual(list.map((date) => `${date}.json`));
    expect(outcomes[0]!.head).toEqual(outcomes[1]!.head);
    expect(outcomes.flatMap((outcome) => outcome.appended).sort()).toEqual(list);
    const index = JSON.parse((await store.get(archiveIndexFileName))!);
    expect(index.head).toBe(outcomes[0]!.head!.sha256);
  });

  it('a restart mid-day continues the chain at the next midnight', async () => {
    const { store } = subjects[kind]!();
    const signer = newSigner();
    const list = dates('2026-10-01', 4);
    await createArchivist({ store, signer, logger: recordingLogger(), clock: () => at(list[2]!, 15) }).archive(list.slice(0, 3).map((date) => closedDay(date)));
    const lastBefore = await store.get(archiveDayFileName(list[2]!));
    let now = at(list[3]!, -12 * 60); // noon of the fourth day
    const restarted = createArchivist({ store, signer, logger: recordingLogger(), clock: () => now });
    expect((await restarted.archive(list.slice(0, 3).map((date) => closedDay(date)))).appended).toEqual([]);
    now = at(list[3]!, 11);
    expect((await restarted.archive(list.map((date) => closedDay(date)))).appended).toEqual([list[3]]);
    const day = JSON.parse((await store.get(archiveDayFileName(list[3]!)))!);
    const { createHash } = await import('node:crypto');
    expect(day.prev).toBe(createHash('sha256').update(lastBefore!).digest('hex'));
    expect(JSON.parse((await store.get(archiveIndexFileName))!)).toMatchObject({ count: 4, last: list[3] });
  });
});

describe('a bucket that ignores conditional writes', () => {
  it('is sent If-None-Match: * on each archived day (not on the index), and the read-back catches a race it let through', async () => {
    // s3rver itself, behind a recording proxy that holds both writers' PUTs of the day and forwards
    // them together: the later one replaces the earlier one, as on any store that ignores the header
    const proxy = await startConditionalProxy({ target: s3.endpoint, honour: false, holdPuts: { count: 2, match: (key) => /governance-archive\/[0-9-]+\.json$/.test(key) } });
    try {
      const prefix = 'ignoring/';
      const stores = [0, 1].map(() => createS3SnapshotStore(clientAt(proxy.endpoint), { bucket: 'status', prefix, snapshotName: 'governance-status.json', cacheControl: 'no-cache' }));
      const signer = newSigner();
      const day = '2026-10-01';
      const loggers = [recordingLogger(), recordingLogger()];
      const outcomes = await Promise.all(
        stores.map((store, n) => createArchivist({ store, signer, logger: loggers[n]!, clock: () => at(day, 20) }).archive([closedDay(day, { closedAt: at(day, 10 + n).toISOString() })])),
      );
      const puts = proxy.requests.filter((request) => request.method === 'PUT');
      expect(puts.filter((put) => put.key.endsWith(`${day}.json`)).map((put) => put.ifNoneMatch)).toEqual(['*', '*']);
      expect(puts.filter((put) => put.key.endsWith(`${day}.json`)).map((put) => put.status)).toEqual([200, 200]);
      expect(puts.find((put) => put.key.endsWith('/governance-archive.json'))?.ifNoneMatch).toBeNull();
      const caught = loggers.flatMap((logger) => logger.events('archive_store_not_exclusive'));
      expect(caught).toEqual([expect.objectContaining({ level: 'error', file: archiveDayFileName(day), store: 's3://status/ignoring/governance-status.json' })]);
      expect(await listDays(prefix)).toEqual([`${day}.json`, `${day}.json.jws`]);
      expect(outcomes[0]!.head).toEqual(outcomes[1]!.head);
    } finally {
      await proxy.close();
    }
  });

  it('the same race through a store that honours the condition: one writer is told 412, and nothing is caught', async () => {
    const proxy = await startConditionalProxy({ target: honouring.endpoint, honour: false, holdPuts: { count: 2, match: (key) => /governance-archive\/[0-9-]+\.json$/.test(key) } });
    try {
      const stores = [0, 1].map(() => createS3SnapshotStore(clientAt(proxy.endpoint), { bucket: 'status', prefix: 'honouring/', snapshotName: 'governance-status.json', cacheControl: 'no-cache' }));
      const day = '2026-10-01';
      const loggers = [recordingLogger(), recordingLogger()];
      const signer = newSigner();
      await Promise.all(stores.map((store, n) => createArchivist({ store, signer, logger: loggers[n]!, clock: () => at(day, 20) }).archive([closedDay(day, { closedAt: at(day, 10 + n).toISOString() })])));
      const statuses = proxy.requests.filter((request) => request.method === 'PUT' && request.key.endsWith(`${day}.json`)).map((put) => put.status);
      expect(statuses.sort()).toEqual([200, 412]);
      expect(loggers.flatMap((logger) => logger.events('archive_store_not_exclusive'))).toEqual([]);
      expect(loggers.flatMap((logger) => logger.events('archive_day_adopted'))).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
