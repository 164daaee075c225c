// An earlier commit checked out beside this one, for a bench that measures it side by side with
// today's (BENCH_PAGE_BASELINE, BENCH_FOOTPRINT_BASELINE): a detached git worktree in a temporary
// folder, sharing this checkout's node_modules (so the baseline runs on today's dependencies), removed
// after use, or on Ctrl-C.
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseOnInterrupt } from './interrupt.ts';
import { git, repoRoot } from './run-command.ts';

/** Runs `use` on `commit` checked out in a worktree of its own; `label` names it: "before (<short hash>)". */
export async function withWorktree<T>(commit: string, log: (line: string) => void, use: (worktree: string, label: string) => Promise<T>): Promise<T> {
  const hash = await git(['rev-parse', '--verify', '--quiet', `${commit}^{commit}`]).catch(() => {
    throw new Error(`the baseline ${JSON.stringify(commit)} is no commit of this repository`);
  });
  const parent = await mkdtemp(join(tmpdir(), 'governance-bench-baseline-'));
  const worktree = join(parent, 'repo');
  let added = false;
  let removed: Promise<void> | undefined;
  // once, whether the bench ends or a signal ends it first: both may ask at the same moment
  const remove = () =>
    (removed ??= (async () => {
      if (added) await git(['worktree', 'remove', '--force', worktree]).catch((error: unknown) => log(`could not remove ${worktree}: ${String(error)}`));
      await rm(parent, { recursive: true, force: true });
    })());
  const keep = releaseOnInterrupt(remove);
  try {
    await git(['worktree', 'add', '--detach', worktree, hash]);
    added = true;
    await symlink(join(repoRoot, 'node_modules'), join(worktree, 'node_modules'));
    return await use(worktree, `before (${hash.slice(0, 7)})`);
  } finally {
    keep();
    await remove();
  }
}
