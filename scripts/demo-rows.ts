// Row writers of the demo's data, shared by the seed (scripts/demo-data.ts) and the simulator:
// column arrays inserted with one unnest, one charge receipt, one thread, and a seeded PRNG.
import type { Queryable } from './cogni/apply-schema.ts';
import { detailRow, type Call } from './demo-usage.ts';

/** Column arrays, one per column, filled row by row and inserted with one unnest. */
export function columns<K extends string>(names: readonly K[]) {
  const data = Object.fromEntries(names.map((name) => [name, [] as unknown[]])) as Record<K, unknown[]>;
  return { data, push: (row: Record<K, unknown>) => names.forEach((name) => data[name].push(row[name])) };
}

export async function insertColumns(db: Queryable, table: string, types: Record<string, string>, data: Record<string, unknown[]>): Promise<void> {
  const names = Object.keys(types);
  const arrays = names.map((name, index) => `$${index + 1}::${types[name]}[]`).join(', ');
  await db.query(`INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${arrays})`, names.map((name) => data[name]));
}

/** One LLM receipt and its details, as the application writes a model call's charge. */
export async function insertReceipt(
  db: Queryable,
  { accountId, keyId, runId, at, credits, call, random = Math.random }: { accountId: string; keyId: string; runId: string; at: Date; credits: number; call: Call; random?: () => number },
): Promise<void> {
  const id = crypto.randomUUID();
  await db.query(
    `INSERT INTO charge_receipts (id, billing_account_id, virtual_key_id, run_id, attempt, charged_credits, response_cost_usd,
                                  provenance, charge_reason, source_system, source_reference, receipt_kind, created_at)
     VALUES ($1, $2, $3, $4, 1, $5, $6, 'demo', 'llm_usage', 'litellm', $7, 'llm', $8)`,
    [id, accountId, keyId, runId, credits, call.model.reportsUsd ? (credits / 10_000_000).toFixed(7) : null, crypto.randomUUID(), at],
  );
  const row = detailRow(id, call, credits, random);
  await db.query(
    `INSERT INTO llm_charge_details (charge_receipt_id, provider_call_id, model, provider, tokens_in, tokens_out, latency_ms, graph_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.charge_receipt_id, row.provider_call_id, row.model, row.provider, row.tokens_in, row.tokens_out, row.latency_ms, row.graph_id],
  );
}

export async function insertThread(
  db: Queryable,
  thread: { owner: string; stateKey: string; title: string; createdAt: Date; updatedAt: Date; deletedAt?: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO ai_threads (owner_user_id, state_key, messages, metadata, created_at, updated_at, deleted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (owner_user_id, state_key) DO UPDATE SET updated_at = EXCLUDED.updated_at`,
    [thread.owner, thread.stateKey, JSON.stringify([{ role: 'system', content: thread.title }]), JSON.stringify({ title: thread.title }),
      thread.createdAt, thread.updatedAt, thread.deletedAt ?? null],
  );
}

/** mulberry32: the same mix of outcomes on every start, so the first page a reader sees is predictable */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
