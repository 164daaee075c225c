// What Node may hold for the worker: a small young generation (V8's default grows it to tens of
// megabytes under a tick's garbage) and a bound on the old one, far above what a tick keeps; and no
// tier above Maglev (--max-opt=2): TurboFan's code, about 5 MB of Node's binary, is then never paged
// in, for no measurable CPU per tick, whose time goes to the database and to JSON; and Maglev compiles
// on the main thread (--no-concurrent-recompilation), one function at a time: compiled in the
// background, queued jobs each held their own memory at once: up to 18 MiB of the peak (0 to 18 in
// one bench run, by schedule and store), for about the same CPU (docs/measurements.md, "Two fixes
// of the evening of 2026-12-05"; BENCHMARKS.md, "Worker footprint", measures the worker under these
// flags in every full run). Given wherever the worker starts: package.json's
// `worker` script, worker/main.js's first line, Dockerfile.worker's warm-up and CMD (NODE_OPTIONS
// refuses --max-opt), and the demo and bench (tests/unit/runtime-flags.test.ts holds them equal).
export const workerNodeFlags = ['--max-semi-space-size=1', '--max-old-space-size=128', '--max-opt=2', '--no-concurrent-recompilation'] as const;
