// A subscriber's worst day, tick by tick, against real PostgreSQL: the worker's publisher (the
// snapshot, its history and both feeds into a folder) with a pinned clock, a charter failing every
// quarter hour, and what happens mid-incident: a row written after its grace that answers the first
// fire already published as missed (a success, or a run still in progress that then fails), a
// restart, a deleted history. Every feed entry once published stays, with its id and its date; no
// "recovered" entry is published while the charter is still failing; an incident keeps one id.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRules, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createPublisher } from '../../worker/publisher.ts';
import { createLogger } from '../../worker/logger.ts';
import { createPostgresGovernanceSource } from '../../worker/postgres/postgres-governance-source.ts';
import { createFileSnapshotStore } from '../../worker/stores/file-snapshot-store.ts';
import { atomViolations, jsonFeedViolations } from '../support/feed-rules.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const minute = 60_000;
const day = 24 * 60 * minute;
const system = { principalId: '00000000-0000-4000-a000-000000000001', billingAccountId: '00000000-0000-4000-b000-000000000000' };
const settings: SnapshotSettings = { ...system, staleAfterMs: () => 180_000, rules: defaultRules };
const pageUrl = 'https://status.example.org/';
const feeds = { pageUrl, atomUrl: `${pageUrl}governance-feed.xml`, jsonUrl: `${pageUrl}governance-feed.json` };
const t0 = Date.parse('2026-11-20T20:00:00.000Z');
const fire = (n: number) => t0 + n * 15 * minute;
const iso = (ms: number) => new Date(ms).toISOString();

type Item = { id: string; title: string; date_published: string };
type Tick = { items: Item[]; open: string[]; incidents: Array<{ id: string; resolvedAt: string | null }>; statusIncidents: Array<{ id: string; resolvedAt: string | null }> };

