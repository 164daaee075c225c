// Debian's libfaketime, preloaded into a child process, moves its wall clock by an offset (`+15m`)
// and leaves its monotonic clock alone, so its timers run at the normal pace. The threaded variant
// of the library, because node runs threads. Without the package the tests say so and skip.
import { execFileSync } from 'node:child_process';
import { existsSync, globSync } from 'node:fs';

const library = 'libfaketimeMT.so.1';

type Faketime = {
  env: (offset: string) => Record<string, string>;
  /** a clock `offset` off that follows the offset written in `file` (read again at least every second): a clock that is stepped */
  following: (file: string) => Record<string, string>;
};

/** The environment that runs a child `offset` off the real time (`+15m`, `-15m`), or why it cannot run here. */
export function findFaketime(): Faketime | { missing: string } {
  const found = [...globSync(`/usr/lib/*/faketime/${library}`), `/usr/lib/faketime/${library}`].find((path) => existsSync(path));
  if (!found) return { missing: `libfaketime is not installed (no ${library} under /usr/lib); .ci/run installs Debian's faketime package` };
  const env = (offset: string) => ({ LD_PRELOAD: found, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' });
  // It must work on this node, not only exist: a node that ignores it would make the tests pass for nothing.
  try {
    const seen = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { env: { ...process.env, ...env('+1d') }, encoding: 'utf8' }));
    if (Math.abs(seen - Date.now() - 86_400_000) > 3_600_000) return { missing: `${found} did not move node's clock (it read ${new Date(seen).toISOString()})` };
  } catch (error) {
    return { missing: `node does not run with ${found} preloaded: ${(error as Error).message}` };
  }
  const following = (file: string) => ({ LD_PRELOAD: found, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_CACHE_DURATION: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' });
  return { env, following };
}
