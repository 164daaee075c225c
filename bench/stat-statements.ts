// pg_stat_statements of one database and one role, read from the cluster's `postgres` database:
// what the bench counts buffers and server time with. Reset between phases.
import type pg from 'pg';
import { labelOf } from './plans.ts';

export type StatementCost = { label: string; query: string; calls: number; blocks: number; ms: number; maxExecMs: number };

export type StatStatements = {
  reset(): Promise<void>;
  /** shared blocks touched by the role's statements since reset(), SELECT 1 left out */
  blocks(): Promise<{ calls: number; blocks: number; ms: number }>;
  /** the same per statement, with the bench's label for each */
  statements(): Promise<StatementCost[]>;
};

export function statStatements(admin: pg.Client, database: string, role: string): StatStatements {
  const ids = `(SELECT oid FROM pg_roles WHERE rolname = $1), (SELECT oid FROM pg_database WHERE datname = $2)`;
  const statements = async () => {
    const { rows } = await admin.query<{ query: string; calls: string; blocks: string; ms: number; max_exec_ms: number }>(
      `SELECT query, calls, shared_blks_hit + shared_blks_read AS blocks, total_exec_time + total_plan_time AS ms, max_exec_time AS max_exec_ms
         FROM pg_stat_statements
        WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND dbid = (SELECT oid FROM pg_database WHERE datname = $2)
          AND query <> 'SELECT 1'`,
      [role, database],
    );
    return rows.map((row) => ({
      label: labelOf(row.query),
      query: row.query,
      calls: Number(row.calls),
      blocks: Number(row.blocks),
      ms: Number(row.ms),
      maxExecMs: Number(row.max_exec_ms),
    }));
  };
  return {
    async reset() {
      await admin.query(`SELECT pg_stat_statements_reset(${ids}, 0)`, [role, database]);
    },
    async blocks() {
      const rows = await statements();
      return {
        calls: rows.reduce((sum, row) => sum + row.calls, 0),
        blocks: rows.reduce((sum, row) => sum + row.blocks, 0),
        ms: rows.reduce((sum, row) => sum + row.ms, 0),
      };
    },
    statements,
  };
}
