// What Node may hold for the worker: a small young generation (V8's default grows it to tens of
// megabytes under a tick's garbage) and a bound on the old one, far above what a tick keeps (the
// bench measures both: BENCHMARKS.md). Given wherever the worker starts: package.json's `worker`
// script, worker/main.js's first line, Dockerfile.worker's NODE_OPTIONS, and the demo and bench
// (tests/unit/runtime-flags.test.ts holds them equal).
export const workerNodeFlags = ['--max-semi-space-size=1', '--max-old-space-size=128'] as const;
