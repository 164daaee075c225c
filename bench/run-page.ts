// `npm run bench:page`: the page part of the bench alone (no database): builds the site, weighs it,
// measures its performance with the demo's data, and rewrites the page's sections of BENCHMARKS.md.
// BENCH_PAGE_BASELINE=<commit> also builds that commit's page in a git worktree of its own and
// measures it the same way, beside today's. BENCH_QUICK=1: one Lighthouse run, stdout only.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { measurePagePerformance, type PagePerformance } from './page-performance.ts';
import { git, run } from './run-command.ts';
import { pageSections } from './page-report.ts';
import { buildSite, weighPage } from './page-weight.ts';
import { withWorktree } from './worktree.ts';

const benchmarks = new URL('../BENCHMARKS.md', import.meta.url);
const quick = process.env.BENCH_QUICK === '1';
const baseline = process.env.BENCH_PAGE_BASELINE?.trim() || undefined;
/** Shown once the page has drawn the history: the incident list, before and after this change. */
const ready = 'ol.incidents';

const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench:page ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/** The baseline commit's page, built in a worktree of its own and measured. */
async function measureBaseline(commit: string): Promise<PagePerformance> {
  return withWorktree(commit, log, async (worktree, label) => {
    const build = await run('npm', ['run', 'build'], { cwd: worktree });
    if (build.code !== 0) throw new Error(`the baseline's npm run build failed:\n${build.output}`);
    return measurePagePerformance(label, join(worktree, 'dist'), { ready, runs: quick ? 1 : 5, log });
  });
}

/** Replaces the page's sections of an existing BENCHMARKS.md, from "## Page weight" to the next section after them. */
export function spliceSections(document: string, sections: string): string {
  const start = document.indexOf('## Page weight');
  if (start === -1) return `${document.trimEnd()}\n\n${sections}`;
  const after = document.slice(start).search(/\n## (?!Page weight|Page performance)/);
  return `${document.slice(0, start)}${sections}${after === -1 ? '' : document.slice(start + after)}`;
}

async function main(): Promise<void> {
  const before = baseline ? await measureBaseline(baseline) : null;
  log('building the page');
  const outDir = await buildSite();
  try {
    const weight = await weighPage(outDir, undefined);
    const now = await measurePagePerformance('now', outDir, { ready, runs: quick ? 1 : 5, log });
    const commit = await git(['rev-parse', '--short', 'HEAD']);
    const source = `These two sections are \`${baseline ? `BENCH_PAGE_BASELINE=${baseline} ` : ''}npm run bench:page\` (bench/run-page.ts), run on ${new Date().toISOString().slice(0, 10)} at ${commit}, not the full run the rest of this file is from.`;
    const sections = pageSections(weight, now, before, source);
    process.stdout.write(sections);
    if (quick) log('BENCH_QUICK: BENCHMARKS.md left as it was');
    else await writeFile(benchmarks, spliceSections(await readFile(benchmarks, 'utf8'), sections));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
  log('done');
}

await main();
