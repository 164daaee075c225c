// A published governance record for tests: days archived by the real archivist into a store, the
// snapshot and its signature beside them, the public key and the schemas; plus a logger that keeps
// its lines, and the closed days the history keeper would hand over.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClosedDay } from '../../shared/archive-contract.ts';
import { archiveIndexFileName, endOfUtcDate, nextUtcDate, signatureFileName } from '../../shared/archive-files.ts';
import type { Logger, SnapshotStorePort } from '../../shared/ports.ts';
import { createArchivist } from '../../worker/archive.ts';
import { archiveSideFiles } from '../../worker/archive-side-files.ts';
import { createSigner, type Signer } from '../../worker/signing-key.ts';
import { createMemoryStore } from './memory-store.ts';

export type LogEntry = { level: string; event: string; [field: string]: unknown };

export function recordingLogger(): Logger & { entries: LogEntry[]; events(name: string): LogEntry[] } {
  const entries: LogEntry[] = [];
  const log = (level: string) => (event: string, fields: Record<string, unknown> = {}) => void entries.push({ level, event, ...fields });
  return { entries, info: log('info'), warn: log('warn'), error: log('error'), events: (name) => entries.filter((entry) => entry.event === name) };
}

export const newSigner = (): Signer => createSigner(generateKeyPairSync('ed25519').privateKey);

/** `count` consecutive UTC dates from `first`. */
export function dates(first: string, count: number): string[] {
  const list = [first];
  while (list.length < count) list.push(nextUtcDate(list.at(-1)!));
  return list;
}

/** A closed day as the keeper would give it: two charters, an incident that started that day, spend. */
export function closedDay(date: string, change: Partial<ClosedDay> = {}): ClosedDay {
  const seed = Number(date.slice(-2));
  return {
    date,
    closedAt: new Date(endOfUtcDate(date) + 10 * 60_000).toISOString(),
    spent: 1_000_000n + BigInt(seed),
    charters: [
      { id: 'engineering', name: 'Engineering', counts: { expected: 96, succeeded: 94 - (seed % 3), failed: 1 + (seed % 3), skipped: 0, missed: 1 } },
      { id: 'community', name: 'Community', counts: { expected: 24, succeeded: 24, failed: 0, skipped: 0, missed: 0 } },
    ],
    incidents: [
      {
        id: `engineering@${date}T07:00:00.000Z`,
        charterId: 'engineering',
        kind: 'failed',
        startedAt: `${date}T07:00:00.000Z`,
        resolvedAt: `${date}T08:00:00.000Z`,
        runs: 2,
        errorCodes: ['insufficient_credits'],
      },
    ],
    ...change,
  };
}

/** The published snapshot (a fixture), generated at `now`. */
export function snapshotAt(now: number): string {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/snapshots/healthy.json', import.meta.url), 'utf8'));
  return `${JSON.stringify({ ...fixture, generatedAt: new Date(now).toISOString(), staleAfter: new Date(now + 180_000).toISOString() }, null, 2)}\n`;
}

/** Archives `days` days from `first` (signed with `signer` unless null) and publishes a snapshot beside them. */
export async function buildRecord(options: { first?: string; days?: number; signer?: Signer | null; store?: SnapshotStorePort } = {}) {
  const memory = createMemoryStore();
  const store = options.store ?? memory.store;
  const signer = options.signer === undefined ? newSigner() : options.signer;
  const list = dates(options.first ?? '2026-10-01', options.days ?? 5);
  const now = endOfUtcDate(list.at(-1)!) + 20 * 60_000;
  const logger = recordingLogger();
  const archivist = createArchivist({ store, signer, logger, clock: () => new Date(now) });
  const outcome = await archivist.archive(list.map((date) => closedDay(date)));
  const snapshot = snapshotAt(now - 30_000);
  await store.put(store.snapshotName, snapshot);
  if (signer) await store.put(signatureFileName(store.snapshotName), signer.sign(snapshot));
  for (const [name, body] of Object.entries(archiveSideFiles(signer))) await store.put(name, body);
  return { store, files: memory.files, signer, days: list, now, logger, archivist, outcome };
}

/** The archive a rotation statement fixes: the index's last day and head as the files hold them (what rotate-signing-key writes). */
export function fixedArchive(files: Map<string, string>): { last: string; head: string } {
  const { last, head } = JSON.parse(files.get(archiveIndexFileName)!);
  return { last, head };
}

/** `read` for shared/archive-verify.ts over a memory store's files. */
export const readFrom = (files: Map<string, string>) => async (name: string) => {
  const body = files.get(name);
  return body === undefined ? null : new TextEncoder().encode(body);
};
