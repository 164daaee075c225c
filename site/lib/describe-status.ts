// Words for every status the contract can carry: the page never relies on colour alone.
import type { CharterState, CreditHealth, OverallStatus, PublishedStatus, RunStatus, ScheduleError, Severity } from '../../shared/contract.ts';
import { charterStateInfo, statusOf } from '../../shared/reasons.ts';
import { formatAge } from './staleness.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export const overallStatusText: Record<OverallStatus, { label: string; detail: string; tone: Tone }> = {
  healthy: { label: 'Healthy', detail: 'Charters run on schedule and credits are sufficient.', tone: 'good' },
  degraded: { label: 'Degraded', detail: 'Something needs attention: see the details below.', tone: 'warn' },
  failing: { label: 'Failing', detail: 'Scheduled governance runs are not succeeding.', tone: 'bad' },
};

export const severityText: Record<Severity, { label: string; tone: Tone }> = {
  failing: { label: 'Failing', tone: 'bad' },
  degraded: { label: 'Degraded', tone: 'warn' },
  notice: { label: 'Notice', tone: 'neutral' },
};

/** A charter reads in the tone of the reason its state raises, as the headline counts it: a degraded reason is a warning, never red. */
export function charterStateText(state: CharterState): { label: string; tone: Tone } {
  const { label, severity } = charterStateInfo[state];
  return { label, tone: severity === null ? 'good' : severityText[severity].tone };
}

/** The credit health in words (shared/credits.ts creditHealth: red under 6 hours of runway, yellow up to 24). */
export const creditHealthText: Record<CreditHealth, { label: string; tone: Tone }> = {
  green: { label: 'Sufficient', tone: 'good' },
  yellow: { label: 'Running low', tone: 'warn' },
  red: { label: 'Critical', tone: 'bad' },
};

export const runStatusText: Record<RunStatus, { label: string; tone: Tone }> = {
  success: { label: 'Succeeded', tone: 'good' },
  // A failed run is a charter's problem, whose reason is degraded at most: a warning, like its state.
  error: { label: 'Failed', tone: 'warn' },
  skipped: { label: 'Skipped', tone: 'neutral' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  running: { label: 'Running', tone: 'neutral' },
  pending: { label: 'Pending', tone: 'neutral' },
};

export const scheduleErrorText: Record<ScheduleError, string> = {
  invalid_cron: 'Invalid cron expression',
  invalid_timezone: 'Unknown time zone',
};

const rank: Record<OverallStatus, number> = { healthy: 0, degraded: 1, failing: 2 };

/** The status a reader is shown: the file's, or its reasons' if they are worse (a file that contradicts itself never reads as fine). */
export function effectiveStatus(snapshot: PublishedStatus): OverallStatus {
  const derived = statusOf(snapshot.reasons ?? []);
  return rank[derived] > rank[snapshot.status] ? derived : snapshot.status;
}

export type Headline = {
  /** the word in the tab title and the favicon's name */
  word: 'Loading' | 'Unknown' | 'Healthy' | 'Degraded' | 'Failing';
  tone: Tone;
  detail: string;
  /** reasons shown under the headline: every one but the headline's own */
  reasons: NonNullable<PublishedStatus['reasons']>;
};

/** What the headline says: the status and its most severe reason, or Unknown when the data cannot be vouched for. */
export function describeHeadline(snapshot: PublishedStatus | null, now: number, stale: boolean, failed: boolean): Headline {
  if (!snapshot) {
    return failed
      ? { word: 'Unknown', tone: 'neutral', detail: 'The status could not be loaded.', reasons: [] }
      : { word: 'Loading', tone: 'neutral', detail: 'Fetching the latest snapshot.', reasons: [] };
  }
  const status = effectiveStatus(snapshot);
  const { label, detail, tone } = overallStatusText[status];
  const reasons = withoutRepeats(snapshot.reasons ?? []);
  if (stale) {
    return { word: 'Unknown', tone: 'neutral', detail: `last known: ${label}, ${formatAge(snapshot.generatedAt, now)} ago`, reasons };
  }
  const [first, ...rest] = reasons;
  if (status !== 'healthy' && first) return { word: label as Headline['word'], tone, detail: first.text, reasons: rest };
  return { word: label as Headline['word'], tone, detail: status === 'healthy' ? healthyDetail(snapshot) : detail, reasons };
}

/**
 * Each fact once: with no credits left, "the balance pays for no more runs" (funding_ends_soon) says
 * again what credits_exhausted says. It is never the more severe of the two, so the status stands.
 */
export function withoutRepeats(reasons: NonNullable<PublishedStatus['reasons']>): NonNullable<PublishedStatus['reasons']> {
  if (!reasons.some((reason) => reason.code === 'credits_exhausted')) return reasons;
  return reasons.filter((reason) => reason.code !== 'funding_ends_soon');
}

/**
 * Healthy says only what holds: notices (a paused charter, one without recorded runs) do not change
 * the status, but a page whose every charter is paused must not claim that charters run on schedule.
 */
function healthyDetail(snapshot: PublishedStatus): string {
  const charters = snapshot.charters ?? [];
  if (charters.length === 0 && (snapshot.chartersTotal ?? 0) === 0) return 'No charters are scheduled.';
  if (!snapshot.reasons?.length) return overallStatusText.healthy.detail;
  // charters left out of a long list are the least severe: they may well be running
  const working = charters.length < (snapshot.chartersTotal ?? 0) || charters.some((charter) => charter.state === undefined || charter.state === 'ok' || charter.state === 'running');
  return working ? 'The charters that run do so on schedule; see the notices below.' : 'No charter runs on a schedule: see the notices below.';
}
