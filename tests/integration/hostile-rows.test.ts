// Hostile rows in the application's tables (tests/support/hostile-rows.ts) through the real source
// and the real worker: no secret reaches any public file, no control or invisible character either,
// ids and names stay short, and the snapshot stays valid and under its bound; one over its bound is
// never written. The snapshot built here is tests/fixtures/snapshots/hostile.json, which the browser
// tests render; regenerate it with UPDATE_FIXTURES=1 after a deliberate change to the output.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits, parseGovernanceStatus, type GovernanceStatus } from '../../shared/contract.ts';
import { buildSnapshot, defaultRules } from '../../worker/build-snapshot.ts';
import { serializeSnapshot } from '../../worker/validate.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { atomViolations } from '../support/feed-rules.ts';
import { hostileNow, hostileSecrets, seedHostileRows, seedOversizedCharters } from '../support/hostile-rows.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { startWorker } from '../support/worker-process.ts';

const fixturePath = fileURLToPath(new URL('../fixtures/snapshots/hostile.json', import.meta.url));
const settings = {
  principalId: '00000000-0000-4000-a000-000000000001',
  billingAccountId: '00000000-0000-4000-b000-000000000000',
  staleAfterMs: () => 3 * 60_000,
  rules: defaultRules,
};
const invisible = /[\p{Cc}\p{Cf}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\u2028\u2029]/u;
/** Outside XML 1.0's Char production (2.2): a feed reader refuses the whole document */
const notXmlChar = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const shortFields = new Set(['id', 'name', 'charter', 'charterId', 'runId']);

/** Walks every string of a parsed public file: where it is, and its value. */
function* stringsOf(value: unknown, path = '$'): Generator<[path: string, key: string, text: string]> {
  if (typeof value === 'string') yield [path, path.split('.').at(-1)!.replace(/\[\d+\]$/, ''), value];
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* stringsOf(item, `${path}[${index}]`);
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) yield* stringsOf(item, `${path}.${key}`);
}

/** The promises of a sealed public file, checked on its text and on every string inside it. */
function expectSealed(name: string, text: string) {
  for (const secret of hostileSecrets) expect(text, `${name} leaks ${secret}`).not.toContain(secret);
  expect(text, `${name} holds a bidi, zero-width or control character`).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/);
  if (name.endsWith('.xml') || name.endsWith('.svg')) expect(text, `${name} holds a character XML forbids`).not.toMatch(notXmlChar);
  if (name === 'governance-feed.xml') expect(atomViolations(text), name).toEqual([]);
  if (!name.endsWith('.json')) return;
  if (name.endsWith('governance-archive/recent.json')) return expectBundleSealed(name, JSON.parse(text));
  for (const [path, key, value] of stringsOf(JSON.parse(text))) {
    expect(value, `${name} ${path}`).not.toMatch(invisible);
    if (shortFields.has(key)) expect(value.length, `${name} ${path}`).toBeLessThanOrEqual(limits.idLength);
  }
}

/** recent.json copies published files byte for byte (their final newlines too): each copy is sealed as the file it is, each signature is a JWS. */
function expectBundleSealed(name: string, bundle: { index: string; indexSignature: string | null; signingKey: string | null; keyRotations: string | null; days: Array<{ day: string; bytes: string; signature: string | null }> }) {
  const copies: Array<[string, string | null]> = [['index', bundle.index], ['signingKey', bundle.signingKey], ['keyRotations', bundle.keyRotations], ...bundle.days.map(({ day, bytes }): [string, string] => [day, bytes])];
  for (const [what, copy] of copies) if (copy !== null) expectSealed(`${name} ${what}.json`, copy);
  for (const jws of [bundle.indexSignature, ...bundle.days.map((day) => day.signature)]) if (jws !== null) expect(jws, name).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\n?$/);
}

async function snapshotOf(database: TestDatabase): Promise<GovernanceStatus> {
  const pool = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
  try {
    const source = createPostgresGovernanceSource(pool, { statementTimeoutMs: 10_000, databaseClock: 'worker' });
    return await buildSnapshot(source, settings, hostileNow, createLogger(() => {}));
  } finally {
    await pool.end();
  }
}

