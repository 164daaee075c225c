// A run's error code from its message (worker/postgres/queries.ts reads a candidate in SQL, the JS
// cleaning decides): the same answer as the rule applied to the whole message, for every message a
// bare code could hide in, without the capture-group regex that made each failed run cost tens of µs.
import { describe, expect, it } from 'vitest';
import { systemTenant } from '../../scripts/cogni/scale-seed.ts';
import { errorCodeOf } from '../../shared/redact.ts';
import { readRuns } from '../../worker/postgres/queries.ts';
import { createTestDatabase } from '../support/test-database.ts';

const now = new Date('2026-11-21T12:00:00.000Z');
const messages = [
  'insufficient_credits',
  '  rate_limited \n',
  '\tquota_exceeded\t',
  'ab',
  'abc',
  'a'.repeat(64),
  'a'.repeat(65),
  'Insufficient_credits',
  '9lives',
  'two words',
  'fetch https://user:pw@llm.internal/v1 failed',
  'insufficient_credits\nat Worker.run (worker.ts:12)',
  `${' '.repeat(100)}insufficient_credits${' '.repeat(100)}`,
  'x'.repeat(1_000_000),
  '',
  null,
];
// The one difference, by design: a code padded with more than 256 bytes of whitespace is no code.
const padded = `${' '.repeat(300)}insufficient_credits`;

describe('message codes', () => {
  it("equal the bare-code rule on the whole message, on both ledgers", async () => {
    for (const ledger of ['graph_runs', 'schedule_runs'] as const) {
      const database = await createTestDatabase({ ledger });
      try {
        const { principalId, billingAccountId } = systemTenant;
        await database.admin.query(`INSERT INTO users (id) VALUES ($1)`, [principalId]);
        await database.admin.query(`INSERT INTO billing_accounts (id, owner_user_id, balance_credits) VALUES ($1, $2, 0)`, [billingAccountId, principalId]);
        await database.admin.query(`INSERT INTO execution_grants (user_id, billing_account_id, scopes) VALUES ($1, $2, '{}')`, [principalId, billingAccountId]);
        await database.admin.query(
          `INSERT INTO schedules (owner_user_id, execution_grant_id, graph_id, input, cron, timezone, temporal_schedule_id)
           SELECT $1, id, 'g', '{}', '* * * * *', 'UTC', 'governance:codes' FROM execution_grants`,
          [principalId],
        );
        await database.admin.query(
          `INSERT INTO ${ledger} (id, schedule_id, run_id, scheduled_for, status, error_message)
           SELECT gen_random_uuid(), s.id, 'run-' || m.n, $2::timestamptz - m.n * interval '1 minute', 'error', m.message
             FROM schedules s, unnest($1::text[]) WITH ORDINALITY AS m(message, n)`,
          [[...messages, padded], now],
        );
        const client = await database.admin.connect();
        try {
          const runs = await readRuns(client, { table: ledger, hasErrorCode: false, hasStateKey: false }, { principalId, from: new Date(now.getTime() - 86_400_000), to: now, toInclusive: true, messages: null });
          const byRun = new Map(runs.map((run) => [run.runId, run.messageCode]));
          const got = [...messages, padded].map((_, index) => errorCodeOf(null, byRun.get(`run-${index + 1}`) ?? null));
          expect(got).toEqual([...messages.map((message) => errorCodeOf(null, message)), null]);
          expect(errorCodeOf(null, padded)).toBe('insufficient_credits');
        } finally {
          client.release();
        }
      } finally {
        await database.drop();
      }
    }
  });
});
