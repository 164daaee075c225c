// An S3-protocol server (s3rver) in the test process, so the real AWS SDK code path runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export const s3Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export type S3TestServer = {
  endpoint: string;
  port: number;
  client: S3Client;
  read(bucket: string, key: string): Promise<{ body: string; contentType?: string; cacheControl?: string; etag?: string }>;
  stop(): Promise<void>;
  /** starts again on the same port with the same data (after stop) */
  restart(): Promise<void>;
  close(): Promise<void>;
};

export async function startS3Server({ buckets, port = 0 }: { buckets: string[]; port?: number }): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const make = (listenPort: number) =>
    new S3rver({ port: listenPort, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
  let server = make(port);
  const { port: boundPort } = await server.run();
  let running = true;
  const endpoint = `http://127.0.0.1:${boundPort}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: s3Credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    port: boundPort,
    client,
    async read(bucket, key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return {
        body: await object.Body!.transformToString(),
        contentType: object.ContentType,
        cacheControl: object.CacheControl,
        etag: object.ETag,
      };
    },
    async stop() {
      if (running) await server.close();
      running = false;
    },
    async restart() {
      server = make(boundPort);
      await server.run();
      running = true;
    },
    async close() {
      client.destroy();
      if (running) await server.close();
      running = false;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
