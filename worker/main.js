#!/usr/bin/env -S node --max-semi-space-size=1 --max-old-space-size=128 --max-opt=2 --no-concurrent-recompilation
// The worker's entry point, in plain JavaScript that any Node.js can parse. The worker itself is
// TypeScript that Node 24 runs directly (type stripping); an older Node fails on main.ts with an
// error about a ".ts" file extension. Here it gets one line that says what to do instead.
const required = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < required) {
  const message =
    `the governance status worker needs Node.js ${required} or later (it runs its TypeScript directly); ` +
    `this is Node.js ${process.versions.node} (${process.execPath}): run it with \`npm run worker\`, which uses the project's own Node ${required}, or install Node ${required}`;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'node_too_old', message })}\n`);
  process.exitCode = 78; // EX_CONFIG, as for any other setting the worker cannot run with
} else {
  // Node's compile cache keeps each module's compiled code, TypeScript's stripped output included:
  // once warm (the container image warms it: Dockerfile.worker), a start never loads the type
  // stripper, about 20 MB of resident memory for as long as the worker runs.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  await import('./main.ts');
}
