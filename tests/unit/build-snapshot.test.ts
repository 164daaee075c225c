import { describe, expect, it } from 'vitest';
import { parseGovernanceStatus } from '../../shared/contract.ts';
import type { GovernanceFacts, GovernanceQuery, GovernanceStatusPort } from '../../shared/ports.ts';
import { buildSnapshot, createPublisher, queryFor, type SnapshotSettings } from '../../worker/build-snapshot.ts';
import { createLogger } from '../../worker/logger.ts';
import { createMemoryStore } from '../support/memory-store.ts';

const now = new Date('2026-11-21T12:34:56.789Z');
const settings: SnapshotSettings = { principalId: 'p', billingAccountId: 'b', staleAfterMs: () => 180_000 };
const t = (iso: string) => new Date(iso);

function facts(overrides: Partial<GovernanceFacts> = {}): GovernanceFacts {
  return {
    ledger: 'graph_runs',
    balanceCredits: 2_400_000_000n,
    spentSinceSpendFrom: 2_400_000_000n, // burn 100,000,000/h -> runway 24 h exactly
    spendByHour: [
      { hourStart: t('2026-11-20T13:00:00.000Z'), credits: 1_000n },
      { hourStart: t('2026-11-21T12:00:00.000Z'), credits: 2_000n },
    ],
    charters: [
      {
        temporalScheduleId: 'governance:engineering',
        cron: '0 */6 * * *',
        timezone: 'Europe/Berlin',
        enabled: true,
        lastRun: { status: 'error', scheduledFor: t('2026-11-21T11:00:00.000Z'), finishedAt: t('2026-11-21T11:00:05.000Z') },
        lastSuccessAt: t('2026-11-20T23:00:04.000Z'),
      },
      {
        temporalScheduleId: 'governance:community',
        cron: '0 13 * * *',
        timezone: 'UTC',
        enabled: true,
        lastRun: { status: 'success', scheduledFor: t('2026-11-20T13:00:00.000Z'), finishedAt: t('2026-11-20T13:01:00.000Z') },
        lastSuccessAt: t('2026-11-20T13:01:00.000Z'),
      },
      { temporalScheduleId: 'governance:govern', cron: 'every day', timezone: 'UTC', enabled: true, lastRun: null, lastSuccessAt: null },
      { temporalScheduleId: 'governance:sustainability', cron: '0 9 * * *', timezone: 'UTC', enabled: false, lastRun: null, lastSuccessAt: null },
    ],
    failedRuns: [
      {
        temporalScheduleId: 'governance:engineering',
        runId: 'run-2',
        scheduledFor: t('2026-11-21T11:00:00.000Z'),
        errorCode: null,
        errorMessage: 'insufficient_credits',
      },
      {
        temporalScheduleId: 'governance:engineering',
        runId: 'run-1',
        scheduledFor: t('2026-11-21T05:00:00.000Z'),
        errorCode: null,
        errorMessage: 'call failed: Bearer abc.def\n  at x',
      },
    ],
    threads: [
      { stateKey: 'thread-b', title: 'Weekly\u0007 review', createdAt: t('2026-11-21T10:00:00.000Z'), updatedAt: t('2026-11-21T12:00:00.000Z') },
      { stateKey: 'thread-a', title: { nested: true }, createdAt: t('2026-11-20T10:00:00.000Z'), updatedAt: t('2026-11-21T09:00:00.000Z') },
    ],
    ...overrides,
  };
}

function sourceOf(value: GovernanceFacts, seen: GovernanceQuery[] = []): GovernanceStatusPort {
  return {
    async readGovernanceFacts(query) {
      seen.push(query);
      return value;
    },
  };
}

describe('queryFor', () => {
  it('derives every window from the one now', () => {
    expect(queryFor(now, settings)).toEqual({
      now,
      principalId: 'p',
      billingAccountId: 'b',
      spendFrom: t('2026-11-20T12:34:56.789Z'),
      hoursFrom: t('2026-11-20T13:00:00.000Z'),
      failedFrom: t('2026-11-20T12:34:56.789Z'),
      failedLimit: 10,
      threadsLimit: 10,
    });
  });
});

