// EXPLAIN (ANALYZE, BUFFERS) of recorded statements, and the checks that make a plan "index-served":
// no application table read sequentially; and, stricter, the run ledger read only through (schedule_id, scheduled_for),
// but for the recent threads' latest run, found by its thread's state_key (ledgerIndexOf).
// Used by the bench and by tests/integration/query-plans.test.ts.
import type pg from 'pg';
import type { GovernanceQuery, GovernanceStatusPort } from '../shared/ports.ts';

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Parent Relationship'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
};
type Explained = {
  Plan: PlanNode;
  Planning?: { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number };
  'Planning Time': number;
  'Execution Time': number;
  JIT?: { Functions?: number };
};

export type Statement = { text: string; values?: unknown[] };

/** One read of an application table in a plan: the node, the indexes it reads through, and the rows it gave over all its loops. */
export type Scan = { relation: string; node: string; indexes: string[]; rows: number };

export type QueryPlan = {
  label: string;
  text: string;
  /** rows the statement returned */
  rows: number;
  /** shared buffers touched while executing (hit + read), sub-plans of RLS policies included */
  buffers: number;
  /** shared buffers touched while planning (index end points, catalog) */
  planningBuffers: number;
  planningMs: number;
  executionMs: number;
  /** functions JIT-compiled for this statement (0: no JIT) */
  jitFunctions: number;
  indexes: string[];
  /** every read of an application table (catalogs left out) */
  scans: Scan[];
  /** how each application table is read, e.g. "charge_receipts: Index Scan via charge_receipts_…_idx" */
  access: string[];
  /** why this plan is not index-served (an application table read sequentially); empty when it is */
  problems: string[];
  /** run ledger reads through an index other than (schedule_id, scheduled_for): served, but not the intended range */
  ledgerDetours: string[];
};

/** A stand-in for a pg client that records every statement before running it. */
export function recordingClient(client: pg.PoolClient, recorded: Statement[]): pg.PoolClient {
  return {
    query: (text: string, values?: unknown[]) => {
      recorded.push({ text, values });
      return client.query(text, values);
    },
    // the source listens for a session lost between two statements while it holds the client
    on: (event: 'error', listener: (error: Error) => void) => client.on(event, listener),
    off: (event: 'error', listener: (error: Error) => void) => client.off(event, listener),
  } as unknown as pg.PoolClient;
}

/**
 * A stand-in for a pool whose clients record every statement before running it: the worker's own
 * source (worker/postgres) runs on it unchanged, transaction and all.
 */
/** A tick's read with a fixed query (its windows decided by the caller, not by the database's clock). */
export function readFacts(source: GovernanceStatusPort, query: GovernanceQuery) {
  return source.readTick({ principalId: query.principalId, workerNow: query.now, plan: () => query });
}

export function recordingPool(pool: pg.Pool, recorded: Statement[]): pg.Pool {
  return {
    async connect() {
      const client = await pool.connect();
      return Object.assign(recordingClient(client, recorded), { release: (error?: Error | boolean) => client.release(error) });
    },
  } as unknown as pg.Pool;
}

/** The statements of a recorded read that touch tables: the transaction's own statements left out. */
export const readsOf = (recorded: Statement[]) => recorded.filter(({ text }) => !/^(BEGIN|COMMIT|ROLLBACK)\b/.test(text) && !/^SELECT set_config/.test(text));

/**
 * Names a statement of a tick, of the previous release's shape or of the naive reading by what it
 * reads; from its text as sent or as pg_stat_statements shows it (constants replaced by $n).
 */
export function labelOf(sql: string): string {
  if (/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql)) return 'begin / commit';
  if (/^\s*SELECT set_config/.test(sql)) return 'transaction settings';
  if (/pg_(try_)?advisory/.test(sql)) return 'leader lock';
  if (/^\s*SELECT (1|\$1)\s*$/.test(sql)) return 'SELECT 1 (keep-alive)';
  if (sql.includes('pg_class')) return 'ledger lookup';
  if (/FROM billing_accounts/.test(sql)) return 'balance';
  if (/has_column_privilege/.test(sql)) return 'usage details check';
  if (/usd_nanos/.test(sql)) return /to_char\(/.test(sql) ? 'usage by day' : 'usage in the window';
  if (/FROM charge_receipts/.test(sql)) return /to_char\(/.test(sql) ? 'spend by day' : 'spend by hour';
  if (/last_success/.test(sql)) return 'charters, last run and success';
  if (/first_run/.test(sql)) return 'earlier runs';
  if (/CROSS JOIN LATERAL/.test(sql)) return /scheduled_for <= \$3/.test(sql) ? 'runs in the window' : 'runs of a day';
  if (/JOIN execution_grants/.test(sql) || /UNION ALL/.test(sql) || /ORDER BY scheduled_for DESC, run_id/.test(sql)) return 'failed runs';
  // before the charters: a thread's latest run is the system's own by its schedule (FROM schedules) too
  if (/FROM ai_threads/.test(sql)) return 'recent threads';
  if (/FROM schedules/.test(sql)) return 'charters';
  return sql.replace(/\s+/g, ' ').slice(0, 40);
}

const walk = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(walk)];

