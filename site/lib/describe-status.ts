// Words for every status the contract can carry: the page never relies on colour alone.
import type { CreditHealth, FinishedRunStatus, OverallStatus, ScheduleError } from '../../shared/contract.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export const overallStatusText: Record<OverallStatus, { label: string; detail: string; tone: Tone }> = {
  healthy: { label: 'Healthy', detail: 'Charters run on schedule and credits are sufficient.', tone: 'good' },
  degraded: { label: 'Degraded', detail: 'Something needs attention: see the details below.', tone: 'warn' },
  failing: { label: 'Failing', detail: 'Scheduled governance runs are not succeeding.', tone: 'bad' },
};

/** The details restate the contract's thresholds (shared/credits.ts creditHealth). */
export const creditHealthText: Record<CreditHealth, { label: string; detail: string; tone: Tone }> = {
  green: { label: 'Sufficient', detail: 'more than 24 hours of runway, or no spend', tone: 'good' },
  yellow: { label: 'Running low', detail: '6 to 24 hours of runway', tone: 'warn' },
  red: { label: 'Critical', detail: 'no credits, or under 6 hours of runway', tone: 'bad' },
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
