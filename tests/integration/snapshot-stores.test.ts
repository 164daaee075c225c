// One contract for every SnapshotStorePort: the in-memory one of the unit tests, the file store on a
// real folder and the S3 store against an S3-protocol server. Then what only S3 adds.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotStorePort } from '../../shared/ports.ts';
import { createFileSnapshotStore } from '../../worker/stores/file-snapshot-store.ts';
import { createS3SnapshotStore } from '../../worker/stores/s3-snapshot-store.ts';
import { createMemoryStore } from '../support/memory-store.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';

type Subject = { store: SnapshotStorePort; read(name: string): Promise<string>; leftovers(): Promise<string[]> };

let s3: S3TestServer;
let folder: string;
beforeAll(async () => {
  s3 = await startS3Server({ buckets: ['status'] });
  folder = await mkdtemp(join(tmpdir(), 'governance-store-'));
});
afterAll(async () => {
  await s3?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const subjects: Record<string, () => Subject> = {
  memory: () => {
    const { store, files } = createMemoryStore();
    return { store, read: async (name) => files.get(name) ?? '', leftovers: async () => [] };
  },
  file: () => {
    const store = createFileSnapshotStore(join(folder, 'site', 'governance-status.json'));
    return {
      store,
      read: (name) => readFile(join(folder, 'site', name), 'utf8'),
      leftovers: async () => (await readdir(join(folder, 'site'))).filter((name) => name.endsWith('.tmp')),
    };
  },
  s3: () => {
    const store = createS3SnapshotStore(s3.client, { bucket: 'status', prefix: 'dao/', snapshotName: 'governance-status.json', cacheControl: 'public, max-age=15' });
    return { store, read: async (name) => (await s3.read('status', `dao/${name}`)).body, leftovers: async () => [] };
  },
};

describe.each(Object.keys(subjects))('SnapshotStorePort contract: %s store', (kind) => {
  it('writes a file that reads back whole, beside the snapshot, and replaces it on the next write', async () => {
    const { store, read } = subjects[kind]!();
    expect(store.snapshotName).toBe('governance-status.json');
    await store.put(store.snapshotName, '{"n":1}\n');
    await store.put('governance-badge.json', '{"b":1}\n');
    expect(await read(store.snapshotName)).toBe('{"n":1}\n');
    expect(await read('governance-badge.json')).toBe('{"b":1}\n');
    await store.put(store.snapshotName, '{"n":2}\n');
    expect(await read(store.snapshotName)).toBe('{"n":2}\n');
  });

  it('writes and rewrites a file in a folder beside the snapshot (governance-archive/recent.json)', async () => {
    const { store, read, leftovers } = subjects[kind]!();
    await store.put('governance-archive/recent.json', '{"r":1}\n');
    await store.put('governance-archive/recent.json', '{"r":2}\n');
    expect(await read('governance-archive/recent.json')).toBe('{"r":2}\n');
    expect(await store.get('governance-archive/recent.json')).toBe('{"r":2}\n');
    expect(await leftovers()).toEqual([]);
  });

  it('reads back what it holds, and null (not an error) for what it does not', async () => {
    const { store } = subjects[kind]!();
    const body = '{"staleAfter":"2026-11-21T12:03:00.000Z","note":"é ✓"}\n';
    await store.put(store.snapshotName, body);
    expect(await store.get(store.snapshotName)).toBe(body);
    expect(await store.get('never-written.json')).toBeNull();
    expect(await store.contentHash('never-written.json')).toBeNull();
    expect(await store.contentHash(store.snapshotName)).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('leaves the last good file in place, and no temporary file, when a write is aborted', async () => {
    const { store, read, leftovers } = subjects[kind]!();
    await store.put(store.snapshotName, '{"good":true}\n');
    const aborted = AbortSignal.abort(new Error('snapshot timed out'));
    await expect(store.put(store.snapshotName, '{"good":false}\n', aborted)).rejects.toThrow();
    expect(await read(store.snapshotName)).toBe('{"good":true}\n');
    expect(await leftovers()).toEqual([]);
  });
});

describe('S3 store specifics', () => {
  it('sets Content-Type and the configured Cache-Control on the object', async () => {
    const { store } = subjects.s3!();
    expect(store.description).toBe('s3://status/dao/governance-status.json');
    await store.put(store.snapshotName, '{"schemaVersion":1}\n');
    expect(await s3.read('status', 'dao/governance-status.json')).toMatchObject({
      contentType: 'application/json; charset=utf-8',
      cacheControl: 'public, max-age=15',
    });
  });

  it('says what a 403 on a read may mean (a role without s3:ListBucket, or wrong credentials), never that the file is missing', async () => {
    const denied = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'SOMEONE', secretAccessKey: 'wrong' } });
    const store = createS3SnapshotStore(denied, { bucket: 'status', prefix: 'dao/', snapshotName: 'governance-status.json', cacheControl: 'no-cache' });
    for (const read of [() => store.get('governance-history.json'), () => store.read('governance-history.json'), () => store.contentHash('governance-history.json')]) {
      await expect(read()).rejects.toThrow(/^S3 refused to read governance-history\.json \(403( InvalidAccessKeyId)?\): .*s3:ListBucket on the bucket/);
    }
    denied.destroy();
  });

  it('fails with the SDK error when the bucket does not exist', async () => {
    const store = createS3SnapshotStore(s3.client, { bucket: 'missing', prefix: '', snapshotName: 'x.json', cacheControl: 'no-cache' });
    await expect(store.put('x.json', '{}')).rejects.toThrow(/bucket does not exist/i);
  });
});
