// One seeded database of the full bench's shapes at one size, graph_runs in use, for the benches that
// measure one thing alone (bench:startup, bench:footprint): the cluster, the worker kit and the reader
// role's URL, stopped and closed after `use` whatever it does.
import pg from 'pg';
import { createReaderRole } from '../scripts/cogni/apply-schema.ts';
import { startBenchCluster, type BenchCluster } from './cluster.ts';
import { scaleOf, seedDatabase, useLedger } from './seed.ts';
import { prepareWorkerKit } from './worker-process.ts';

export type OneDatabase = { cluster: BenchCluster; kit: Awaited<ReturnType<typeof prepareWorkerKit>>; root: pg.Client; database: string; readerRole: string; readerUrl: string };

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
  // The seeded history ends after the worker's clock for the whole run, as in bench/run.ts.
  const now = new Date(Math.floor((Date.now() + 45 * 60_000) / 60_000) * 60_000 + 30_000);
  const reader = { role: 'governance_reader', password: `bench-${process.pid}-reader` };
  const naive = { role: 'governance_naive_reader', password: `bench-${process.pid}-naive` };
  const cluster = await startBenchCluster(log);
  const kit = await prepareWorkerKit();
  const root = new pg.Client({ connectionString: cluster.adminUrl });
  root.on('error', () => {});
  try {
    await root.connect();
    await createReaderRole(root, reader);
    await createReaderRole(root, naive);
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
    return await use({ cluster, kit, root, database, readerRole: reader.role, readerUrl });
  } finally {
    await root.end().catch(() => {});
    await cluster.stop();
    await kit.close();
  }
}
