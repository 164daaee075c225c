// `npm run bench:record`: what verifying the signed record costs a reader. A year of days (365, and
// the bundle's cap with 400 archived) archived and signed by the real archivist, then verified as the
// page does (site/lib/verify-record.ts: governance-archive/recent.json and the snapshot's signature,
// WebCrypto's Ed25519 and SHA-256): in Node, and in Chromium at full speed and at Lighthouse's mobile
// CPU slowdown (4x). Prints time (median of the runs) and bytes fetched (raw, gzip, brotli).
import { generateKeyPairSync } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { ClosedDay } from '../shared/archive-contract.ts';
import { archiveRecentFileName, endOfUtcDate, nextUtcDate, signatureFileName } from '../shared/archive-files.ts';
import type { SnapshotStorePort } from '../shared/ports.ts';
import { checkRecord, loadBundle, type RecordSource } from '../site/lib/verify-record.ts';
import { createArchivist } from '../worker/archive.ts';
import { createSigner } from '../worker/signing-key.ts';

const runs = Number(process.env.BENCH_RUNS ?? 9);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A store in memory: the archivist's port, and nothing else. */
function memoryStore(files: Map<string, string>): SnapshotStorePort {
  return {
    description: 'memory',
    snapshotName: 'governance-status.json',
    put: async (name, body) => void files.set(name, body),
    get: async (name) => files.get(name) ?? null,
    contentHash: async () => null,
    read: async (name) => (files.has(name) ? { body: files.get(name)!, tag: String(files.get(name)!.length) } : null),
    replace: async (name, body) => (files.set(name, body), 'written'),
    create: async (name, body) => (files.has(name) ? 'exists' : (files.set(name, body), 'created')),
  } as SnapshotStorePort;
}

/** A day like a busy deployment's: eight charters (every 15 minutes to daily), an incident. */
function dayOf(date: string): ClosedDay {
  const crons = [96, 96, 72, 48, 24, 24, 4, 1];
  return {
    date,
    closedAt: new Date(endOfUtcDate(date) + 60_000).toISOString(),
    spent: 123_456_789n,
    charters: crons.map((expected, at) => ({ id: `governance:charter-${at}`, name: `Charter ${at}`, counts: { expected, succeeded: expected - (at % 3), failed: at % 3, skipped: 0, missed: 0 } })),
    incidents: [{ id: `governance:charter-1@${date}T03:00:00.000Z`, charterId: 'governance:charter-1', kind: 'failed', startedAt: `${date}T03:00:00.000Z`, resolvedAt: `${date}T04:15:00.000Z`, runs: 5, errorCodes: ['upstream_timeout'] }],
  };
}

async function buildRecord(days: number) {
  const files = new Map<string, string>();
  const signer = createSigner(generateKeyPairSync('ed25519').privateKey);
  const list = [dayOf('2025-06-01')];
  while (list.length < days) list.push(dayOf(nextUtcDate(list.at(-1)!.date)));
  const now = endOfUtcDate(list.at(-1)!.date) + 120_000;
  const archivist = createArchivist({ store: memoryStore(files), signer, logger: { info() {}, warn() {}, error() {} }, clock: () => new Date(now) });
  const outcome = await archivist.archive(list);
  if (outcome.problem) throw new Error(outcome.problem);
  const snapshot = `${JSON.stringify({ schemaVersion: 1, generatedAt: new Date(now).toISOString(), staleAfter: new Date(now + 180_000).toISOString(), status: 'healthy' })}\n`;
  files.set('governance-status.json', snapshot);
  files.set(signatureFileName('governance-status.json'), signer.sign(snapshot));
  return { files, snapshot, now, pinned: signer.publicJwk };
}

const sizes = (body: string) => ({ raw: Buffer.byteLength(body), gzip: gzipSync(body, { level: 9 }).length, brotli: brotliCompressSync(body).length });

