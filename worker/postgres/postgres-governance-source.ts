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
        await client.query(
          "SELECT set_config('app.current_user_id', $1, true), set_config('statement_timeout', $2, true)",
          [query.principalId, String(options.statementTimeoutMs)],
        );
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
