import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3SnapshotStore } from '../../worker/stores/s3-snapshot-store.ts';
import { startS3Server, type S3TestServer } from '../support/s3-server.ts';

describe('S3 snapshot store against an S3-protocol server', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server({ buckets: ['status'] });
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('puts the object with its Content-Type and Cache-Control', async () => {
    const store = createS3SnapshotStore(s3.client, {
      bucket: 'status',
      prefix: 'dao/',
      snapshotName: 'governance-status.json',
      cacheControl: 'public, max-age=15',
    });
    expect(store.description).toBe('s3://status/dao/governance-status.json');
    await store.put(store.snapshotName, '{"schemaVersion":1}\n');
    const object = await s3.read('status', 'dao/governance-status.json');
    expect(object).toMatchObject({
      body: '{"schemaVersion":1}\n',
      contentType: 'application/json; charset=utf-8',
      cacheControl: 'public, max-age=15',
    });

    await store.put(store.snapshotName, '{"schemaVersion":1,"next":true}\n');
    expect((await s3.read('status', 'dao/governance-status.json')).body).toBe('{"schemaVersion":1,"next":true}\n');
  });

  it('fails with the SDK error when the bucket does not exist', async () => {
    const store = createS3SnapshotStore(s3.client, { bucket: 'missing', prefix: '', snapshotName: 'x.json', cacheControl: 'no-cache' });
    await expect(store.put('x.json', '{}')).rejects.toThrow(/bucket does not exist/i);
  });
});
