// A command run to its end, with the end of its output (stdout and stderr together), for the
// benches that build the site or check out an earlier commit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** This checkout's root folder. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Resolves with the exit code and the last 8,000 characters of output; rejects when it cannot start. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** A git command in this checkout; its output, trimmed; throws with git's own words when it fails. */
export async function git(args: string[]): Promise<string> {
  const result = await run('git', args, { cwd: repoRoot });
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed:\n${result.output}`);
  return result.output.trim();
}
