// What Node may hold for the worker is set wherever it starts, and the same everywhere.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workerNodeFlags } from '../../worker/runtime.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const flags = workerNodeFlags.join(' ');

describe('the worker’s Node flags', () => {
  it('are the same in package.json’s worker script, worker/main.js’s first line and Dockerfile.worker', () => {
    expect(JSON.parse(read('package.json')).scripts.worker).toBe(`node ${flags} worker/main.js`);
    expect(read('worker/main.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    // the image's warm-up and its CMD: the compile cache is keyed by the flags, so both carry them
    const dockerfile = read('Dockerfile.worker');
    expect(dockerfile).toContain(`RUN node ${flags} worker/main.js --version`);
    expect(dockerfile).toContain(`CMD ${JSON.stringify(['node', ...workerNodeFlags, 'worker/main.js']).replaceAll(',', ', ')}`);
  });
});