describe('incidents across late rows, restarts and a deleted history', () => {
  let database: TestDatabase;
  let reader: pg.Pool;
  let folder: string;
  let engineering: string;
  const clock = { now: t0 };

  beforeEach(async () => {
    database = await createTestDatabase({ ledger: 'graph_runs' });
    const admin = database.admin;
    await admin.query(`INSERT INTO users (id, name) VALUES ($1, 'Cogni system')`, [system.principalId]);
    await admin.query(`INSERT INTO billing_accounts (id, owner_user_id, balance_credits, is_system_tenant, slug) VALUES ($1, $2, 90000000000, true, 'cogni_system')`, [system.billingAccountId, system.principalId]);
    await admin.query(`INSERT INTO execution_grants (user_id, billing_account_id, scopes) VALUES ($1, $2, '{graph:run}')`, [system.principalId, system.billingAccountId]);
    const created = new Date(t0 - 10 * day);
    const schedule = await admin.query<{ id: string }>(
      `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id, created_at, updated_at)
       SELECT $1, id, 'governance', '{}', '*/15 * * * *', 'UTC', 'governance:engineering', $2, $2 FROM execution_grants RETURNING id`,
      [system.principalId, created],
    );
    engineering = schedule.rows[0]!.id;
    // two days of successes up to the fire before t0
    await admin.query(
      `INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, requested_by)
       SELECT $1, 'r-' || extract(epoch FROM f)::bigint, f, f + interval '2 seconds', f + interval '30 seconds', 'success', $2
         FROM generate_series($3::timestamptz, $4::timestamptz, interval '15 minutes') f`,
      [engineering, system.principalId, new Date(t0 - 2 * day), new Date(t0 - 15 * minute)],
    );
    reader = new pg.Pool({ connectionString: database.readerUrl, max: 1 });
    folder = await mkdtemp(join(tmpdir(), 'incident-continuity-'));
  });
  afterEach(async () => {
    await reader?.end();
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  /** A row for one fire, as the scheduler writes it (again: a late row replaces what was there). */
  const row = (n: number, status: 'success' | 'error' | 'running') =>
    database.admin.query(
      `INSERT INTO graph_runs (schedule_id, run_id, scheduled_for, started_at, completed_at, status, error_message, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (schedule_id, scheduled_for) WHERE schedule_id IS NOT NULL
       DO UPDATE SET status = EXCLUDED.status, completed_at = EXCLUDED.completed_at, error_message = EXCLUDED.error_message`,
      [engineering, `r-${fire(n)}`, new Date(fire(n)), new Date(fire(n) + 2_000), status === 'running' ? null : new Date(clock.now), status, status === 'error' ? 'insufficient_credits' : null, system.principalId],
    );

  /** A worker process: its own publisher, which reads what the folder holds when it starts. */
  const startWorker = () => {
    const source = createPostgresGovernanceSource(reader, { statementTimeoutMs: 5_000, databaseClock: 'worker' });
    return createPublisher({ source, store: createFileSnapshotStore(join(folder, 'governance-status.json')), clock: () => new Date(clock.now), logger: createLogger(() => {}) }, settings, { feeds });
  };

  const read = async (): Promise<Tick> => {
    const files = Object.fromEntries(await Promise.all((await readdir(folder)).filter((name) => name.endsWith('.json') || name.endsWith('.xml')).map(async (name) => [name, await readFile(join(folder, name), 'utf8')])));
    expect(atomViolations(files['governance-feed.xml']!)).toEqual([]);
    expect(jsonFeedViolations(files['governance-feed.json']!)).toEqual([]);
    const history = JSON.parse(files['governance-history.json']!);
    return { items: JSON.parse(files['governance-feed.json']!).items, open: JSON.parse(files['governance-status.json']!).openIncidents, incidents: history.incidents, statusIncidents: history.statusIncidents ?? [] };
  };

  /** Every entry a subscriber has seen is still there, with the same date. */
  const keptEverything = (seen: Map<string, Item>, tick: Tick) => {
    for (const [id, item] of seen) expect(tick.items.find((now) => now.id === id)?.date_published, `${item.title} (${item.date_published})`).toBe(item.date_published);
    for (const item of tick.items) seen.set(item.id, item);
  };

  /** The ticks a minute and eleven minutes after fire `n`, each read whole, every entry seen kept. */
  const twoTicks = async (n: number, worker: ReturnType<typeof startWorker>, seen: Map<string, Item>): Promise<Tick[]> => {
    const ticks: Tick[] = [];
    for (const offset of [minute, 11 * minute]) {
      clock.now = fire(n) + offset;
      await worker();
      const tick = await read();
      keptEverything(seen, tick);
      ticks.push(tick);
    }
    return ticks;
  };

  it('a late row answering the first missed fire, with a success or a run still in progress, neither resolves the incident nor gives it a new id', async () => {
    const seen = new Map<string, Item>();
    const ticks: Tick[] = [];
    let worker = startWorker();
    // fire 0 has no row at first; fires 1 to 7 fail, 8 on succeed; fire 0's row arrives late, a run
    // in progress at fire 2 (after its grace), which fails at fire 4
    const script: Record<number, () => Promise<unknown>> = {
      2: () => row(0, 'running'),
      3: async () => {
        worker = startWorker(); // a restart in the middle
      },
      4: () => row(0, 'error'),
    };
    for (let n = 0; n < 11; n += 1) {
      clock.now = fire(n) + minute;
      if (n >= 1) await row(n, n < 8 ? 'error' : 'success');
      await script[n]?.();
      ticks.push(...(await twoTicks(n, worker, seen)));
    }
    const id = `governance:engineering@${iso(fire(0))}`;
    // from the tick it crossed the threshold (fire 1's error, at fire 1 + 1 min) to the success of fire 8: one open incident, always the same
    const failing = ticks.slice(2, 16);
    for (const tick of failing) expect(tick.open).toContain(id);
    expect(failing.flatMap((tick) => tick.incidents.map((incident) => incident.id))).toEqual(failing.map(() => id));
    // nothing said it recovered before it did; then exactly once
    const recovered = (tick: Tick) => tick.items.filter((item) => item.title.startsWith('Engineering recovered'));
    expect(failing.every((tick) => recovered(tick).length === 0)).toBe(true);
    expect(recovered(ticks.at(-1)!)).toHaveLength(1);
    expect(ticks.at(-1)!.incidents).toEqual([expect.objectContaining({ id, resolvedAt: iso(fire(8) + minute) })]); // when fire 8's run finished
    // the system's incident (the only charter is down) stayed one too
    expect(new Set(ticks.flatMap((tick) => tick.statusIncidents.map((incident) => incident.id))).size).toBe(1);
  });

  it('a late success of the first missed fire, the charter still failing: the incident stays open under its id, also after a restart', async () => {
    const seen = new Map<string, Item>();
    let worker = startWorker();
    const ticks: Tick[] = [];
    for (let n = 0; n < 7; n += 1) {
      clock.now = fire(n) + minute;
      if (n >= 2 && n < 5) await row(n, 'error');
      if (n === 3) await row(0, 'success'); // fire 0 answered, 45 minutes late
      if (n === 4) worker = startWorker();
      if (n >= 5) await row(n, 'success');
      ticks.push(...(await twoTicks(n, worker, seen)));
    }
    const id = `governance:engineering@${iso(fire(0))}`;
    // open from fire 1 + 11 min (two fires missed) to fire 5's success
    for (const tick of ticks.slice(3, 10)) expect(tick.open, JSON.stringify(tick.incidents)).toEqual([expect.stringMatching(/^status:all_charters_down@/), id]);
    expect(ticks.at(-1)!.incidents.map((incident) => incident.id)).toEqual([id]);
    expect(ticks.at(-1)!.items.filter((item) => item.title.startsWith('Engineering'))).toHaveLength(2); // opened, recovered: no other
  });

  it('a history deleted at the destination while every charter is down: a restart keeps the system’s incident and its id', async () => {
    const seen = new Map<string, Item>();
    let worker = startWorker();
    const ticks: Tick[] = [];
    for (let n = 0; n < 6; n += 1) {
      clock.now = fire(n) + minute;
      await row(n, n < 5 ? 'error' : 'success');
      if (n === 3) {
        await rm(join(folder, 'governance-history.json'));
        worker = startWorker();
      }
      clock.now = fire(n) + 11 * minute;
      await worker();
      const tick = await read();
      keptEverything(seen, tick);
      ticks.push(tick);
    }
    const systemIds = new Set(ticks.flatMap((tick) => tick.statusIncidents.map((incident) => incident.id)));
    expect([...systemIds]).toEqual([`status:all_charters_down@${iso(fire(1) + 11 * minute)}`]);
    expect(ticks.at(-1)!.statusIncidents[0]!.resolvedAt).toBe(iso(fire(5) + 11 * minute));
  });
});
