// The memory that docs/deployment.md's Kubernetes example requests and limits the worker to, read
// from the guide itself, so that BENCHMARKS.md holds it against the peaks this run measured: the
// limit must clear the highest peak with headroom (issue 21: a copied deployment must not be killed),
// the request the default schedule's peak (what a worker holds in normal running).
import { readFile } from 'node:fs/promises';
import type { FootprintResult } from './footprint.ts';
import type { SizeResult } from './tables.ts';

export type DeploymentMemory = { requestMi: number; limitMi: number };

/** The limit's headroom over the highest peak measured: a margin for data larger than the bench's, and for Node's own variance. */
export const limitHeadroom = 1.5;

export async function readDeploymentMemory(): Promise<DeploymentMemory> {
  const guide = await readFile(new URL('../docs/deployment.md', import.meta.url), 'utf8');
  const requestMi = Number(/requests: \{[^}]*memory: (\d+)Mi/.exec(guide)?.[1]);
  const limitMi = Number(/limits: \{[^}]*memory: (\d+)Mi/.exec(guide)?.[1]);
  if (!Number.isFinite(requestMi) || !Number.isFinite(limitMi)) throw new Error('docs/deployment.md: no `requests: { … memory: NMi }` and `limits: { memory: NMi }` found');
  return { requestMi, limitMi };
}

/** Every peak this run measured of a worker process, named. */
export function measuredPeaks(footprint: FootprintResult, results: SizeResult[]): Array<{ what: string; peakMiB: number }> {
  return [
    ...footprint.once.map((run) => ({ what: `--once, ${run.store} store`, peakMiB: run.peakRssMiB })),
    ...footprint.runs.map((run) => ({ what: `${run.cron.split(' ').length === 6 ? 'one a second' : 'default schedule'}, ${run.store} store`, peakMiB: run.peakRssMiB })),
    ...results.map((result) => ({ what: `steady ticks at ${result.scale.label} ${result.ledger}`, peakMiB: result.ticks.footprint.peakRssMiB })),
  ];
}

/** The goal line: the guide's limit ≥ headroom × the highest peak, its request ≥ the default schedule's peak. */
export function deploymentGoalLine(memory: DeploymentMemory, footprint: FootprintResult, results: SizeResult[]): string {
  const peaks = measuredPeaks(footprint, results);
  const highest = peaks.reduce((top, peak) => (peak.peakMiB > top.peakMiB ? peak : top));
  const defaultPeak = Math.max(...footprint.runs.filter((run) => run.cron.split(' ').length === 5).map((run) => run.peakRssMiB));
  const limitOk = memory.limitMi >= limitHeadroom * highest.peakMiB;
  const requestOk = memory.requestMi >= defaultPeak;
  return (
    `- docs/deployment.md's memory limit (${memory.limitMi} Mi) ≥ ${limitHeadroom} × the highest peak measured in this run (${highest.peakMiB.toFixed(1)} MiB, ${highest.what}: ${(limitHeadroom * highest.peakMiB).toFixed(0)} MiB): ${limitOk ? '**met**' : '**missed**'}, ` +
    `${(memory.limitMi / highest.peakMiB).toFixed(2)}x; its request (${memory.requestMi} Mi) ≥ the default schedule's peak (${defaultPeak.toFixed(1)} MiB): ${requestOk ? '**met**' : '**missed**'}`
  );
}