describe.each(['graph_runs', 'schedule_runs'] as const)('hostile rows in %s through the snapshot', (ledger) => {
  let database: TestDatabase;
  let snapshot: GovernanceStatus;
  beforeAll(async () => {
    database = await createTestDatabase({ ledger });
    await seedHostileRows(database.admin, ledger);
    snapshot = await snapshotOf(database);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('keeps every secret, control and invisible character out, and ids and names short', () => {
    const body = serializeSnapshot(snapshot);
    expectSealed('governance-status.json', body);
    expect(parseGovernanceStatus(JSON.parse(body)).success).toBe(true);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limits.snapshotBytes);
  });

  it('shows what it can of each hostile row, as plain text', () => {
    const names = snapshot.charters.map((charter) => charter.name);
    expect(names).toContain('Leak postgres://[redacted]@db');
    expect(names.find((name) => name.startsWith('<script>'))).toBeDefined(); // markup is text, for the page to escape
    expect(snapshot.recentRuns.map((run) => run.title)).toEqual(
      expect.arrayContaining(['Rotate [redacted] today', 'Deploy with postgres://[redacted]@h/d eulav']),
    );
    // a 100,000-character key is one word cut short: dropped whole, as its start could be a secret's
    const longKey = snapshot.recentRuns.find((run) => run.title?.startsWith('<b>bold</b> <b>bold</b>'));
    expect(longKey?.id).toBe('');
    expect(snapshot.failedRuns.map((run) => run.errorMessage)).toContain('HTTP 401 with Authorization: Token [redacted]; the password is [redacted]');
  });

  it.runIf(ledger === 'graph_runs')('is the fixture the browser tests render (tests/fixtures/snapshots/hostile.json)', async () => {
    const body = serializeSnapshot(snapshot);
    if (process.env.UPDATE_FIXTURES === '1') await writeFile(fixturePath, body);
    const fixture = await readFile(fixturePath, 'utf8');
    expectSealed('hostile.json', fixture);
    expect(parseGovernanceStatus(JSON.parse(fixture)).success).toBe(true);
    expect(JSON.parse(fixture).generatedAt).toBe(hostileNow.toISOString());
  });
});

describe('a secret pushed to where the database cuts a text (8,192 characters)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedHostileRows(database.admin, 'graph_runs');
  });
  afterAll(async () => {
    await database?.drop();
  });

  // padding that cleaning squeezes to one space, or removes: what is left of the cut secret would fit the public field
  it.each([
    ['spaces', ' '.repeat(8_160)],
    ['zero-width spaces', `boom ${'\u200b'.repeat(8_150)}`],
  ])('is dropped with its cut word, not published without its end (padded with %s)', async (_padding, padding) => {
    const secret = (password: string) => `${padding}connect postgres://app:${password}@db.internal failed`;
    const admin = database.admin;
    await admin.query("UPDATE graph_runs SET error_message = $1 WHERE run_id = 'leak-run-1'", [secret('Sup3rSecretPassw0rd')]);
    await admin.query("UPDATE ai_threads SET metadata = jsonb_build_object('title', $1::text) WHERE state_key = 'thread-sk'", [secret('T1tlePassw0rdLong')]);
    const body = serializeSnapshot(await snapshotOf(database));
    for (const start of ['Sup3r', 'T1tle', 'postgres://app']) expect(body).not.toContain(start);
    expect(body).toContain('connect'); // the words before the cut one are still shown
  });
});

describe('the real worker on hostile rows', () => {
  let database: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedHostileRows(database.admin, 'graph_runs');
    folder = await mkdtemp(join(tmpdir(), 'governance-hostile-'));
  });
  afterAll(async () => {
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('publishes the snapshot and every file beside it (history, feeds, badges, schemas) sealed', async () => {
    const target = join(folder, 'governance-status.json');
    // now is today, not hostileNow: the hostile runs are in the 90-day history, the incidents and the feeds
    const worker = startWorker(['--once'], {
      DATABASE_URL: database.readerUrl,
      SNAPSHOT_DESTINATION: pathToFileURL(target).href,
      STATUS_PAGE_URL: 'https://status.example.org/',
    });
    expect(await worker.exited).toBe(0);
    const files = (await readdir(folder, { recursive: true })).filter((name) => name.includes('.'));
    expect(files).toEqual(expect.arrayContaining(['governance-status.json', 'governance-history.json', 'governance-feed.xml', 'governance-feed.json']));
    for (const name of files) expectSealed(name, await readFile(join(folder, name), 'utf8'));
    expectSealed('logs', worker.stdout() + worker.stderr());
  });
});

describe('a snapshot over its bound', () => {
  let database: TestDatabase;
  let folder: string;
  beforeAll(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    await seedHostileRows(database.admin, 'graph_runs');
    await seedOversizedCharters(database.admin, 'graph_runs');
    folder = await mkdtemp(join(tmpdir(), 'governance-oversized-'));
  });
  afterAll(async () => {
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('is never written: the worker exits 1 and the last good file stays, byte for byte', async () => {
    // precondition: these rows really make a snapshot over the bound (if the contract's caps shrink,
    // the seed must grow)
    const wouldBe = Buffer.byteLength(serializeSnapshot(await snapshotOf(database)));
    expect(wouldBe, 'the oversized seed no longer exceeds limits.snapshotBytes').toBeGreaterThan(limits.snapshotBytes);

    const target = join(folder, 'governance-status.json');
    const lastGood = await readFile(fixturePath, 'utf8');
    await writeFile(target, lastGood);
    const worker = startWorker(['--once'], { DATABASE_URL: database.readerUrl, SNAPSHOT_DESTINATION: pathToFileURL(target).href });
    expect(await worker.exited).toBe(1);
    const failed = worker.logs.find((line) => line.event === 'snapshot_failed');
    expect(failed?.error).toMatchObject({ message: expect.stringMatching(/^governance-status\.json would be \d+ bytes, over its bound of 262144: not written$/) });
    expect(await readFile(target, 'utf8')).toBe(lastGood);
    expect((await readdir(folder)).filter((name) => name !== 'governance-status.json')).toEqual([]); // nor anything beside it

    const printed = startWorker(['--once', '--stdout'], { DATABASE_URL: database.readerUrl });
    expect(await printed.exited).toBe(1);
    expect(printed.stdout()).toBe('');
  });
});
