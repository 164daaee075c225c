// Honest pasts both readers must verify: a key rotated or set later, days archived late, two
// replicas closing one day (tests/attacks/record-readers.ts; the tampered ones: record-verify.ts).
// Run: npx node tests/attacks/record-honest.ts   (no database, no network)
import { archiveIndexFileName, endOfUtcDate, keyRotationsFileName } from '../../shared/archive-files.ts';
import { createArchivist } from '../../worker/archive.ts';
import { createRotationStatement, createSigner } from '../../worker/signing-key.ts';
import { createMemoryStore } from '../support/memory-store.ts';
import { buildRecord, closedDay, dates, recordingLogger } from '../support/archive-record.ts';
import { attack, key, publishBeside, say, sayLies } from './record-readers.ts';

say('honest pasts: every reader must accept');
await attack('a plain 6-day record', 'accept', async () => buildRecord({ days: 6 }));
await attack('a deployment one day old', 'accept', async () => buildRecord({ days: 1 }));
await attack('a day with no runs and no incidents', 'accept', async () => {
  const memory = createMemoryStore();
  const signer = createSigner(key());
  const list = dates('2026-10-01', 4);
  const now = endOfUtcDate(list.at(-1)!) + 20 * 60_000;
  const archivist = createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => new Date(now) });
  await archivist.archive(list.map((date, n) => (n === 1 ? closedDay(date, { charters: [], incidents: [], spent: 0n }) : closedDay(date))));
  return publishBeside(memory, signer, now);
});
await attack('days archived late after an outage (a gap of three days, then all at once)', 'accept', async () => {
  const memory = createMemoryStore();
  const signer = createSigner(key());
  const list = dates('2026-10-01', 8);
  let now = endOfUtcDate(list[3]!) + 60_000;
  const archivist = createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => new Date(now) });
  await archivist.archive(list.slice(0, 4).map((date) => closedDay(date)));
  now = endOfUtcDate(list[7]!) + 3_600_000;
  await archivist.archive(list.map((date) => closedDay(date, { closedAt: new Date(now).toISOString() })));
  return publishBeside(memory, signer, now);
});
/**
 * Four days archived by an old key, a rotation statement a minute later fixing them, then the new key's worker
 * archiving all `days` at the instant `at` gives (from the dates and the statement's time).
 */
async function rotatedRecord(days: number, at: (list: string[], statedAt: number) => number) {
  const [oldKey, newKey] = [key(), key()];
  const memory = createMemoryStore();
  const list = dates('2026-10-01', days);
  const first = endOfUtcDate(list[3]!) + 60_000;
  const closed = (now: number) => list.map((date) => closedDay(date, { closedAt: new Date(now).toISOString() }));
  await createArchivist({ store: memory.store, signer: createSigner(oldKey), logger: recordingLogger(), clock: () => new Date(first) }).archive(closed(first).slice(0, 4));
  const { last, head } = JSON.parse(memory.files.get(archiveIndexFileName)!);
  memory.files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(first + 60_000), { last, head })] }));
  const now = at(list, first + 60_000);
  const next = createSigner(newKey);
  await createArchivist({ store: memory.store, signer: next, logger: recordingLogger(), clock: () => new Date(now) }).archive(closed(now));
  return { record: await publishBeside(memory, next, now), old: createSigner(oldKey), next };
}
await attack('a key rotated in the middle (worker stopped, statement, new key): files of both keys', 'accept', async () => {
  return (await rotatedRecord(8, (list) => endOfUtcDate(list[7]!) + 60_000)).record;
});
await attack('the same, reader pins the old key', 'accept', async () => {
  const { record, old } = await rotatedRecord(8, (list) => endOfUtcDate(list[7]!) + 60_000);
  return { ...record, pinned: old.publicJwk };
});
await attack('rotated, the new worker started, no day closed since (index still by the old key)', 'accept', async () => {
  const { record, next } = await rotatedRecord(4, (_, statedAt) => statedAt + 60_000);
  return { ...record, pinned: next.publicJwk };
});
await attack('a key set later: days archived unsigned, then the worker restarts with a key', 'accept', async () => {
  const memory = createMemoryStore();
  const list = dates('2026-10-01', 4);
  const now = endOfUtcDate(list[3]!) + 60_000;
  await createArchivist({ store: memory.store, signer: null, logger: recordingLogger(), clock: () => new Date(now) }).archive(list.map((date) => closedDay(date)));
  const signer = createSigner(key());
  const later = now + 120_000;
  await createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => new Date(later) }).archive(list.map((date) => closedDay(date)));
  return { ...(await publishBeside(memory, signer, later)), pinned: signer.publicJwk };
});
await attack('a key set later, then the next day closes', 'accept', async () => {
  const memory = createMemoryStore();
  const list = dates('2026-10-01', 5);
  const now = endOfUtcDate(list[3]!) + 60_000;
  await createArchivist({ store: memory.store, signer: null, logger: recordingLogger(), clock: () => new Date(now) }).archive(list.slice(0, 4).map((date) => closedDay(date)));
  const signer = createSigner(key());
  const archivist = createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => new Date(now + 120_000) });
  await archivist.archive(list.slice(0, 4).map((date) => closedDay(date)));
  const later = endOfUtcDate(list[4]!) + 60_000;
  await createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => new Date(later) }).archive(list.map((date) => closedDay(date)));
  return { ...(await publishBeside(memory, signer, later)), pinned: signer.publicJwk };
});
await attack('two replicas closing the same day (same key, same store)', 'accept', async () => {
  const memory = createMemoryStore();
  const signer = createSigner(key());
  const list = dates('2026-10-01', 4);
  const now = endOfUtcDate(list[3]!) + 60_000;
  const a = createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => new Date(now) });
  const b = createArchivist({ store: memory.store, signer, logger: recordingLogger(), clock: () => new Date(now + 5_000) });
  await a.archive(list.slice(0, 3).map((date) => closedDay(date)));
  await b.archive(list.slice(0, 3).map((date) => closedDay(date)));
  await Promise.all([a.archive(list.map((date) => closedDay(date))), b.archive(list.map((date) => closedDay(date, { spent: 7n })))]);
  return publishBeside(memory, signer, now + 5_000);
});


sayLies();
