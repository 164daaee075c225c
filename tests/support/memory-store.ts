import { createHash } from 'node:crypto';
import type { SnapshotStorePort } from '../../shared/ports.ts';

/** An in-memory SnapshotStorePort for unit tests of the use case. */
export function createMemoryStore(snapshotName = 'governance-status.json') {
  const files = new Map<string, string>();
  const store: SnapshotStorePort = {
    description: 'memory',
    snapshotName,
    async put(name, body, signal) {
      signal?.throwIfAborted();
      files.set(name, body);
    },
    async contentHash(name) {
      const body = files.get(name);
      return body === undefined ? null : createHash('md5').update(body).digest('hex');
    },
    async get(name, signal) {
      signal?.throwIfAborted();
      return files.get(name) ?? null;
    },
    async read(name, signal) {
      signal?.throwIfAborted();
      const body = files.get(name);
      return body === undefined ? null : { body, tag: createHash('md5').update(body).digest('hex') };
    },
    async replace(name, body, expectedTag, signal) {
      signal?.throwIfAborted();
      const current = files.get(name);
      const tag = current === undefined ? null : createHash('md5').update(current).digest('hex');
      if (tag !== expectedTag) return 'changed';
      files.set(name, body);
      return 'written';
    },
    async create(name, body, signal) {
      signal?.throwIfAborted();
      if (files.has(name)) return 'exists';
      files.set(name, body);
      return 'created';
    },
  };
  return { store, files };
}
