// The bench's cluster with its worker kit and reader roles (withBenchCluster, which `npm run bench`
// seeds a database per size in), and one seeded database of the full bench's shapes at one size,
// graph_runs in use, for the benches that measure one thing alone (bench:startup, bench:footprint).
// Everything is stopped and closed after `use`, whatever it does.
import pg from 'pg';
import { createReaderRole } from '../scripts/cogni/apply-schema.ts';
import { startBenchCluster, type BenchCluster } from './cluster.ts';
import { scaleOf, seedDatabase, useLedger } from './seed.ts';
import { prepareWorkerKit, type WorkerKit } from './worker-process.ts';

/** The roles the worker reads as, and the straightforward reading the bench compares it with. */
export const reader = { role: 'governance_reader', password: `bench-${process.pid}-reader` };
export const naive = { role: 'governance_naive_reader', password: `bench-${process.pid}-naive` };

export type BenchSetup = { cluster: BenchCluster; kit: WorkerKit; root: pg.Client };
export type OneDatabase = BenchSetup & { database: string; readerRole: string; readerUrl: string };

/**
 * Where the seeded history ends: `leadMinutes` after now, later than the worker's own clock will be at
 * any point of the run, so that every tick it makes finds its charters answered up to its own now;
 * rows after its clock lie outside every window it reads. Half past a minute, so no window starts on a slot.
 */
export const seededNow = (leadMinutes: number) => new Date(Math.floor((Date.now() + leadMinutes * 60_000) / 60_000) * 60_000 + 30_000);

/** A started cluster with the worker kit, an admin client and both reader roles, for `use`. */
export async function withBenchCluster<T>(log: (line: string) => void, use: (setup: BenchSetup) => Promise<T>): Promise<T> {
  const cluster = await startBenchCluster(log);
  const kit = await prepareWorkerKit().catch(async (error: unknown) => {
    await cluster.stop();
    throw error;
  });
  const root = new pg.Client({ connectionString: cluster.adminUrl });
  root.on('error', () => {});
  try {
    await root.connect();
    await createReaderRole(root, reader);
    await createReaderRole(root, naive);
    return await use({ cluster, kit, root });
  } finally {
    await root.end().catch(() => {});
    await cluster.stop();
    await kit.close();
  }
}

/** The size a variable names ("10k", "1M"), or `fallback`: its label and rows per table. */
export function sizeFrom(variable: string, fallback: string): { label: string; rows: number } {
  const label = process.env[variable] ?? fallback;
  const match = /^(\d+)(k|M)$/.exec(label);
  if (!match) throw new Error(`${variable}: a size like 10k or 1M, not ${label}`);
  return { label, rows: Number(match[1]) * (match[2] === 'M' ? 1_000_000 : 1_000) };
}

export async function withSeededDatabase<T>(
  { label, rows, database, log }: { label: string; rows: number; database: string; log: (line: string) => void },
  use: (db: OneDatabase) => Promise<T>,
): Promise<T> {
  const now = seededNow(45); // as bench/run.ts pins it
  return withBenchCluster(log, async ({ cluster, kit, root }) => {
    await root.query(`CREATE DATABASE ${database}`);
    const admin = new pg.Client({ connectionString: cluster.urlFor(database) });
    const second = new pg.Client({ connectionString: cluster.urlFor(database) });
    await admin.connect();
    await second.connect();
    try {
      log(`seeding ${label}`);
      await seedDatabase(admin, second, { scale: scaleOf(label, rows), now, readerRole: reader.role, naiveRole: naive.role });
      await useLedger(admin, 'graph_runs');
    } finally {
      await admin.end();
      await second.end();
    }
    const readerUrl = cluster.urlFor(database, { user: reader.role, password: reader.password });
    return use({ cluster, kit, root, database, readerRole: reader.role, readerUrl });
  });
}
