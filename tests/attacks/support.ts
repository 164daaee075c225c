// Attack harness helpers: a fresh database on the cluster of cluster.ts (Cogni's schema, the reader's
// grants, the demo's 90 days of data at the real now). The attacks beside this file are scripts, not
// tests (vitest never runs them): start the cluster first (node tests/attacks/cluster.ts &), then run
// one attack with node (npx node tests/attacks/<attack>.ts); each prints what it saw, line by line.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { applyCogniSchema, grantReader, type Ledger } from '../../scripts/cogni/apply-schema.ts';
import { seedDemoData } from '../../scripts/demo-data.ts';
import { s3Credentials } from '../support/s3-server.ts';

const cluster = JSON.parse(readFileSync('/tmp/attack-pg.json', 'utf8')) as { adminUrl: string; readerRole: string; readerPassword: string };

export type AttackDatabase = { name: string; adminUrl: string; readerUrl: string; admin: pg.Pool; drop(): Promise<void> };

const withPath = (url: string, database: string, user?: [string, string]) => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (user) [parsed.username, parsed.password] = user;
  return parsed.toString();
};

export async function createAttackDatabase({ ledger = 'graph_runs', demo = true }: { ledger?: Ledger; demo?: boolean } = {}): Promise<AttackDatabase> {
  const name = `attack_${randomBytes(5).toString('hex')}`;
  const maintenance = new pg.Client({ connectionString: cluster.adminUrl });
  await maintenance.connect();
  await maintenance.query(`CREATE DATABASE ${name}`);
  await maintenance.end();
  const adminUrl = withPath(cluster.adminUrl, name);
  const admin = new pg.Pool({ connectionString: adminUrl, max: 3 });
  admin.on('error', () => {});
  await applyCogniSchema(admin, ledger);
  await grantReader(admin, { role: cluster.readerRole, ledger });
  if (demo) await seedDemoData(admin, new Date());
  return {
    name,
    adminUrl,
    readerUrl: withPath(cluster.adminUrl, name, [cluster.readerRole, cluster.readerPassword]),
    admin,
    async drop() {
      await admin.end();
      const client = new pg.Client({ connectionString: cluster.adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export const say = (what: string, value?: unknown) => console.log(`## ${what}${value === undefined ? '' : `: ${typeof value === 'string' ? value : JSON.stringify(value)}`}`);

/** A worker's destination on the attack's s3rver, reached through `endpoint` (a proxy that may fail or delay), under s3://status/<prefix>. */
export const s3Destination = (endpoint: string, prefix: string) => ({
  SNAPSHOT_DESTINATION: `s3://status/${prefix}governance-status.json`,
  S3_ENDPOINT: endpoint,
  S3_FORCE_PATH_STYLE: 'true',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
});