/** The indexes a scan node reads its table through: its own, or a bitmap heap scan's bitmap tree. */
function indexesReading(node: PlanNode): string[] {
  if (node['Index Name']) return [node['Index Name']];
  if (node['Node Type'] !== 'Bitmap Heap Scan') return ['no index'];
  return (node.Plans ?? [])
    .filter((child) => child['Parent Relationship'] === 'Outer')
    .flatMap(walk)
    .flatMap((child) => (child['Node Type'] === 'Bitmap Index Scan' && child['Index Name'] ? [child['Index Name']] : []));
}
const blocks = (counts: { 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number } | undefined) =>
  (counts?.['Shared Hit Blocks'] ?? 0) + (counts?.['Shared Read Blocks'] ?? 0);

/**
 * The one index through which a statement may read the run ledger: its (schedule_id, scheduled_for)
 * index, but for the recent threads, whose latest run each is found by its thread's state_key
 * (graph_runs_state_key_idx: one probe per thread, bounded by the threads' limit).
 */
export const ledgerIndexOf = (ledger: string, label: string) => (label === 'recent threads' ? `${ledger}_state_key_idx` : `${ledger}_schedule_slot_unique`);

/**
 * Runs each statement under EXPLAIN (ANALYZE, BUFFERS) on a client already inside the snapshot's
 * transaction. `ledger` names the run table whose reads must use its (schedule_id, scheduled_for)
 * index; pass null for the naive reading, whose plans are reported but not held to that.
 */
export async function explainAll(client: pg.PoolClient, statements: Statement[], ledger: string | null): Promise<QueryPlan[]> {
  const plans: QueryPlan[] = [];
  for (const { text, values } of statements) {
    const { rows } = await client.query<{ 'QUERY PLAN': Explained[] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, values);
    const explained = rows[0]!['QUERY PLAN'][0]!;
    const label = labelOf(text);
    const nodes = walk(explained.Plan);
    const problems: string[] = [];
    const ledgerDetours: string[] = [];
    const access: string[] = [];
    const scans: Scan[] = [];
    for (const node of nodes) {
      const relation = node['Relation Name'];
      if (!relation || relation.startsWith('pg_')) continue;
      const via = node['Node Type'] === 'Seq Scan' ? [] : indexesReading(node);
      scans.push({ relation, node: node['Node Type'], indexes: via, rows: (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) });
      access.push(`${relation}: ${node['Node Type']}${via.length > 0 ? ` via ${via.join(' + ')}` : ''}`);
      if (node['Node Type'] === 'Seq Scan') problems.push(`Seq Scan on ${relation}`);
      if (ledger && relation === ledger) {
        for (const index of indexesReading(node)) {
          if (index === 'no index') problems.push(`${node['Node Type']} on ${relation} without an index`);
          else if (index !== ledgerIndexOf(ledger, label)) ledgerDetours.push(`${node['Node Type']} on ${relation} via ${index}`);
        }
      }
    }
    plans.push({
      label,
      text,
      rows: explained.Plan['Actual Rows'] ?? 0,
      buffers: blocks(explained.Plan),
      planningBuffers: blocks(explained.Planning),
      planningMs: explained['Planning Time'],
      executionMs: explained['Execution Time'],
      jitFunctions: explained.JIT?.Functions ?? 0,
      indexes: [...new Set(nodes.flatMap((node) => (node['Index Name'] ? [node['Index Name']] : [])))],
      scans,
      access: [...new Set(access)],
      problems: [...new Set(problems)],
      ledgerDetours: [...new Set(ledgerDetours)],
    });
  }
  return plans;
}

/** explainAll as `principalId` sees the tables: in a read-only transaction with the tenant set and JIT off, as the worker reads. */
export async function explainAsTenant(pool: pg.Pool, principalId: string, statements: Statement[], ledger: string | null): Promise<QueryPlan[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    await client.query("SELECT set_config('app.current_user_id', $1, true), set_config('jit', 'off', true)", [principalId]);
    const plans = await explainAll(client, statements, ledger);
    await client.query('COMMIT');
    return plans;
  } finally {
    client.release();
  }
}
