import { describe, expect, it } from 'vitest';
import { rowSecurityProblem, tablesRead } from '../../shared/row-security.ts';

describe('rowSecurityProblem', () => {
  it('lets a role read that RLS filters on every table it reads', () => {
    expect(rowSecurityProblem('governance_reader', false, [])).toBeNull();
  });
  it('refuses a superuser or BYPASSRLS role, whatever the tables say', () => {
    expect(rowSecurityProblem('postgres', true, [])).toBe('database role postgres bypasses row-level security (SUPERUSER or BYPASSRLS): connect as a reader role like sql/reader-role.sql');
  });
  it('names every table RLS does not filter, sorted', () => {
    expect(rowSecurityProblem('app', false, ['schedules', 'ai_threads'])).toMatch(/^row-level security does not filter ai_threads, schedules for database role app: /);
  });
  it('checks both generations of the ledger and the usage details', () => {
    expect(tablesRead).toEqual(expect.arrayContaining(['graph_runs', 'schedule_runs', 'llm_charge_details', 'charge_receipts', 'ai_threads', 'schedules', 'billing_accounts']));
  });
});
