// Attack harness: one embedded PostgreSQL for the attack scripts beside it, kept running until this
// process gets SIGINT/SIGTERM. Writes the superuser URL and the reader's credentials to
// /tmp/attack-pg.json. Run: node tests/attacks/cluster.ts &
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createReaderRole } from '../../scripts/cogni/apply-schema.ts';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.ts';

const clusterDir = await mkdtemp(join(tmpdir(), 'attack-pg-'));
const cluster = await startEmbeddedPostgres({ clusterDir, password: 'attack-admin', persistent: false, settings: ['max_connections=100'] });
const admin = new pg.Client({ connectionString: cluster.url('postgres') });
await admin.connect();
await createReaderRole(admin, { role: 'governance_reader', password: 'attack-reader' });
await admin.end();
await writeFile('/tmp/attack-pg.json', JSON.stringify({ adminUrl: cluster.url('postgres'), readerRole: 'governance_reader', readerPassword: 'attack-reader', port: cluster.port }));
console.log(JSON.stringify({ event: 'attack_cluster_ready', port: cluster.port }));
const stop = async () => {
  await cluster.stop();
  await rm(clusterDir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
