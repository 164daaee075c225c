// Keeps the demo database moving so the page visibly changes: every tick the system account spends a
// little (and its balance drops), each charter's run starts at its cron's fire as the application's
// scheduler would start it and finishes a few ticks later (now and then with a failure), with its
// thread, and another tenant spends too, which RLS must keep off the page. Writes as superuser.
import type pg from 'pg';
import type { Logger } from '../shared/ports.ts';
import { firesBetween } from '../shared/schedule.ts';
import {
  demoCall,
  demoModels,
  failureMessages,
  insertReceipt,
  insertThread,
  systemBillingAccountId,
  systemPrincipalId,
  threadTitle,
  type Charter,
  type DemoTenant,
} from './demo-data.ts';

type Options = { pool: pg.Pool; tenant: DemoTenant; tickMs: number; logger: Logger; random?: () => number };

type OpenRun = { id: string; runId: string; stateKey: string; charter: Charter; ticks: number };

/** How often a finished simulated run is a failure. */
const failureRate = 0.05;

export function startSimulator({ pool, tenant, tickMs, logger, random = Math.random }: Options): { stop(): Promise<void> } {
  const openRuns: OpenRun[] = [];
  /** fires up to here have their runs (the seeded data ends at seededAt) */
  let firesDone = tenant.seededAt.getTime();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function tick(): Promise<void> {
    const now = new Date();
    // About 25 M credits ($2.50) an hour at the default tick: the seeded hours' rate.
    const credits = 5_000 + Math.floor(random() * 30_000);
    const open = openRuns[0];
    const call = open ? demoCall(open.charter, open.ticks, random) : { graphId: 'langgraph:background', model: demoModels[1] };
    await spend(pool, { accountId: systemBillingAccountId, keyId: tenant.systemKeyId, runId: open?.runId ?? 'background', at: now, credits, call, random });
    const other = tenant.otherAccounts[Math.floor(random() * tenant.otherAccounts.length)];
    const otherCall = { graphId: 'langgraph:other-tenant-private-agent', model: { model: 'other-tenant/private-finetune', provider: 'private', reportsUsd: true } };
    if (other && random() < 0.3) await spend(pool, { ...other, runId: 'other-tenant', at: now, credits: 50_000_000, call: otherCall, random });

    for (const run of openRuns.splice(0)) {
      if (++run.ticks < 3) {
        openRuns.push(run);
        continue;
      }
      const failure = random() < failureRate ? failureMessages[Math.floor(random() * failureMessages.length)]! : null;
      await finishRun(pool, run, now, failure);
      logger.info('simulator_run_finished', { charter: run.charter.temporalId, runId: run.runId, status: failure ? 'error' : 'success' });
    }
    for (const charter of tenant.charters) {
      for (const fire of firesBetween(charter.cron, charter.timezone, firesDone + 1, now.getTime() + 1)) {
        openRuns.push(await startRun(pool, charter, new Date(fire), now, threadTitle(charter, random)));
      }
    }
    firesDone = now.getTime();
  }

  const schedule = () => {
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => logger.warn('simulator_tick_failed', { error }))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, tickMs);
  };
  schedule();
  logger.info('simulator_started', { tickMs });

  return {
    /** Stops ticking and waits for the tick in progress, so no write races the database's shutdown. */
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await running;
      logger.info('simulator_stopped', {});
    },
  };
}

async function spend(pool: pg.Pool, receipt: Parameters<typeof insertReceipt>[1]): Promise<void> {
  await insertReceipt(pool, receipt);
  await pool.query('UPDATE billing_accounts SET balance_credits = balance_credits - $2 WHERE id = $1', [receipt.accountId, receipt.credits]);
}

/** A run at its fire (the slot), started now; the schedule's last_run_at and updated_at move with it, as the application writes them. */
async function startRun(pool: pg.Pool, charter: Charter, fire: Date, now: Date, title: string): Promise<OpenRun> {
  const id = crypto.randomUUID();
  const runId = `${charter.temporalId.replace(/^governance:/, '')}-sim-${fire.getTime()}`;
  const stateKey = `governance-${runId}`;
  await pool.query(
    `INSERT INTO graph_runs (id, schedule_id, run_id, scheduled_for, started_at, status, attempt_count, graph_id, run_kind,
                             trigger_source, trigger_ref, requested_by, state_key)
     VALUES ($1, $2, $3, $4, $5, 'running', 1, 'governance', 'system_scheduled', 'temporal_schedule', $6, $7, $8)`,
    [id, charter.scheduleId, runId, fire, now, charter.temporalId, systemPrincipalId, stateKey],
  );
  await pool.query('UPDATE schedules SET last_run_at = $2, updated_at = $3 WHERE id = $1', [charter.scheduleId, fire, now]);
  await insertThread(pool, { owner: systemPrincipalId, stateKey, title, createdAt: now, updatedAt: now });
  return { id, runId, stateKey, charter, ticks: 0 };
}

async function finishRun(pool: pg.Pool, run: OpenRun, now: Date, failure: { message: string; code: string | null } | null): Promise<void> {
  await pool.query(
    'UPDATE graph_runs SET status = $2, completed_at = $3, error_message = $4, error_code = $5 WHERE id = $1',
    [run.id, failure ? 'error' : 'success', now, failure?.message ?? null, failure?.code ?? null],
  );
  await pool.query('UPDATE ai_threads SET updated_at = $3 WHERE owner_user_id = $1 AND state_key = $2', [systemPrincipalId, run.stateKey, now]);
}
