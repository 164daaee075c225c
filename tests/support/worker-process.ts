// Runs the real worker entry point as production starts it (`node <workerNodeFlags> worker/main.js`,
// on this Node 24) as a child process and reads its JSON log lines, so tests exercise what
// `npm run worker` and the image run.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findFreePort } from '../../scripts/embedded-postgres.ts';
import { vi } from 'vitest';
import { workerNodeFlags } from '../../worker/runtime.ts';

const mainPath = fileURLToPath(new URL('../../worker/main.js', import.meta.url));

export type LogLine = { level: string; event: string; [field: string]: unknown };

export type WorkerProcess = {
  child: ChildProcess;
  logs: LogLine[];
  stdout(): string;
  stderr(): string;
  /** resolves with the `count`-th (default: first) log line, counting from `after`, that matches; rejects after timeoutMs */
  waitFor(event: string, options?: { after?: number; count?: number; timeoutMs?: number; where?: (line: LogLine) => boolean }): Promise<LogLine>;
  exited: Promise<number | null>;
};

/** `wrapper`: a command that runs the worker (e.g. a shell that sets a resource limit, then execs it). */
export function startWorker(args: string[], env: Record<string, string | undefined>, wrapper: string[] = []): WorkerProcess {
  const command = [...wrapper, process.execPath, ...workerNodeFlags, mainPath, ...args];
  const child = spawn(command[0]!, command.slice(1), {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  const collect = (text: string) => {
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as LogLine;
        if (typeof parsed.event === 'string') logs.push(parsed);
      } catch {
        // the snapshot itself (with --stdout) spans many lines; only log lines are collected here
      }
    }
    for (const wake of waiters) wake();
  };
  // Log lines may arrive split across chunks: collect whole lines only.
  const follow = (stream: NodeJS.ReadableStream, keep: (chunk: string) => void) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      keep(chunk);
      pending += chunk;
      const cut = pending.lastIndexOf('\n');
      if (cut >= 0) {
        collect(pending.slice(0, cut));
        pending = pending.slice(cut + 1);
      }
    });
  };
  follow(child.stdout!, (chunk) => (out += chunk));
  follow(child.stderr!, (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  return {
    child,
    logs,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(event, { after = 0, count = 1, timeoutMs = 15_000, where = () => true } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.slice(after).filter((line) => line.event === event && where(line))[count - 1];
          if (found) {
            cleanup();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no "${event}" log within ${timeoutMs} ms; saw: ${logs.map((l) => l.event).join(', ')}\n${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Sends SIGTERM and waits for the exit code; kills the process if it does not stop in time. */
export async function stopWorker(worker: WorkerProcess, timeoutMs = 15_000): Promise<number | null> {
  if (worker.child.exitCode !== null) return worker.child.exitCode;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), timeoutMs);
  try {
    return await worker.exited;
  } finally {
    clearTimeout(timer);
  }
}

export type Runs = { success: number; refused: number; failure: number; skipped: number };

/**
 * A worker's snapshot runs by result, as its /metrics counts them. Every tick counts once, and so
 * does the start-up attempt (a tick this replica does not lead counts as skipped): a clock for tests
 * that counts the worker's own ticks instead of reading a watch.
 */
export async function runsOf(healthPort: number): Promise<Runs> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  const count = (result: keyof Runs) => Number(new RegExp(`^governance_snapshot_runs_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { success: count('success'), refused: count('refused'), failure: count('failure'), skipped: count('skipped') };
}

/** How many ticks (and the start-up attempt) the worker has counted, whatever their result. */
export async function ticksOf(healthPort: number): Promise<number> {
  const runs = await runsOf(healthPort);
  return runs.success + runs.refused + runs.failure + runs.skipped;
}

/** Resolves once each worker has counted at least `count` more ticks than `from` gives (0 by default). */
export async function waitForTicks(healthPorts: number[], count: number, from: number[] = []): Promise<void> {
  await vi.waitFor(
    async () => {
      const ticks = await Promise.all(healthPorts.map((port) => ticksOf(port)));
      ticks.forEach((seen, index) => {
        if (seen - (from[index] ?? 0) < count) throw new Error(`worker on port ${healthPorts[index]} counted ${seen - (from[index] ?? 0)} of ${count} ticks`);
      });
    },
    { timeout: 30_000, interval: 200 },
  );
}

/** Rewrites a postgres URL to go through another host:port (a TCP proxy) with the same credentials. */
export function viaPort(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

/** A replica publishing every second to `folder`/governance-status.json from `databaseUrl`, with /healthz and /metrics on a free port. */
export async function startEverySecond(databaseUrl: string, folder: string): Promise<{ worker: WorkerProcess; healthPort: number }> {
  const healthPort = await findFreePort();
  const worker = startWorker([], {
    DATABASE_URL: databaseUrl,
    SNAPSHOT_DESTINATION: pathToFileURL(join(folder, 'governance-status.json')).href,
    SNAPSHOT_CRON: '* * * * * *',
    HEALTH_PORT: String(healthPort),
  });
  return { worker, healthPort };
}
