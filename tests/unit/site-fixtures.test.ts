// The fixture snapshots drive the browser tests and may serve the worker's tests too: each must pass
// the contract and agree with the contract's rules, or the page would be tested on impossible data.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGovernanceStatus, type GovernanceStatus } from '../../shared/contract.ts';
import { summarizeCredits } from '../../shared/credits.ts';
import { overallStatus } from '../../shared/health.ts';

const fixtureDir = new URL('../fixtures/snapshots/', import.meta.url);
const fixtures = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, text: readFileSync(new URL(name, fixtureDir), 'utf8') }));

describe('fixture snapshots', () => {
  it('cover every headline status and every empty list', () => {
    const snapshots = fixtures.map(({ text }) => JSON.parse(text) as GovernanceStatus);
    expect(new Set(snapshots.map((s) => s.status))).toEqual(new Set(['healthy', 'degraded', 'failing']));
    expect(snapshots.some((s) => s.charters.length === 0 && s.failedRuns.length === 0 && s.recentRuns.length === 0)).toBe(true);
  });

  it.each(fixtures)('$name passes the contract and follows its rules', ({ text }) => {
    const parsed = parseGovernanceStatus(JSON.parse(text));
    expect(parsed.success).toBe(true);
    const snapshot = parsed.data!;
    expect(snapshot.credits).toEqual(summarizeCredits(BigInt(snapshot.credits.balance), BigInt(snapshot.credits.spentLast24h)));
    expect(snapshot.systemCredits).toBe(snapshot.credits.balance);
    expect(snapshot.status).toBe(overallStatus(snapshot.credits.health, snapshot.charters, new Date(snapshot.generatedAt)));
    expect(Date.parse(snapshot.staleAfter)).toBeGreaterThan(Date.parse(snapshot.generatedAt));
    const upcoming = snapshot.charters
      .filter((charter) => charter.enabled && charter.nextRunAt !== null)
      .map((charter) => ({ name: charter.name, nextRunAt: charter.nextRunAt! }))
      .sort((a, b) => a.nextRunAt.localeCompare(b.nextRunAt))
      .slice(0, 3);
    expect(snapshot.upcomingRuns).toEqual(upcoming);
  });
});
