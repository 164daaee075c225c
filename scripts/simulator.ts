// Keeps the demo database moving so the page visibly changes: every tick the system account spends a
// little (and its balance drops), each charter's run starts at its cron's fire as the application's
// scheduler would start it and finishes a few ticks later (now and then with a failure), with its
// thread, and another tenant spends too, which RLS must keep off the page. The seeded runs still in
// progress are finished as the seed planned them, so no run is ever left running. Writes as superuser.
import type pg from 'pg';
import type { Logger } from '../shared/ports.ts';
import { firesBetween } from '../shared/schedule.ts';
import {
  failureMessages,
  systemBillingAccountId,
  systemPrincipalId,
  threadTitle,
  type Charter,
  type DemoTenant,
  type OpenRun,
  type Outcome,
} from './demo-data.ts';
import { insertReceipt, insertThread } from './demo-rows.ts';
import { demoCall, privateCall } from './demo-usage.ts';

type Options = {
  pool: pg.Pool;
  tenant: DemoTenant;
  tickMs: number;
  logger: Logger;
  random?: () => number;
  /** the simulated now of each tick (tests pin it); the wall clock by default */
  clock?: () => Date;
};

/** A run in progress; without a planned outcome, the simulator draws one when it finishes. */
type Running = Omit<OpenRun, 'outcome'> & { outcome: Outcome | null };

/** How often a finished simulated run is a failure. */
const failureRate = 0.05;
/** A simulated run finishes this many ticks after it started. */
const runTicks = 3;

export function startSimulator({ pool, tenant, tickMs, logger, random = Math.random, clock = () => new Date() }: Options): { stop(): Promise<void> } {
  // The seeded runs still in progress are finished too, as planned: a run left "running" would
  // turn its charter "stuck" an hour later, which the story never says.
  const openRuns: Running[] = [...tenant.openRuns];
  /** fires from here on are the simulator's (the seed holds those before seededAt) */
  let firesFrom = tenant.seededAt.getTime();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function tick(): Promise<void> {
    const now = clock();
    // About 25 M credits ($2.50) an hour at the default tick: the seeded hours' rate.
    const credits = 5_000 + Math.floor(random() * 30_000);
    const open = openRuns[0];
    const charter = open && tenant.charters.find((candidate) => open.runId.startsWith(`${candidate.temporalId.replace(/^governance:/, '')}-`));
    const call = demoCall(tenant.charters, charter, 1, random);
    await spend(pool, { accountId: systemBillingAccountId, keyId: tenant.systemKeyId, runId: open?.runId ?? 'background', at: now, credits, call, random });
    const other = tenant.otherAccounts[Math.floor(random() * tenant.otherAccounts.length)];
    if (other && random() < 0.3) await spend(pool, { ...other, runId: 'other-tenant', at: now, credits: 50_000_000, call: privateCall('other-tenant'), random });

    for (const run of openRuns.splice(0)) {
      if (run.finishAt > now.getTime()) {
        openRuns.push(run);
        continue;
      }
      const outcome = run.outcome ?? drawOutcome(random);
      await finishRun(pool, run, now, outcome);
      logger.info('simulator_run_finished', { runId: run.runId, status: outcome.status });
    }
    for (const charter of tenant.charters) {
      for (const fire of firesBetween(charter.cron, charter.timezone, firesFrom, now.getTime() + 1)) {
        const started = await startRun(pool, charter, new Date(fire), now, threadTitle(charter, random));
        openRuns.push({ ...started, finishAt: now.getTime() + runTicks * tickMs, outcome: null });
      }
    }
    firesFrom = now.getTime() + 1;
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
  logger.info('simulator_started', { tickMs, runsInProgress: openRuns.length });

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

function drawOutcome(random: () => number): Outcome {
  if (random() >= failureRate) return { status: 'success', message: null, code: null };
  const failure = failureMessages[Math.floor(random() * failureMessages.length)]!;
  return { status: 'error', message: failure.message, code: failure.code };
}

async function spend(pool: pg.Pool, receipt: Parameters<typeof insertReceipt>[1]): Promise<void> {
  await insertReceipt(pool, receipt);
  await pool.query('UPDATE billing_accounts SET balance_credits = balance_credits - $2 WHERE id = $1', [receipt.accountId, receipt.credits]);
}

/** A run at its fire (the slot), started now; the schedule's last_run_at and updated_at move with it, as the application writes them. */
async function startRun(pool: pg.Pool, charter: Charter, fire: Date, now: Date, title: string): Promise<Omit<OpenRun, 'finishAt' | 'outcome'>> {
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
  return { id, runId, stateKey, owner: systemPrincipalId };
}

async function finishRun(pool: pg.Pool, run: Running, now: Date, outcome: Outcome): Promise<void> {
  await pool.query(
    'UPDATE graph_runs SET status = $2, completed_at = $3, error_message = $4, error_code = $5 WHERE id = $1',
    [run.id, outcome.status, now, outcome.message, outcome.code],
  );
  await pool.query('UPDATE ai_threads SET updated_at = $3 WHERE owner_user_id = $1 AND state_key = $2', [run.owner, run.stateKey, now]);
}
