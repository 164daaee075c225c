// Words for every status the contract can carry: the page never relies on colour alone.
import type { CreditHealth, FinishedRunStatus, OverallStatus, ScheduleError } from '../../shared/contract.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export const overallStatusText: Record<OverallStatus, { label: string; detail: string; tone: Tone }> = {
  healthy: { label: 'Healthy', detail: 'Charters run on schedule and credits are sufficient.', tone: 'good' },
  degraded: { label: 'Degraded', detail: 'Something needs attention: see the details below.', tone: 'warn' },
  failing: { label: 'Failing', detail: 'Scheduled governance runs are not succeeding.', tone: 'bad' },
};

export const creditHealthText: Record<CreditHealth, { label: string; tone: Tone }> = {
  green: { label: 'Sufficient', tone: 'good' },
  yellow: { label: 'Running low', tone: 'warn' },
  red: { label: 'Critical', tone: 'bad' },
};

export const runStatusText: Record<FinishedRunStatus, { label: string; tone: Tone }> = {
  success: { label: 'Succeeded', tone: 'good' },
  error: { label: 'Failed', tone: 'bad' },
  skipped: { label: 'Skipped', tone: 'neutral' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

export const scheduleErrorText: Record<ScheduleError, string> = {
  invalid_cron: 'Invalid cron expression',
  invalid_timezone: 'Unknown time zone',
};
