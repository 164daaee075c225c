// The verify command as a reader runs it (`governance-status-verify <folder or URL> [--key]`, the
// package's bin on Node 24): a good record verifies and says what it verified; each kind of break
// names the first broken day and why, with exit code 1.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveDay } from '../../shared/archive-contract.ts';
import { archiveDayBytes, archiveDayFileName, archiveIndexBytes, keyRotationsFileName, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { mergeArchivedDays } from '../../shared/archive-history.ts';
import { historyFileName } from '../../shared/constants.ts';
import { parseGovernanceHistory } from '../../shared/contract.ts';
import { startStaticServer } from '../../scripts/static-server.ts';
import { createRotationStatement, createSigner, signingKeyFileBody } from '../../worker/signing-key.ts';
import { buildRecord, fixedArchive, newSigner } from '../support/archive-record.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const command = join(root, 'verify/main.ts');
let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'verify-command-'));
});
afterAll(async () => {
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

type Run = { code: number | null; stdout: string; stderr: string };
function run(executable: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(executable, args, { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const verify = (...args: string[]) => run(process.execPath, [command, ...args]);

let folders = 0;
/** A published record in a folder, as the file store leaves it; `change` edits the files first. */
async function publish(options: Parameters<typeof buildRecord>[0] = {}, change: (files: Map<string, string>, days: string[]) => void = () => {}) {
  const record = await buildRecord({ days: 6, ...options });
  change(record.files, record.days);
  const folder = join(workspace, `site-${(folders += 1)}`);
  for (const [name, body] of record.files) {
    await mkdir(dirname(join(folder, name)), { recursive: true });
    await writeFile(join(folder, name), body);
  }
  return { folder, ...record };
}

describe('a good record', () => {
  it('verifies from its folder, and says what it verified', async () => {
    const { folder, signer, files, days } = await publish();
    const result = await verify(folder);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const head = JSON.parse(files.get('governance-archive.json')!).head;
    expect(result.stdout).toContain(`signed by key ${signer!.kid} (as published in governance-signing-key.json`);
    expect(result.stdout).toContain(`6 archived days, ${days[0]} to ${days[5]}: every signature and prev link intact`);
    expect(result.stdout).toContain(`head (SHA-256 of ${days[5]}): ${head}`);
    expect(result.stdout).toContain(`to check later that the record still holds it: --seen ${days[5]}=${head}`);
    expect(result.stdout).toMatch(/governance-status\.json: generated \S+, [\d.]+ days ago, STALE \(past its staleAfter /);
  });

  it('verifies from a URL with the key pinned by a file', async () => {
    const { folder, signer } = await publish();
    const key = join(folder, '..', `pinned-${folders}.json`);
    await writeFile(key, JSON.stringify(signer!.publicJwk));
    const server = await startStaticServer({ root: folder });
    try {
      const result = await verify(`${server.url}/governance-status.json`, '--key', key);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('the key given with --key');
    } finally {
      await server.close();
    }
  });

  it('reads beside the snapshot from a folder URL with a query string, not from the folder above it', async () => {
    const { folder } = await publish();
    await mkdir(join(folder, '..', `served-${folders}`));
    const served = join(folder, '..', `served-${folders}`);
    await rename(folder, join(served, 'status'));
    const server = await startStaticServer({ root: served });
    try {
      const result = await verify(`${server.url}/status?v=2`);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`Verified the governance record at ${server.url}/status/`);
    } finally {
      await server.close();
    }
  });

  it("a snapshot dated after the reader's clock is made by now at the latest: fresh for its window from now, not until its staleAfter", async () => {
    // the last archived day is tomorrow, so the snapshot is dated a day or more ahead of this machine's clock
    const first = new Date(Date.now() + 86_400_000 - 5 * 86_400_000).toISOString().slice(0, 10);
    const { folder, files } = await publish({ first });
    const before = Date.now();
    const result = await verify(folder);
    const after = Date.now();
    expect(result.code, result.stdout).toBe(0);
    const { staleAfter, generatedAt } = JSON.parse(files.get('governance-status.json')!);
    const window = Date.parse(staleAfter) - Date.parse(generatedAt);
    const line = /generated \S+, [\d.]+ (?:h|days) after this machine's clock \(made by now at the latest\), fresh until (\S+) \(its staleAfter is (\S+), but its window counts from this machine's now, as it is dated ahead of it\)/.exec(result.stdout);
    expect(line, result.stdout).not.toBeNull();
    expect(line![2]).toBe(staleAfter);
    expect(Date.parse(line![1]!)).toBeGreaterThanOrEqual(before + window);
    expect(Date.parse(line![1]!)).toBeLessThanOrEqual(after + window);
  });

  it('a snapshot that claims a window longer than any honest one is stale by the 3 hours it may claim, and not said to be dated ahead', async () => {
    // an old worker's office-hours schedule: made 4 hours ago, its staleAfter 45 hours later
    const made = Date.now() - 4 * 3_600_000;
    const signer = newSigner();
    const { folder } = await publish({ signer }, (files) => {
      const snapshot = { ...JSON.parse(files.get('governance-status.json')!), generatedAt: new Date(made).toISOString(), dataAsOf: new Date(made).toISOString(), staleAfter: new Date(made + 45 * 3_600_000).toISOString() };
      const body = `${JSON.stringify(snapshot, null, 2)}\n`;
      files.set('governance-status.json', body);
      files.set('governance-status.json.jws', signer.sign(body));
    });
    const result = await verify(folder);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/generated \S+, 4\.0 h ago, STALE \(its staleAfter is \S+, but no snapshot vouches for itself longer than 3 hours\)/);
  });

  it("reads a file a host answers with its HTML page (a single-page app's fallback) as missing: an unsigned record there says NOT SIGNED", async () => {
    const { folder } = await publish({ signer: null });
    const server = createServer((request, response) => {
      void readFile(join(folder, decodeURIComponent(new URL(request.url!, 'http://host').pathname))).then(
        (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(body),
        () => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Status</title>'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await verify(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toContain('NOT SIGNED');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an unsigned record is checked by its chain and says NOT SIGNED, never "Verified" (exit 0: nothing broke); with --key it fails', async () => {
    const { folder, days } = await publish({ signer: null });
    const result = await verify(folder);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^NOT SIGNED: the governance record at ${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} carries no signature, so nothing in it is verified\n`));
    expect(result.stdout).not.toMatch(/verified the/i);
    expect(result.stdout).toContain(`6 archived days, ${days[0]} to ${days[5]}: every prev link intact`);
    const key = join(folder, '..', `pinned-${folders}.json`);
    await writeFile(key, JSON.stringify(newSigner().publicJwk));
    const pinned = await verify(folder, '--key', key);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(/^NOT VERIFIED: the record breaks at governance-archive\.json\n  why: signature: .*has no signature/);
  });

  it('a snapshot signed by a key retired since is stale from the retirement on, and says so', async () => {
    const oldKey = generateKeyPairSync('ed25519').privateKey;
    const newKey = generateKeyPairSync('ed25519').privateKey;
    let statedAt = '';
    const { folder, files } = await publish({ signer: createSigner(oldKey) }, (files) => {
      statedAt = new Date(Date.parse(JSON.parse(files.get('governance-archive.json')!).updatedAt) + 1_000).toISOString();
      files.set(keyRotationsFileName, JSON.stringify({ rotations: [createRotationStatement(oldKey, newKey, new Date(statedAt), fixedArchive(files))] }));
      files.set(signingKeyFileName, signingKeyFileBody(createSigner(newKey)));
    });
    const result = await verify(folder);
    expect(result.code, result.stdout).toBe(0);
    const { staleAfter } = JSON.parse(files.get('governance-status.json')!);
    expect(result.stdout).toContain(`STALE (its staleAfter is ${staleAfter}, but its key was retired at ${statedAt} by a rotation statement)`);
  });

  it('runs as the package bin through npx on Node 24', async () => {
    const { folder } = await publish();
    const result = await run('npx', ['governance-status-verify', folder]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Verified the governance record');
  });
});

describe('each kind of break names the first broken day and why, and exits 1', () => {
  const cases: Array<[string, (files: Map<string, string>, days: string[]) => void, RegExp, Parameters<typeof buildRecord>[0]?]> = [
    ['a truncated day in an unsigned record', (files, days) => files.set(archiveDayFileName(days[3]!), files.get(archiveDayFileName(days[3]!))!.slice(0, 50)), /breaks at 2026-10-04 \(governance-archive\/2026-10-04\.json\)\n  why: not JSON/, { signer: null }],
    // with a key, the signature is checked over the bytes before anything parses them
    ['a truncated day in a signed record', (files, days) => files.set(archiveDayFileName(days[3]!), files.get(archiveDayFileName(days[3]!))!.slice(0, 50)), /breaks at 2026-10-04 .*\n  why: signature: .*altered after it was signed/],
    ['a day missing in the middle', (files, days) => files.delete(archiveDayFileName(days[2]!)), /breaks at 2026-10-03 .*\n  why: missing file: 2026-10-03: .* is listed in the index but missing/],
    ['an altered count', (files, days) => files.set(archiveDayFileName(days[4]!), files.get(archiveDayFileName(days[4]!))!.replace('"expected":96', '"expected":95')), /breaks at 2026-10-05 .*\n  why: signature: .*altered after it was signed/],
    ['a day signed by another key', (files, days) => files.set(signatureFileName(archiveDayFileName(days[1]!)), newSigner().sign(files.get(archiveDayFileName(days[1]!))!)), /breaks at 2026-10-02 .*\n  why: unknown key: .*signed by key \S+, which is not the published key/],
    ['a broken link in an unsigned record', (files, days) => files.set(archiveDayFileName(days[2]!), files.get(archiveDayFileName(days[2]!))!.replace('"expected":96', '"expected":95')), /breaks at 2026-10-03 .*\n  why: chain: .*SHA-256 differs/, { signer: null }],
    ['a snapshot whose signature does not match', (files) => files.set('governance-status.json', files.get('governance-status.json')!.replace('"healthy"', '"failing"')), /breaks at governance-status\.json\n  why: signature: .*altered after it was signed/],
    ['a day altered, its signature replaced by one whose header is JSON null', (files, days) => {
      files.set(archiveDayFileName(days[2]!), files.get(archiveDayFileName(days[2]!))!.replace('"expected":96', '"expected":95'));
      files.set(signatureFileName(archiveDayFileName(days[2]!)), `${Buffer.from('null').toString('base64url')}..${'A'.repeat(86)}\n`);
    }, /breaks at 2026-10-03 .*\n  why: signature: .*its alg is undefined, not EdDSA/],
    ['a published key that is not JSON', (files) => files.set(signingKeyFileName, '{"kty":'), /breaks at governance-signing-key\.json\n  why: not JSON/],
  ];
  it.each(cases)('%s', async (_, change, message, options) => {
    const { folder } = await publish(options, change);
    const result = await verify(folder);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^NOT VERIFIED: the record breaks at /);
    expect(result.stdout).toMatch(message);
  });

  it('a file larger than the worker ever writes of it stops it (exit 2), from a folder and from a URL: a day past 1 MiB', async () => {
    const { folder, days } = await publish();
    await writeFile(join(folder, archiveDayFileName(days[2]!)), Buffer.alloc(archiveDayBytes + 1, 0x20));
    const fromFolder = await verify(folder);
    expect(fromFolder.code).toBe(2);
    expect(fromFolder.stderr).toMatch(new RegExp(`2026-10-03\\.json is larger than ${archiveDayBytes} bytes, more than the worker ever writes of it`));
    const server = await startStaticServer({ root: folder });
    try {
      const fromUrl = await verify(`${server.url}/`);
      expect(fromUrl.code).toBe(2);
      expect(fromUrl.stderr).toMatch(/2026-10-03\.json is larger than/);
    } finally {
      await server.close();
    }
  });

  it('with a key given, an unsigned index is refused by its missing signature before it is parsed, and one past its bound is not read past it', async () => {
    const { folder, signer } = await publish();
    const key = join(folder, '..', `pinned-${folders}.json`);
    await writeFile(key, JSON.stringify(signer!.publicJwk));
    await rm(join(folder, 'governance-archive.json.jws'));
    // a million objects, cut short, within the index's bound: parsed first, it would read as not JSON
    const objects = `{"a":[${'{},'.repeat(1_000_000)}`;
    expect(objects.length).toBeLessThan(archiveIndexBytes);
    await writeFile(join(folder, 'governance-archive.json'), objects);
    const unsigned = await verify(folder, '--key', key);
    expect(unsigned.code, unsigned.stderr).toBe(1);
    expect(unsigned.stdout).toMatch(/breaks at governance-archive\.json\n  why: signature: governance-archive\.json has no signature/);
    await writeFile(join(folder, 'governance-archive.json'), Buffer.alloc(archiveIndexBytes + 1, 0x20));
    const large = await verify(folder, '--key', key);
    expect(large.code).toBe(2);
    expect(large.stderr).toMatch(new RegExp(`governance-archive\\.json is larger than ${archiveIndexBytes} bytes`));
  });

  it('a usage error exits 64, an unreadable source 2', async () => {
    expect((await verify()).code).toBe(64);
    const missing = await verify(join(workspace, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/could not read the record/);
  });
});

describe('the days a reader saw before (--seen <day>=<SHA-256>)', () => {
  it('verifies a record that still holds them, and refuses one rolled back to an older signed index', async () => {
    const signer = newSigner();
    const older = await buildRecord({ days: 4, signer });
    const { folder, files, days } = await publish({ signer });
    const head = `${days[5]}=${JSON.parse(files.get('governance-archive.json')!).head}`;
    const earlier = `${days[1]}=${JSON.parse(older.files.get('governance-archive.json')!).days[1].sha256}`;
    const held = await verify(folder, '--seen', earlier, '--seen', head);
    expect(held.code, held.stdout).toBe(0);

    // the index and its signature as they were two days ago: every signature still verifies
    for (const name of ['governance-archive.json', 'governance-archive.json.jws']) await writeFile(join(folder, name), older.files.get(name)!);
    expect((await verify(folder, '--seen', earlier)).code).toBe(0);
    const rolledBack = await verify(folder, '--seen', earlier, '--seen', head);
    expect(rolledBack.code).toBe(1);
    expect(rolledBack.stdout).toBe(
      `NOT VERIFIED: the record breaks at ${days[5]} (governance-archive.json)\n  why: chain: ${days[5]} was seen before (SHA-256 ${head.split('=')[1]}), but governance-archive.json no longer lists it: the record was rolled back or cut\n`,
    );
  });

  it('refuses a day rewritten since it was seen, and a --seen that is not <day>=<SHA-256> (exit 64)', async () => {
    const { folder, days } = await publish({ signer: null });
    const rewritten = await verify(folder, '--seen', `${days[2]}=${'0'.repeat(64)}`);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toMatch(new RegExp(`why: chain: ${days[2]} was seen before with SHA-256 0{64}, but governance-archive.json lists [0-9a-f]{64}: the record was rewritten`));
    const usage = await verify(folder, '--seen', `${days[2]}=not-a-hash`);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/^--seen 2026-10-03=not-a-hash is not <YYYY-MM-DD>=<64 hex digits of SHA-256>/);
  });

  it('says a head kept with the wrong day (the day the command ran) is the reader’s pairing, not a rewrite (exit 64)', async () => {
    const { folder, files, days } = await publish({ signer: null });
    const head = JSON.parse(files.get('governance-archive.json')!).head as string;
    const misread = await verify(folder, '--seen', `${days[4]}=${head}`);
    expect(misread.code).toBe(64);
    expect(misread.stdout).toBe('');
    expect(misread.stderr).toBe(`--seen ${days[4]}: ${head} is the SHA-256 of ${days[5]}, not of ${days[4]}: give each hash with the day the verify command named beside it (--seen ${days[5]}=${head})\n`);
  });
});

describe('governance-history.json beside a verified record (it is not signed)', () => {
  /** The history the worker would publish over the record's days (mergeArchivedDays), written after the last day closed. */
  const honestHistory = (files: Map<string, string>, days: string[], now: number) => {
    const template = JSON.parse(readFileSync(new URL('../fixtures/history/healthy.json', import.meta.url), 'utf8'));
    const archived = days.map((day) => JSON.parse(files.get(archiveDayFileName(day))!) as ArchiveDay);
    const charters = [{ id: 'engineering', name: 'Engineering' }, { id: 'community', name: 'Community' }];
    const range = { from: days[0]!, to: days.at(-1)!, charterIds: new Set(charters.map((charter) => charter.id)) };
    return { ...template, generatedAt: new Date(now).toISOString(), from: range.from, to: range.to, charters, days: mergeArchivedDays([], archived, range), incidents: [] };
  };

  it('says an honest history states the signed figures, and names the days a rewritten one states otherwise (exit 1)', async () => {
    const { folder, files, days, now } = await publish();
    const history = honestHistory(files, days, now);
    expect(parseGovernanceHistory(history).success).toBe(true);
    await writeFile(join(folder, historyFileName), JSON.stringify(history));
    const honest = await verify(folder);
    expect(honest.code).toBe(0);
    expect(honest.stdout).toContain(`${historyFileName}: states the signed figures of the 6 archived days it was written after (the file itself is not signed)`);

    // every day green, as a rewrite would paint it
    for (const day of history.days) day.charters.engineering = { ...day.charters.engineering, succeeded: day.charters.engineering.expected - day.charters.engineering.missed, failed: 0 };
    await writeFile(join(folder, historyFileName), JSON.stringify(history));
    const rewritten = await verify(folder);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain(`6 archived days, ${days[0]} to ${days[5]}: every signature and prev link intact`);
    expect(rewritten.stdout).toContain(`${historyFileName}: DIFFERS from the signed record on 6 archived days, the latest ${days[5]}`);
  });

  it('compares no day the history was written before (a day still open for it), and says when there is no history', async () => {
    const { folder, files, days, now } = await publish();
    const history = honestHistory(files, days, now);
    history.days[5].spent = '1';
    history.generatedAt = new Date(Date.parse(JSON.parse(files.get(archiveDayFileName(days[5]!))!).closedAt) - 60_000).toISOString();
    await writeFile(join(folder, historyFileName), JSON.stringify(history));
    const before = await verify(folder);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain(`${historyFileName}: states the signed figures of the 5 archived days it was written after`);
    // backdated before every day: nothing is compared, and nothing is said to agree
    history.generatedAt = `${days[0]}T00:00:00.000Z`;
    await writeFile(join(folder, historyFileName), JSON.stringify(history));
    const backdated = await verify(folder);
    expect(backdated.code).toBe(0);
    expect(backdated.stdout).toContain(`${historyFileName}: written ${days[0]}T00:00:00.000Z, before every archived day of its range: nothing to compare`);
    await rm(join(folder, historyFileName));
    const none = await verify(folder);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain(`${historyFileName}: not published`);
  });

  it('names the history, not the record, when only the history cannot be read (exit 2)', async () => {
    const { folder } = await publish();
    const server = createServer((request, response) => {
      const path = decodeURIComponent(new URL(request.url!, 'http://host').pathname);
      if (path === `/${historyFileName}`) return void response.writeHead(503).end();
      void readFile(join(folder, path)).then(
        (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(body),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await verify(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('every signature and prev link intact');
      expect(result.stdout).toMatch(new RegExp(`${historyFileName.replace('.', '\\.')}: could not be read: .*503`));
      expect(result.stderr).toBe('');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
