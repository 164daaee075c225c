// The public contract of governance-status.json, schemaVersion 1: the one definition that the
// worker validates with, the site checks with, and the published JSON Schema is generated from.
// Written with zod/mini so the page's island can carry it without the full Zod runtime.
import * as z from 'zod/mini';

/** ISO-8601 UTC with milliseconds: 2026-11-21T12:00:00.000Z */
const instant = z.iso.datetime({ precision: 3 });
/** A bigint credit amount as an integer string: it never passes through a JS number. */
const credits = z.string().check(z.regex(/^-?(0|[1-9][0-9]*)$/));

export const runStatuses = ['pending', 'running', 'success', 'error', 'skipped', 'cancelled'] as const;
export const finishedRunStatuses = ['success', 'error', 'skipped', 'cancelled'] as const;
export const overallStatuses = ['healthy', 'degraded', 'failing'] as const;
export const creditHealths = ['green', 'yellow', 'red'] as const;
export const scheduleErrors = ['invalid_cron', 'invalid_timezone'] as const;

export const limits = {
  upcomingRuns: 3,
  recentRuns: 10,
  failedRuns: 10,
  spendHours: 24,
  titleLength: 200,
  errorMessageLength: 300,
} as const;

export const upcomingRunSchema = z.object({ name: z.string(), nextRunAt: instant });

export const recentRunSchema = z.object({
  id: z.string(),
  title: z.nullable(z.string().check(z.maxLength(limits.titleLength))),
  startedAt: instant,
  lastActivity: instant,
});

export const creditsSchema = z.object({
  balance: credits,
  balanceUsd: z.string().check(z.regex(/^-?[0-9]+\.[0-9]{2}$/)),
  spentLast24h: credits,
  burnPerHour: credits,
  runwayHours: z.nullable(z.number().check(z.gte(0))),
  health: z.enum(creditHealths),
});

export const spendHourSchema = z.object({ hourStart: instant, credits });

export const lastRunSchema = z.object({
  status: z.enum(finishedRunStatuses),
  scheduledFor: instant,
  finishedAt: z.nullable(instant),
});

export const charterSchema = z.object({
  name: z.string(),
  enabled: z.boolean(),
  cron: z.string(),
  timezone: z.string(),
  nextRunAt: z.nullable(instant),
  scheduleError: z.nullable(z.enum(scheduleErrors)),
  lastRun: z.nullable(lastRunSchema),
  lastSuccessAt: z.nullable(instant),
});

export const failedRunSchema = z.object({
  charter: z.string(),
  runId: z.string(),
  scheduledFor: instant,
  errorCode: z.nullable(z.string()),
  errorMessage: z.nullable(z.string().check(z.maxLength(limits.errorMessageLength))),
});

export const governanceStatusSchema = z.object({
  systemCredits: credits,
  upcomingRuns: z.array(upcomingRunSchema).check(z.maxLength(limits.upcomingRuns)),
  recentRuns: z.array(recentRunSchema).check(z.maxLength(limits.recentRuns)),
  schemaVersion: z.literal(1),
  generatedAt: instant,
  staleAfter: instant,
  status: z.enum(overallStatuses),
  credits: creditsSchema,
  spendByHour: z.array(spendHourSchema).check(z.length(limits.spendHours)),
  charters: z.array(charterSchema),
  failedRuns: z.array(failedRunSchema).check(z.maxLength(limits.failedRuns)),
});

export type GovernanceStatus = z.infer<typeof governanceStatusSchema>;
export type Credits = z.infer<typeof creditsSchema>;
export type Charter = z.infer<typeof charterSchema>;
export type LastRun = z.infer<typeof lastRunSchema>;
export type FailedRun = z.infer<typeof failedRunSchema>;
export type RecentRun = z.infer<typeof recentRunSchema>;
export type UpcomingRun = z.infer<typeof upcomingRunSchema>;
export type SpendHour = z.infer<typeof spendHourSchema>;
export type OverallStatus = (typeof overallStatuses)[number];
export type CreditHealth = (typeof creditHealths)[number];
export type ScheduleError = (typeof scheduleErrors)[number];
export type RunStatus = (typeof runStatuses)[number];
export type FinishedRunStatus = (typeof finishedRunStatuses)[number];

export const snapshotFileName = 'governance-status.json';
export const schemaFileName = 'governance-status.schema.json';
export const badgeFileName = 'governance-badge.json';

/** Checks unknown data against the contract; never throws. */
export function parseGovernanceStatus(data: unknown) {
  return z.safeParse(governanceStatusSchema, data);
}
