// One fresh database per test file on the cluster of global-postgres.ts: Cogni's schema, one run
// ledger, and the reader role's grants. drop() fails the test file if a connection was left open.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, vi } from 'vitest';
import { applyCogniSchema, grantReader, type Ledger } from '../../scripts/cogni/apply-schema.ts';

export type TestDatabase = {
  name: string;
  /** superuser: sees every row past RLS; for inserting fixtures */
  adminUrl: string;
  /** the worker's role: no BYPASSRLS, SELECT on what the worker reads */
  readerUrl: string;
  /** a pool on adminUrl; drop() ends it */
  admin: pg.Pool;
  /** ends `admin`, drops the database WITH (FORCE); rejects afterwards if other connections were still open */
  drop(): Promise<void>;
};

export async function createTestDatabase({ ledger }: { ledger: Ledger }): Promise<TestDatabase> {
  const maintenanceUrl = inject('adminDatabaseUrl');
  // Test files run in parallel processes on one cluster: a random name cannot collide.
  const name = `governance_test_${ledger}_${randomBytes(6).toString('hex')}`;
  await withClient(maintenanceUrl, (client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));

  const adminUrl = withDatabase(maintenanceUrl, name);
  const readerUrl = withCredentials(adminUrl, inject('readerRole'), inject('readerPassword'));
  try {
    await withClient(adminUrl, async (client) => {
      await applyCogniSchema(client, ledger);
      await grantReader(client, { role: inject('readerRole'), ledger });
    });
  } catch (error) {
    await dropDatabase(maintenanceUrl, name);
    throw error;
  }

  const admin = new pg.Pool({ connectionString: adminUrl, max: 4 });
  // An idle client's error (the server went away) must not crash the test process.
  admin.on('error', () => {});
  let dropped = false;
  return {
    name,
    adminUrl,
    readerUrl,
    admin,
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin.end();
      const leftOpen = await waitForNoConnections(maintenanceUrl, name);
      await dropDatabase(maintenanceUrl, name);
      if (leftOpen.length > 0) {
        throw new Error(
          `${leftOpen.length} connection(s) to ${name} still open at drop (${leftOpen.join(', ')}): end every pool and client`,
        );
      }
    },
  };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(maintenanceUrl: string, name: string): Promise<void> {
  await withClient(maintenanceUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

/**
 * Returns the roles of the connections still open to the database after a short grace period (a
 * backend leaves pg_stat_activity a moment after its client has ended), or [] once there are none.
 */
async function waitForNoConnections(maintenanceUrl: string, name: string): Promise<string[]> {
  return withClient(maintenanceUrl, async (client) => {
    const connected = async () => {
      const { rows } = await client.query<{ usename: string | null }>(
        'SELECT usename FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      return rows.map((row) => row.usename ?? '?');
    };
    try {
      await vi.waitFor(async () => {
        if ((await connected()).length > 0) throw new Error('connections still open');
      }, { timeout: 2_000, interval: 25 });
      return [];
    } catch {
      return connected(); // the roles still connected after the grace period (a failed query throws here)
    }
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
