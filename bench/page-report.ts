// The page's sections of BENCHMARKS.md: its weight, and its performance with the demo's data beside
// the baseline's (an earlier commit built and measured the same way), against the goals of issue 20.
import type { Lighthouse, LighthouseRun, MainThread, PagePerformance } from './page-performance.ts';
import type { PageWeight } from './page-weight.ts';
import { count, kB, median, table } from './tables.ts';

export const pageGoals = { performance: 95, tbtMs: 200, cls: 0.1, loadTaskMs: 300, idleTaskMs: 200 };

const fromRuns = (lighthouse: Lighthouse, pick: (run: LighthouseRun) => number) => (lighthouse.ok ? median(lighthouse.runs.map(pick)) : NaN);
const fromThreads = (threads: MainThread[], pick: (run: MainThread) => number) => median(threads.map(pick));
const seconds = (msValue: number) => (Number.isFinite(msValue) ? `${(msValue / 1000).toFixed(2)} s` : 'n/a');
const millis = (msValue: number) => (Number.isFinite(msValue) ? `${count(msValue)} ms` : 'n/a');
const plain = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

type Row = { measure: string; goal: string; value: (page: PagePerformance) => string; met?: (page: PagePerformance) => boolean };

const rows: Row[] = [
  { measure: 'Lighthouse performance, mobile (median)', goal: `≥ ${pageGoals.performance}`, value: (p) => plain(fromRuns(p.mobile, (r) => r.performance)), met: (p) => fromRuns(p.mobile, (r) => r.performance) >= pageGoals.performance },
  { measure: 'Total blocking time, mobile', goal: `< ${pageGoals.tbtMs} ms`, value: (p) => millis(fromRuns(p.mobile, (r) => r.tbtMs)), met: (p) => fromRuns(p.mobile, (r) => r.tbtMs) < pageGoals.tbtMs },
  { measure: 'Largest contentful paint, mobile', goal: '', value: (p) => seconds(fromRuns(p.mobile, (r) => r.lcpMs)) },
  { measure: 'Time to interactive, mobile', goal: '', value: (p) => seconds(fromRuns(p.mobile, (r) => r.ttiMs)) },
  { measure: 'Cumulative layout shift, mobile', goal: `≤ ${pageGoals.cls}`, value: (p) => plain(fromRuns(p.mobile, (r) => r.cls), 3), met: (p) => fromRuns(p.mobile, (r) => r.cls) <= pageGoals.cls },
  { measure: 'Lighthouse performance, desktop', goal: '', value: (p) => plain(fromRuns(p.desktop, (r) => r.performance)) },
  { measure: 'Total blocking time, desktop', goal: '', value: (p) => millis(fromRuns(p.desktop, (r) => r.tbtMs)) },
  { measure: 'Cumulative layout shift, desktop', goal: `≤ ${pageGoals.cls}`, value: (p) => plain(fromRuns(p.desktop, (r) => r.cls), 3), met: (p) => fromRuns(p.desktop, (r) => r.cls) <= pageGoals.cls },
  { measure: 'Lighthouse accessibility, mobile', goal: '', value: (p) => plain(fromRuns(p.mobile, (r) => r.accessibility)) },
  { measure: 'Main thread to load, unthrottled (TaskDuration in thread time, median of 3)', goal: `≤ ${pageGoals.loadTaskMs} ms`, value: (p) => millis(fromThreads(p.mainThread, (t) => t.loadTaskMs)), met: (p) => fromThreads(p.mainThread, (t) => t.loadTaskMs) <= pageGoals.loadTaskMs },
  { measure: 'of which script (ScriptDuration)', goal: '', value: (p) => millis(fromThreads(p.mainThread, (t) => t.loadScriptMs)) },
  { measure: 'Main thread per 20 s afterwards, visible tab', goal: `≤ ${pageGoals.idleTaskMs} ms`, value: (p) => millis(fromThreads(p.mainThread, (t) => t.idleTaskMs)), met: (p) => fromThreads(p.mainThread, (t) => t.idleTaskMs) <= pageGoals.idleTaskMs },
  { measure: 'of which script', goal: '', value: (p) => millis(fromThreads(p.mainThread, (t) => t.idleScriptMs)) },
  { measure: 'DOM nodes after 20 s', goal: '', value: (p) => count(fromThreads(p.mainThread, (t) => t.nodes)) },
  { measure: "the machine's load average while measured", goal: '', value: (p) => p.load.toFixed(1) },
];

