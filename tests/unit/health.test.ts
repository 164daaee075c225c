import { describe, expect, it } from 'vitest';
import type { Charter } from '../../shared/contract.ts';
import { overallStatus } from '../../shared/health.ts';

const now = new Date('2026-11-21T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000).toISOString();

function charter(name: string, lastRun: Charter['lastRun'], overrides: Partial<Charter> = {}): Charter {
  return {
    name,
    enabled: true,
    cron: '0 * * * *',
    timezone: 'UTC',
    nextRunAt: '2026-11-21T13:00:00.000Z',
    scheduleError: null,
    lastRun,
    lastSuccessAt: null,
    ...overrides,
  };
}
const run = (status: 'success' | 'error' | 'skipped' | 'cancelled', hours: number) => ({
  status,
  scheduledFor: hoursAgo(hours),
  finishedAt: hoursAgo(hours),
});

describe('overallStatus', () => {
  it('is healthy with green credits and succeeding charters', () => {
    expect(overallStatus('green', [charter('A', run('success', 1)), charter('B', run('success', 2))], now)).toBe('healthy');
  });
  it('is failing when credit health is red, whatever the runs', () => {
    expect(overallStatus('red', [charter('A', run('success', 1))], now)).toBe('failing');
  });
  it('is failing when every enabled charter that ran today ended in error', () => {
    const charters = [
      charter('A', run('error', 1)),
      charter('B', run('error', 3)),
      charter('C', run('success', 30)), // not in the last 24 h: does not count either way
      charter('D', run('success', 1), { enabled: false }),
    ];
    expect(overallStatus('green', charters, now)).toBe('failing');
  });
  it('is degraded, not failing, when only some enabled charters fail', () => {
    expect(overallStatus('green', [charter('A', run('error', 1)), charter('B', run('success', 1))], now)).toBe('degraded');
  });
  it('is degraded when a failing charter has not run today', () => {
    expect(overallStatus('green', [charter('A', run('error', 30))], now)).toBe('degraded');
  });
  it('is not failing when no enabled charter ran in the last 24 h', () => {
    expect(overallStatus('green', [charter('A', null), charter('B', run('success', 48))], now)).toBe('healthy');
  });
  it('is degraded with yellow credits', () => {
    expect(overallStatus('yellow', [charter('A', run('success', 1))], now)).toBe('degraded');
  });
  it('is degraded when any charter, even a paused one, has a schedule error', () => {
    const broken = charter('A', null, { enabled: false, scheduleError: 'invalid_timezone', nextRunAt: null });
    expect(overallStatus('green', [broken, charter('B', run('success', 1))], now)).toBe('degraded');
  });
  it('ignores a disabled charter whose last run failed', () => {
    expect(overallStatus('green', [charter('A', run('error', 1), { enabled: false }), charter('B', run('success', 1))], now)).toBe('healthy');
  });
  it('is healthy with no charters at all', () => {
    expect(overallStatus('green', [], now)).toBe('healthy');
  });
});
