// GovernanceStatusPort over node-postgres. Side effects: checks one client out of the pool per
// snapshot and runs one READ ONLY, REPEATABLE READ transaction on it (every figure from the same
// instant), with the tenant and a statement timeout set transaction-locally. It never writes.
import type { Pool } from 'pg';
import type { GovernanceStatusPort } from '../../shared/ports.ts';
import { readAllFacts } from './queries.ts';

export type PostgresSourceOptions = { statementTimeoutMs: number };

export function createPostgresGovernanceSource(pool: Pool, options: PostgresSourceOptions): GovernanceStatusPort {
  return {
    async readGovernanceFacts(query) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        // Bound parameters, transaction-local: RLS sees the system principal and nothing else.
        const { rows } = await client.query<{ role: string; bypasses_rls: boolean }>(
          `SELECT set_config('app.current_user_id', $1, true), set_config('statement_timeout', $2, true),
                  current_user AS role, (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS bypasses_rls`,
          [query.principalId, String(options.statementTimeoutMs)],
        );
        // The file is public: only row-level security, not just our WHERE clauses, may decide what it shows.
        if (rows[0]?.bypasses_rls) {
          throw new Error(
            `database role ${rows[0].role} bypasses row-level security (SUPERUSER or BYPASSRLS): connect as a reader role like sql/reader-role.sql`,
          );
        }
        const facts = await readAllFacts(client, query);
        await client.query('COMMIT');
        return facts;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError; // the connection is unusable: drop it instead of pooling it
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}