/** Every mobile run, so the spread shows: on a shared machine Lighthouse's simulated throttling scales the tasks it saw, waits for a core included. */
const mobileRuns = (page: PagePerformance) =>
  page.mobile.ok
    ? `${page.label}: ${page.mobile.runs.map((run) => `${run.performance} / ${count(run.tbtMs)} ms / ${count(run.benchmarkIndex)}`).join(', ')}`
    : `${page.label}: none`;

const failures = (page: PagePerformance) =>
  [page.mobile, page.desktop].flatMap((lighthouse) => (lighthouse.ok ? [] : [`${page.label}: Lighthouse could not run here: ${lighthouse.reason}`]));

export function pagePerformanceSection(now: PagePerformance, before: PagePerformance | null): string {
  const pages = before ? [before, now] : [now];
  const goalsMet = rows.filter((row) => row.met).map((row) => `- ${row.measure} ${row.goal}: ${row.value(now)} — ${row.met!(now) ? '**met**' : '**missed**'}`);
  return [
    'The built page served on 127.0.0.1 with the demo-sized fixture (tests/fixtures/snapshots/demo.json and',
    'history/demo.json: 90 days, 4 charters, blips counted in the days, 24 incidents), the snapshot served',
    `as just made. Lighthouse (Chromium, headless, simulated throttling; the mobile profile ${now.mobile.ok ? now.mobile.runs.length : 0} times,`,
    'the median shown; desktop once), then Chromium unthrottled through playwright-core: CDP',
    '`Performance.getMetrics` after the page shows its incidents and the network is idle, and again 20 s',
    'later in the same visible tab, in thread time (the main thread\'s own CPU time: the machine is shared,',
    'and wall-clock time would count the waits for a core too).',
    before ? `"${before.label}" is the page before this change, built from that commit and measured the same way, in the same run.` : '',
    '',
    ...goalsMet,
    '',
    table(['measure', 'goal', ...pages.map((page) => page.label)], rows.map((row) => [row.measure, row.goal, ...pages.map((page) => row.value(page))])),
    '',
    'Each Lighthouse mobile run, performance / total blocking time / benchmark index (Lighthouse\'s measure of the',
    'machine\'s speed during the run: it falls when other work takes the cores, and the simulated phone\'s',
    `tasks lengthen with it): ${pages.map(mobileRuns).join('; ')}.`,
    ...pages.flatMap(failures).map((line) => `\n${line}. No score is given rather than a made-up one.`),
  ].join('\n');
}

export function pageWeightSection(page: PageWeight): string {
  const types = ['HTML', 'JavaScript', 'CSS', 'JSON', 'other'];
  const sum = (files: PageWeight['files'], key: 'raw' | 'gzip') => files.reduce((total, file) => total + file[key], 0);
  const byType = types
    .map((type) => ({ type, files: page.files.filter((file) => file.type === type) }))
    .filter(({ files }) => files.length > 0)
    .map(({ type, files }) => [type, files.length, kB(sum(files, 'raw')), kB(sum(files, 'gzip'))]);
  return [
    table(['type', 'files', 'raw kB', 'gzip kB'], byType),
    '',
    table(['file', 'type', 'raw bytes', 'gzip bytes'], page.files.map((file) => [file.path, file.type, count(file.raw), count(file.gzip)])),
  ].join('\n');
}

/**
 * Both page sections, as BENCHMARKS.md holds them from "## Page weight" to the next section; `source`
 * says where they came from when that is not the full run the rest of the file is from.
 */
export function pageSections(weight: PageWeight, now: PagePerformance, before: PagePerformance | null, source?: string): string {
  return `## Page weight

${source ? `${source}\n\n` : ''}\`npm run build\` into a temporary folder (dist/ is left alone), every file measured raw and gzip
(zlib default level); the JSON rows add the demo-sized files the page fetches. \`_astro/client.*.js\` is
Astro's loader for React islands: built, but never loaded, since the page hydrates its one island
itself (site/scripts/mount-island.ts); what the page loads is measured by tests/e2e/page-assets.test.ts.

${pageWeightSection(weight)}

## Page performance

${pagePerformanceSection(now, before)}
`;
}
