// The worker as `npm run worker` runs it: `node worker/main.js` on this Node, a child process. Its
// JSON log lines pass through to stdout unchanged; the first `snapshot_published` tells the demo
// that the page has data to show.
import { spawn } from 'node:child_process';
import { workerNodeFlags } from '../worker/runtime.ts';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const workerMain = fileURLToPath(new URL('../worker/main.js', import.meta.url));

export type WorkerChild = {
  pid: number | undefined;
  /** the exit code (null when killed by a signal) */
  exited: Promise<number | null>;
  /** resolves on the first published snapshot; rejects if the worker exits before it */
  firstPublish: Promise<void>;
  /** SIGTERM, then the exit code once it has drained; SIGKILL after killAfterMs */
  stop(killAfterMs?: number): Promise<number | null>;
};

export function spawnWorker(env: NodeJS.ProcessEnv): WorkerChild {
  const child = spawn(process.execPath, [...workerNodeFlags, workerMain], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let published: () => void = () => {};
  const firstPublish = new Promise<void>((resolve, reject) => {
    published = resolve;
    void exited.then((code) => reject(new Error(`the worker exited with ${code} before it published a snapshot`)));
  });
  firstPublish.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection

  createInterface({ input: child.stdout }).on('line', (line) => {
    process.stdout.write(`${line}\n`);
    if (line.includes('"snapshot_published"')) published();
  });

  return {
    pid: child.pid,
    exited,
    firstPublish,
    async stop(killAfterMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
