// SnapshotStorePort on S3 or an S3-compatible store: one PutObject per file, which S3 applies
// atomically (readers get the old object or the new one). Content-Type and Cache-Control are set on
// the object so the CDN and browsers revalidate it on time. A file created once (an archived day) is
// a conditional PutObject with If-None-Match: *, which S3 refuses (412) when the key exists.
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { contentTypeOf } from './content-type.ts';
import type { SnapshotStorePort } from '../../shared/ports.ts';

export type S3StoreOptions = { bucket: string; prefix: string; snapshotName: string; cacheControl: string };

/** What every request needs; nothing else is kept between calls, so the store holds no other state. */
type S3Target = {
  /** created once by main.ts and shared, so its connections are reused */
  client: S3Client;
  /** where the objects live and how they are served (bucket, key prefix, Cache-Control) */
  options: S3StoreOptions;
};
type WriteCondition = { IfNoneMatch: string } | { IfMatch: string };

export function createS3SnapshotStore(client: S3Client, options: S3StoreOptions): SnapshotStorePort {
  const target: S3Target = { client, options };
  return {
    description: `s3://${options.bucket}/${options.prefix}${options.snapshotName}`,
    snapshotName: options.snapshotName,
    async put(name, body, signal) {
      await client.send(putCommand(target, name, body), { abortSignal: signal });
    },
    read: (name, signal) =>
      nullWhenMissing(name, async () => {
        const object = await client.send(getCommand(target, name), { abortSignal: signal });
        const body = (await object.Body?.transformToString('utf-8')) ?? '';
        return { body, tag: object.ETag ?? '' };
      }),
    // S3's conditional write: If-Match on the ETag read (412 when another writer came between), or
    // If-None-Match: * when nothing was there (412 when something now is).
    async replace(name, body, expectedTag, signal) {
      return (await conditionalPut(target, name, body, expectedTag === null ? { IfNoneMatch: '*' } : { IfMatch: expectedTag }, signal)) ? 'written' : 'changed';
    },
    async create(name, body, signal) {
      return (await conditionalPut(target, name, body, { IfNoneMatch: '*' }, signal)) ? 'created' : 'exists';
    },
    // A single PutObject's ETag is the MD5 of its body (without SSE-KMS), so one HEAD tells whether
    // a side file is still there and unchanged.
    contentHash: (name, signal) =>
      nullWhenMissing(name, async () => {
        const head = await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: keyOf(target, name) }), { abortSignal: signal });
        return head.ETag?.replaceAll('"', '') ?? null;
      }),
    get: (name, signal) =>
      nullWhenMissing(name, async () => {
        const object = await client.send(getCommand(target, name), { abortSignal: signal });
        return (await object.Body?.transformToString('utf-8')) ?? null;
      }),
  };
}

const keyOf = ({ options }: S3Target, name: string) => `${options.prefix}${name}`;

const getCommand = (target: S3Target, name: string) => new GetObjectCommand({ Bucket: target.options.bucket, Key: keyOf(target, name) });

/** One object's PUT with its type and caching, and a write condition when one is given. */
function putCommand(target: S3Target, name: string, body: string, condition: WriteCondition | Record<string, never> = {}) {
  return new PutObjectCommand({
    Bucket: target.options.bucket,
    Key: keyOf(target, name),
    Body: body,
    ContentType: contentTypeOf(name),
    CacheControl: target.options.cacheControl,
    ...condition,
  });
}

/**
 * One PutObject under a condition: true when written, false when S3 refused it (412). A 409
 * (ConditionalRequestConflict: another conditional write to the key was in flight) is tried again,
 * and the retry then answers 412 if that other write won.
 */
async function conditionalPut(target: S3Target, name: string, body: string, condition: WriteCondition, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await target.client.send(putCommand(target, name, body, condition), { abortSignal: signal });
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412) return false;
      if (status !== 409 || attempt === 3) throw error;
    }
  }
}

/**
 * A missing object (404, NoSuchKey) answers null; any other error propagates. A 403 says what it may
 * mean: S3 answers a read of a key that does not exist with 403, not 404, to a role without
 * s3:ListBucket, and a worker's first start reads files that are not there yet.
 */
async function nullWhenMissing<T>(name: string, request: () => Promise<T>): Promise<T | null> {
  try {
    return await request();
  } catch (error) {
    if (isMissing(error)) return null;
    if (statusOf(error) !== 403) throw error;
    const code = (error as { name?: string }).name;
    throw new Error(`S3 refused to read ${name} (403${code && code !== 'Unknown' ? ` ${code}` : ''}): check the worker's credentials, and that its role has s3:GetObject on its files and s3:ListBucket on the bucket (without it, S3 answers 403 for a file not written yet; docs/deployment.md)`, { cause: error });
  }
}

const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

function isMissing(error: unknown): boolean {
  return error instanceof NotFound || error instanceof NoSuchKey || statusOf(error) === 404;
}