async function inNode(files: Map<string, string>, snapshot: string, now: number, pinned: unknown) {
  const source: RecordSource = {
    url: (name) => name,
    snapshotName: 'governance-status.json',
    fetch: (async (name: string) => (files.has(name) ? new Response(files.get(name)) : new Response('', { status: 404 }))) as unknown as typeof fetch,
  };
  const times: number[] = [];
  let state;
  for (let run = 0; run < runs; run += 1) {
    const begun = performance.now();
    state = await checkRecord(source, { bundle: await loadBundle(source), snapshotText: snapshot, pinnedKey: pinned, now });
    times.push(performance.now() - begun);
  }
  return { ms: median(times), state };
}

async function inChromium(files: Map<string, string>, snapshot: string, now: number, pinned: unknown, slowdown: number) {
  const entry = fileURLToPath(new URL('../site/lib/verify-record.ts', import.meta.url));
  const script = (await build({ entryPoints: [entry], bundle: true, minify: true, format: 'iife', globalName: 'record', platform: 'browser', write: false })).outputFiles[0]!.text;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    await page.route('http://localhost/**', (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      return name === '' ? route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title>' }) : files.has(name) ? route.fulfill({ body: files.get(name)! }) : route.fulfill({ status: 404, body: '' });
    });
    await page.goto('http://localhost/');
    await page.addScriptTag({ content: script });
    if (slowdown > 1) await (await page.context().newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    return await page.evaluate(
      async ({ snapshot, now, pinned, runs }) => {
        const { checkRecord, loadBundle } = (globalThis as unknown as { record: typeof import('../site/lib/verify-record.ts') }).record;
        const source = { url: (name: string) => `http://localhost/${name}`, snapshotName: 'governance-status.json', fetch: (...args: Parameters<typeof fetch>) => fetch(...args) };
        const times: number[] = [];
        let state;
        for (let run = 0; run < runs; run += 1) {
          const begun = performance.now();
          state = await checkRecord(source, { bundle: await loadBundle(source), snapshotText: snapshot, pinnedKey: pinned, now });
          times.push(performance.now() - begun);
        }
        return { ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!, state };
      },
      { snapshot, now, pinned, runs },
    );
  } finally {
    await browser.close();
  }
}

const rows: string[] = [];
for (const days of [365, 400]) {
  const { files, snapshot, now, pinned } = await buildRecord(days);
  const fetched = [files.get(archiveRecentFileName)!, files.get(signatureFileName('governance-status.json'))!];
  const bytes = fetched.map(sizes).reduce((sum, size) => ({ raw: sum.raw + size.raw, gzip: sum.gzip + size.gzip, brotli: sum.brotli + size.brotli }));
  const node = await inNode(files, snapshot, now, pinned);
  const chromiumFull = await inChromium(files, snapshot, now, pinned, 1);
  const chromiumMobile = await inChromium(files, snapshot, now, pinned, 4);
  for (const result of [node, chromiumFull, chromiumMobile]) if (result.state?.kind !== 'verified') throw new Error(`did not verify: ${JSON.stringify(result.state)}`);
  const state = node.state as { days: number; checkedDays: number };
  rows.push(
    `| ${state.days} | ${state.checkedDays} | 2 | ${(bytes.raw / 1024).toFixed(0)} KB | ${(bytes.gzip / 1024).toFixed(0)} KB | ${(bytes.brotli / 1024).toFixed(0)} KB | ${node.ms.toFixed(0)} ms | ${chromiumFull.ms.toFixed(0)} ms | ${chromiumMobile.ms.toFixed(0)} ms |`,
  );
}
process.stdout.write(
  [
    `Verifying the record as the page does (median of ${runs} runs; requests and bytes: recent.json and the snapshot's .jws)`,
    '',
    '| archived days | checked | requests | bytes | gzip | brotli | Node 24 | Chromium | Chromium, 4x CPU slowdown |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
