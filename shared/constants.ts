// The contract's constants: value lists, limits and file names, with no Zod, so the page can import
// them (and the rules that use them) without the schema runtime. shared/contract.ts re-exports them.
export const runStatuses = ['pending', 'running', 'success', 'error', 'skipped', 'cancelled'] as const;
export const finishedRunStatuses = ['success', 'error', 'skipped', 'cancelled'] as const;
export const overallStatuses = ['healthy', 'degraded', 'failing'] as const;
export const creditHealths = ['green', 'yellow', 'red'] as const;
export const scheduleErrors = ['invalid_cron', 'invalid_timezone'] as const;
/** In precedence order: a charter is in the first state that applies (shared/charter-state.ts). */
export const charterStates = ['paused', 'invalid_schedule', 'no_runs', 'missed', 'stuck', 'failing', 'skipped', 'recovering', 'running', 'ok'] as const;
export const severities = ['failing', 'degraded', 'notice'] as const;
/** In the order reasons of one severity are listed (shared/reasons.ts). */
export const reasonCodes = [
  'credits_exhausted', 'runway_critical', 'all_charters_down',
  'data_behind', 'runway_low', 'funding_ends_soon', 'charter_missed', 'charter_stuck', 'charter_failing', 'charter_skipped', 'charter_recovering', 'schedule_invalid',
  'runs_failed_recently', 'charter_no_runs', 'charter_paused',
] as const;
export const incidentKinds = ['failed', 'missed', 'skipped'] as const;
/** How an incident ended when no success of its charter ended it (shared/incidents.ts keepAnnounced). */
export const incidentResolutions = ['charter_removed'] as const;
/** The reasons of the whole system that open an incident of their own (shared/incidents.ts). */
export const statusIncidentCodes = ['credits_exhausted', 'runway_critical', 'all_charters_down'] as const;

export const limits = {
  upcomingRuns: 3,
  recentRuns: 10,
  failedRuns: 10,
  missedRuns: 10,
  spendHours: 24,
  /** charters listed (the most severe first, then sorted by name); chartersTotal says how many exist */
  charters: 100,
  openIncidents: 100,
  idLength: 100,
  nameLength: 100,
  scheduleLength: 100,
  scheduleTextLength: 200,
  titleLength: 200,
  errorCodeLength: 64,
  errorMessageLength: 300,
  reasonTextLength: 400,
  urlLength: 2000,
  /** the whole governance-status.json; the worker refuses to publish a larger one */
  snapshotBytes: 262_144,
  historyDays: 90,
  historyCharters: 100,
  historyIncidents: 500,
  historyStatusIncidents: 100,
  incidentErrorCodes: 10,
  /** the whole governance-history.json */
  historyBytes: 1_048_576,
} as const;

/**
 * How long a snapshot may read as current: staleAfter is staleAfterIntervals x the interval between
 * two snapshots, and the worker refuses a SNAPSHOT_CRON that pauses for longer than maxIntervalMs
 * (worker/config.ts), so no honest snapshot vouches for itself longer than their product (maxFreshnessMs).
 */
export const snapshotSchedule = { maxIntervalMs: 60 * 60 * 1000, staleAfterIntervals: 3 } as const;

/** The longest an honest snapshot vouches for itself: staleAfter at the slowest schedule the worker accepts. */
export const maxFreshnessMs = snapshotSchedule.staleAfterIntervals * snapshotSchedule.maxIntervalMs;

/**
 * How long a snapshot made now reads as current, given the interval of the schedule it stands for
 * (shared/schedule.ts snapshotIntervalMs): 3 of those, and never more than maxFreshnessMs (a schedule
 * with a gap, office hours only say, would otherwise vouch for its evening's snapshot until the next
 * morning's).
 */
export const freshnessWindowMs = (intervalMs: number) => Math.min(snapshotSchedule.staleAfterIntervals * intervalMs, maxFreshnessMs);

/**
 * How long a cache (a CDN, a browser) may keep the published files, given the schedule's shortest
 * interval: a quarter of it fresh and three quarters more served while it revalidates, so a reader is
 * at most one interval behind, well inside the 3 of staleAfter; never more than 15 s and 45 s (the
 * every-minute schedule's), so a slow schedule's change still shows within a minute.
 */
export function cacheControlFor(shortestIntervalMs: number): string {
  const seconds = Math.floor(shortestIntervalMs / 1000);
  return `public, max-age=${Math.min(15, Math.floor(seconds / 4))}, stale-while-revalidate=${Math.min(45, Math.floor((seconds * 3) / 4))}`;
}

export const snapshotFileName = 'governance-status.json';
export const schemaFileName = 'governance-status.schema.json';
export const badgeFileName = 'governance-badge.json';
export const badgeSvgFileName = 'governance-badge.svg';
export const historyFileName = 'governance-history.json';
export const historySchemaFileName = 'governance-history.schema.json';
export const atomFeedFileName = 'governance-feed.xml';
export const jsonFeedFileName = 'governance-feed.json';

/** Caps of the usage lists (each with an "other" remainder and totals): shared/usage.ts. */
export const usageLimits = {
  /** charters in the last 24 hours' usage: as many as the snapshot lists, so each listed charter can show its cost per run */
  charters: 100,
  models: 10,
  agents: 10,
  /** entries per closed day in the history: the charters and the models that spent most */
  dayCharters: 10,
  dayModels: 10,
} as const;
