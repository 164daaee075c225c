// A rotation statement is dated by the operator's clock, a file's own time by the database's: a worker
// started with the new key while the database's clock is still before the statement publishes
// nothing (a file it signed would be refused by every verifier, an archived day for good), and
// publishes from the statement's instant on, a record that verifies.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveIndexFileName, keyRotationsFileName } from '../../shared/archive-files.ts';
import { verifyRecord } from '../../shared/archive-verify.ts';
import { defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { createKeyInForce } from '../../worker/key-in-force.ts';
import { createRotationStatement, createSigner, publicJwkOf } from '../../worker/signing-key.ts';
import { readFrom, recordingLogger } from '../support/archive-record.ts';
import { createFakeSource, schedule, type FakeRun } from '../support/fake-source.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const oldKey = generateKeyPairSync('ed25519').privateKey;
const newKey = generateKeyPairSync('ed25519').privateKey;
const statedAt = '2026-11-21T12:05:00.000Z';
const rotations = JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(statedAt), null)] });

/** A memory store holding the statements, counting its reads of them. */
function storeWith(rotationsFile: string | null) {
  const memory = createMemoryStore();
  if (rotationsFile !== null) memory.files.set(keyRotationsFileName, rotationsFile);
  let reads = 0;
  const store = { ...memory.store, get: (name: string, signal?: AbortSignal) => ((reads += name === keyRotationsFileName ? 1 : 0), memory.store.get(name, signal)) };
  return { store, files: memory.files, reads: () => reads };
}

describe('createKeyInForce', () => {
  it('refuses a file dated before the key takes over, says when it does, and reads the statements no more once it has', async () => {
    const { store, reads } = storeWith(rotations);
    const gate = createKeyInForce(store, createSigner(newKey), recordingLogger());
    await expect(gate.check('2026-11-21T12:03:00.000Z')).rejects.toThrow(
      `the signing key ${createSigner(newKey).kid} takes over at ${statedAt} by its rotation statement (${keyRotationsFileName}), and the database's clock says 2026-11-21T12:03:00.000Z`,
    );
    await gate.check(statedAt);
    await gate.check('2026-11-21T12:06:00.000Z');
    expect(reads()).toBe(2);
    gate.reset(); // a replica that leads anew reads them again
    await gate.check('2026-11-21T12:07:00.000Z');
    expect(reads()).toBe(3);
  });

  it('lets the old key sign up to its retirement, and a key no statement names sign anything', async () => {
    await createKeyInForce(storeWith(rotations).store, createSigner(oldKey), recordingLogger()).check('2026-11-21T12:04:59.999Z');
    await createKeyInForce(storeWith(null).store, createSigner(newKey), recordingLogger()).check('2020-01-01T00:00:00.000Z');
    await createKeyInForce(storeWith(rotations).store, null, recordingLogger()).check('2020-01-01T00:00:00.000Z');
  });

  it('does not wait on a statement from its key to itself: the key signs on either side of it', async () => {
    const toItself = JSON.stringify({ rotations: [createRotationStatement(newKey, newKey, new Date(statedAt), null)] });
    await createKeyInForce(storeWith(toItself).store, createSigner(newKey), recordingLogger()).check('2026-11-21T12:03:00.000Z');
    // and still waits for a key brought back, between the statement that retired it and the one that brings it back
    const back = JSON.stringify({ rotations: [createRotationStatement(newKey, oldKey, new Date('2026-11-21T12:00:00.000Z'), null), createRotationStatement(oldKey, newKey, new Date(statedAt), null)] });
    await expect(createKeyInForce(storeWith(back).store, createSigner(newKey), recordingLogger()).check('2026-11-21T12:03:00.000Z')).rejects.toThrow(`takes over at ${statedAt}`);
  });

  it.each([
    ['not JSON', '{"rotations": [', `${keyRotationsFileName} is not JSON`],
    ['another chain', JSON.stringify({ rotations: [createRotationStatement(oldKey, generateKeyPairSync('ed25519').privateKey, new Date(statedAt), null)] }), 'but the rotation statements end at key'],
  ])('says statements that make no chain to this key (%s), and does not wait on them', async (_, file, problem) => {
    const logger = recordingLogger();
    await createKeyInForce(storeWith(file).store, createSigner(newKey), logger).check('2026-11-21T12:00:00.000Z');
    expect(logger.events('key_rotations_invalid')).toEqual([expect.objectContaining({ level: 'error', problem: expect.stringContaining(problem) })]);
  });
});

describe('a worker started with the new key on a database whose clock is behind the statement', () => {
  const minute = 60_000;
  const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000, rules: defaultRules };
  const runs: FakeRun[] = [];
  for (let time = Date.parse('2026-11-19T00:00:00Z'); time < Date.parse('2026-11-21T13:00:00Z'); time += 10 * minute) {
    runs.push({ scheduleId: 'schedule-engineering', runId: `e-${time}`, status: 'success', scheduledFor: new Date(time), startedAt: new Date(time + 2_000), completedAt: new Date(time + 40_000) });
  }
  const data = { balance: 10_000_000_000n, receipts: [], schedules: [schedule('engineering', '*/10 * * * *')], runs, threads: [] };

  it('publishes nothing before it, then a record the old key pinned verifies', async () => {
    const { store, files } = storeWith(rotations);
    let now = new Date('2026-11-21T12:03:00Z');
    const publish = createPublisher({ source: createFakeSource(data), store, clock: () => now, logger: recordingLogger() }, settings, { feeds: null, signer: createSigner(newKey) });
    await expect(publish()).rejects.toThrow('the worker waits');
    expect([...files.keys()]).toEqual([keyRotationsFileName]);
    now = new Date(statedAt);
    expect((await publish()).outcome).toBe('written');
    expect(files.has(archiveIndexFileName)).toBe(true);
    const result = await verifyRecord({ read: readFrom(files), now: Date.parse(statedAt), pinnedKey: publicJwkOf(oldKey), snapshotName: store.snapshotName });
    expect(result.ok, JSON.stringify(!result.ok && result.failure)).toBe(true);
  });
});
