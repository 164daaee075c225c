// The public files may hold only what row-level security lets the system principal see: the worker's
// own WHERE clauses are the second guard, never the only one. RLS guards a table for a role only when
// it is enabled there, and the role is no superuser, has no BYPASSRLS, and does not own the table
// unless the table forces RLS on its owner too: PostgreSQL's row_security_active() says all of that.

/** The tables the snapshot reads (the ledger under either name); those absent or not granted are not read. */
export const tablesRead = ['billing_accounts', 'charge_receipts', 'llm_charge_details', 'schedules', 'graph_runs', 'schedule_runs', 'ai_threads'] as const;

/** Why this role must not read for a public file, or null: `unguarded` are the readable tables RLS does not filter for it. */
export function rowSecurityProblem(role: string, bypassesRls: boolean, unguarded: readonly string[]): string | null {
  if (bypassesRls) return `database role ${role} bypasses row-level security (SUPERUSER or BYPASSRLS): connect as a reader role like sql/reader-role.sql`;
  if (unguarded.length === 0) return null;
  return (
    `row-level security does not filter ${[...unguarded].sort().join(', ')} for database role ${role}: ` +
    'enable it there (ENABLE and FORCE ROW LEVEL SECURITY) and connect as a reader role that owns no table, like sql/reader-role.sql'
  );
}