describe('buildSnapshot', () => {
  it('composes the exact contract from the facts', async () => {
    const seen: GovernanceQuery[] = [];
    const snapshot = await buildSnapshot(sourceOf(facts(), seen), settings, now);
    expect(seen).toHaveLength(1);
    expect(snapshot.generatedAt).toBe('2026-11-21T12:34:56.789Z');
    expect(snapshot.staleAfter).toBe('2026-11-21T12:37:56.789Z');
    expect(snapshot.systemCredits).toBe('2400000000');
    expect(snapshot.credits).toEqual({
      balance: '2400000000',
      balanceUsd: '240.00',
      spentLast24h: '2400000000',
      burnPerHour: '100000000',
      runwayHours: 24,
      health: 'yellow',
    });
    expect(snapshot.spendByHour).toHaveLength(24);
    expect(snapshot.spendByHour[0]).toEqual({ hourStart: '2026-11-20T13:00:00.000Z', credits: '1000' });
    expect(snapshot.spendByHour[1]).toEqual({ hourStart: '2026-11-20T14:00:00.000Z', credits: '0' });
    expect(snapshot.spendByHour[23]).toEqual({ hourStart: '2026-11-21T12:00:00.000Z', credits: '2000' });

    expect(snapshot.charters.map((c) => [c.name, c.nextRunAt, c.scheduleError])).toEqual([
      ['Community', '2026-11-21T13:00:00.000Z', null],
      ['Engineering', '2026-11-21T17:00:00.000Z', null], // 18:00 in Berlin (UTC+1)
      ['Govern', null, 'invalid_cron'],
      ['Sustainability', null, null], // paused: no next run, but its schedule is fine
    ]);
    expect(snapshot.upcomingRuns).toEqual([
      { name: 'Community', nextRunAt: '2026-11-21T13:00:00.000Z' },
      { name: 'Engineering', nextRunAt: '2026-11-21T17:00:00.000Z' },
    ]);
    expect(snapshot.failedRuns).toEqual([
      { charter: 'Engineering', runId: 'run-2', scheduledFor: '2026-11-21T11:00:00.000Z', errorCode: 'insufficient_credits', errorMessage: 'insufficient_credits' },
      { charter: 'Engineering', runId: 'run-1', scheduledFor: '2026-11-21T05:00:00.000Z', errorCode: null, errorMessage: 'call failed: Bearer [redacted]' },
    ]);
    expect(snapshot.recentRuns).toEqual([
      { id: 'thread-b', title: 'Weekly review', startedAt: '2026-11-21T10:00:00.000Z', lastActivity: '2026-11-21T12:00:00.000Z' },
      { id: 'thread-a', title: null, startedAt: '2026-11-20T10:00:00.000Z', lastActivity: '2026-11-21T09:00:00.000Z' },
    ]);
    expect(snapshot.status).toBe('degraded'); // yellow credits, a failing charter, a broken schedule
    expect(parseGovernanceStatus(snapshot).success).toBe(true);
  });

  it('reports a malformed schedule in the snapshot without failing it', async () => {
    const snapshot = await buildSnapshot(
      sourceOf(facts({ charters: [{ temporalScheduleId: 'governance:x', cron: '0 9 * * *', timezone: 'Mars/Base', enabled: true, lastRun: null, lastSuccessAt: null }] })),
      settings,
      now,
    );
    expect(snapshot.charters[0]).toMatchObject({ name: 'X', nextRunAt: null, scheduleError: 'invalid_timezone' });
    expect(snapshot.upcomingRuns).toEqual([]);
  });

  it('survives infinite and far-future timestamps (pg returns Infinity for infinity) and odd schedule text', async () => {
    const infinite = new Date(Number.POSITIVE_INFINITY);
    const farFuture = new Date('+010000-01-01T00:00:00.000Z');
    const snapshot = await buildSnapshot(
      sourceOf(
        facts({
          charters: [
            {
              temporalScheduleId: 'governance:odd',
              cron: '0 9 * * *\u0000\n',
              timezone: 'UTC',
              enabled: true,
              lastRun: { status: 'success', scheduledFor: infinite, finishedAt: null },
              lastSuccessAt: farFuture,
            },
          ],
          failedRuns: [{ temporalScheduleId: 'governance:odd', runId: 'r', scheduledFor: infinite, errorCode: null, errorMessage: null }],
          threads: [
            { stateKey: 'ok', title: 't', createdAt: t('2026-11-21T10:00:00.000Z'), updatedAt: t('2026-11-21T11:00:00.000Z') },
            { stateKey: 'odd', title: 't', createdAt: new Date(Number.NEGATIVE_INFINITY), updatedAt: t('2026-11-21T11:00:00.000Z') },
          ],
        }),
      ),
      settings,
      now,
    );
    expect(snapshot.charters[0]).toMatchObject({ name: 'Odd', cron: '0 9 * * *', lastRun: null, lastSuccessAt: null, scheduleError: 'invalid_cron' });
    expect(snapshot.failedRuns).toEqual([]);
    expect(snapshot.recentRuns.map((run) => run.id)).toEqual(['ok']);
  });

  it('keeps at most 3 upcoming, 10 failed and 10 recent runs', async () => {
    const many = Array.from({ length: 12 }, (_, i) => i);
    const snapshot = await buildSnapshot(
      sourceOf(
        facts({
          charters: many.map((i) => ({ temporalScheduleId: `governance:c${i}`, cron: `${i} * * * *`, timezone: 'UTC', enabled: true, lastRun: null, lastSuccessAt: null })),
          failedRuns: many.map((i) => ({ temporalScheduleId: 'governance:c1', runId: `r${i}`, scheduledFor: new Date(now.getTime() - i * 60_000), errorCode: null, errorMessage: null })),
          threads: many.map((i) => ({ stateKey: `t${i}`, title: null, createdAt: now, updatedAt: now })),
        }),
      ),
      settings,
      now,
    );
    expect(snapshot.upcomingRuns).toEqual([
      { name: 'C0', nextRunAt: '2026-11-21T13:00:00.000Z' },
      { name: 'C1', nextRunAt: '2026-11-21T13:01:00.000Z' },
      { name: 'C2', nextRunAt: '2026-11-21T13:02:00.000Z' },
    ]);
    expect(snapshot.failedRuns.map((r) => r.runId)).toEqual(many.slice(0, 10).map((i) => `r${i}`));
    expect(snapshot.recentRuns).toHaveLength(10);
  });
});

describe('createPublisher', () => {
  const deps = (value: GovernanceFacts) => {
    const { store, files } = createMemoryStore();
    const logger = createLogger(() => {});
    return { files, publish: createPublisher({ source: sourceOf(value), store, clock: () => now, logger }, settings) };
  };

  it('writes the snapshot, the badge and the JSON Schema beside it', async () => {
    const { files, publish } = deps(facts());
    await publish();
    expect(JSON.parse(files.get('governance-status.json')!).generatedAt).toBe(now.toISOString());
    expect(JSON.parse(files.get('governance-badge.json')!)).toEqual({ schemaVersion: 1, label: 'governance', message: 'degraded', color: 'yellow' });
    expect(JSON.parse(files.get('governance-status.schema.json')!).properties.schemaVersion).toEqual({ type: 'number', const: 1 });
  });

  it('never writes a snapshot that breaks the contract', async () => {
    const broken = facts({
      charters: [
        {
          temporalScheduleId: 'governance:odd',
          cron: '0 * * * *',
          timezone: 'UTC',
          enabled: true,
          lastRun: { status: 'exploded' as 'error', scheduledFor: now, finishedAt: null },
          lastSuccessAt: null,
        },
      ],
    });
    const { files, publish } = deps(broken);
    await expect(publish()).rejects.toThrow(/snapshot breaks the contract: charters\.0\.lastRun\.status/);
    expect(files.size).toBe(0);
  });
});
