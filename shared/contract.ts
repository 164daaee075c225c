// The public contract of governance-status.json, schemaVersion 1: the one definition that the
// worker validates with, the site checks with, and the published JSON Schema is generated from.
// Written with zod/mini so the page's island can carry it without the full Zod runtime.
import * as z from 'zod/mini';
import {
  charterStates,
  creditHealths,
  finishedRunStatuses,
  incidentKinds,
  incidentResolutions,
  limits,
  overallStatuses,
  reasonCodes,
  runStatuses,
  scheduleErrors,
  severities,
  statusIncidentCodes,
} from './constants.ts';

import { dayUsageSchema, forecastChartersSchema, usageSchema } from './usage-contract.ts';

export * from './constants.ts';

/** ISO-8601 UTC with milliseconds: 2026-11-21T12:00:00.000Z */
export const instant = z.iso.datetime({ precision: 3 });
/** A bigint credit amount as an integer string: it never passes through a JS number. */
export const credits = z.string().check(z.regex(/^-?(0|[1-9][0-9]*)$/));
export const count = z.int().check(z.gte(0));
export const text = (max: number) => z.string().check(z.maxLength(max));
/** An absolute http(s) URL: the page puts it into a link, so no other scheme may pass. */
const httpUrl = z.string().check(z.maxLength(limits.urlLength), z.regex(/^https?:\/\/[^\s"<>]+$/));

/**
 * Fields added to schemaVersion 1 after its first release are required in what this worker writes,
 * and optional for readers: a page deployed before its worker still renders the older file.
 */
type Mode = 'writer' | 'reader';
type Added<M extends Mode, T extends z.ZodMiniType> = M extends 'reader' ? z.ZodMiniOptional<T> : T;

function added<M extends Mode, T extends z.ZodMiniType>(mode: M, schema: T): Added<M, T> {
  return (mode === 'reader' ? z.optional(schema) : schema) as Added<M, T>;
}

/** The runs the snapshot lists: coming, recent (by thread), failed and missed, and a charter's last and last 24 hours. */
function runSchemas<M extends Mode>(mode: M) {
  const upcomingRun = z.object({ name: z.string(), nextRunAt: instant });
  const recentRun = z.object({
    id: z.string(),
    title: z.nullable(text(limits.titleLength)),
    startedAt: instant,
    lastActivity: instant,
    /** the status of the thread's latest run, and its charter; null where the ledger cannot say (schedule_runs) */
    outcome: added(mode, z.nullable(z.enum(runStatuses))),
    charterId: added(mode, z.nullable(text(limits.idLength))),
  });
  const lastRun = z.object({
    runId: added(mode, text(limits.idLength)),
    status: z.enum(finishedRunStatuses),
    scheduledFor: instant,
    startedAt: added(mode, z.nullable(instant)),
    finishedAt: z.nullable(instant),
  });
  const runs24h = z.object({ expected: count, succeeded: count, failed: count, skipped: count, missed: count, running: count });
  const failedRun = z.object({
    charter: z.string(),
    charterId: added(mode, text(limits.idLength)),
    runId: z.string(),
    scheduledFor: instant,
    errorCode: z.nullable(z.string()),
    errorMessage: z.nullable(text(limits.errorMessageLength)),
  });
  const missedRun = z.object({ charter: text(limits.nameLength), charterId: text(limits.idLength), expectedAt: instant });
  return { upcomingRun, recentRun, lastRun, runs24h, failedRun, missedRun };
}

function charterSchema<M extends Mode>(mode: M, { lastRun, runs24h }: Pick<ReturnType<typeof runSchemas<M>>, 'lastRun' | 'runs24h'>) {
  return z.object({
    id: added(mode, text(limits.idLength)),
    name: z.string(),
    enabled: z.boolean(),
    cron: z.string(),
    timezone: z.string(),
    scheduleText: added(mode, text(limits.scheduleTextLength)),
    nextRunAt: z.nullable(instant),
    scheduleError: z.nullable(z.enum(scheduleErrors)),
    state: added(mode, z.enum(charterStates)),
    stateSince: added(mode, z.nullable(instant)),
    lastRun: z.nullable(lastRun),
    lastSuccessAt: z.nullable(instant),
    runs24h: added(mode, runs24h),
  });
}

/** What the worker concludes: the credits' health, the reasons for the status, the forecast, and the rules it judged by. */
function judgementSchemas<M extends Mode>(mode: M) {
  const creditsSummary = z.object({
    balance: credits,
    balanceUsd: z.string().check(z.regex(/^-?[0-9]+\.[0-9]{2}$/)),
    spentLast24h: credits,
    burnPerHour: credits,
    runwayHours: z.nullable(z.number().check(z.gte(0))),
    health: z.enum(creditHealths),
  });
  const reason = z.object({
    code: z.enum(reasonCodes),
    severity: z.enum(severities),
    charterId: z.nullable(text(limits.idLength)),
    since: z.nullable(instant),
    text: text(limits.reasonTextLength),
  });
  const forecast = z.object({
    creditsPerRun: z.nullable(credits),
    fundedRuns: z.nullable(credits),
    fundedUntil: z.nullable(instant),
    firstUnfundedRun: z.nullable(z.object({ charterId: text(limits.idLength), at: instant })),
    /** what each enabled charter's run was taken to cost, and on what basis */
    charters: added(mode, forecastChartersSchema),
  });
  const rules = z.object({
    runwayRedHours: z.number(),
    runwayYellowHours: z.number(),
    graceSeconds: count,
    stuckAfterSeconds: count,
    recoveringSeconds: count,
    creditsPerUsd: count,
    /** a streak of expected runs that did not succeed is an incident from this many runs, or once it lasts longer than incidentAfterSeconds */
    incidentAfterRuns: added(mode, count),
    incidentAfterSeconds: added(mode, count),
  });
  return { creditsSummary, reason, forecast, rules };
}

function statusSchemas<M extends Mode>(mode: M) {
  const runs = runSchemas(mode);
  const charter = charterSchema(mode, runs);
  const { creditsSummary, reason, forecast, rules } = judgementSchemas(mode);
  const status = z.object({
    systemCredits: credits,
    upcomingRuns: z.array(runs.upcomingRun).check(z.maxLength(limits.upcomingRuns)),
    recentRuns: z.array(runs.recentRun).check(z.maxLength(limits.recentRuns)),
    schemaVersion: z.literal(1),
    generatedAt: instant,
    staleAfter: instant,
    /** how recent the data is: generatedAt on a primary; on a hot standby its last replayed transaction */
    dataAsOf: added(mode, instant),
    status: z.enum(overallStatuses),
    reasons: added(mode, z.array(reason)),
    credits: creditsSummary,
    forecast: added(mode, forecast),
    spendByHour: z.array(z.object({ hourStart: instant, credits })).check(z.length(limits.spendHours)),
    charters: z.array(charter).check(z.maxLength(limits.charters)),
    chartersTotal: added(mode, count),
    failedRuns: z.array(runs.failedRun).check(z.maxLength(limits.failedRuns)),
    failedRunsTotal: added(mode, count),
    missedRuns: added(mode, z.array(runs.missedRun).check(z.maxLength(limits.missedRuns))),
    missedRunsTotal: added(mode, count),
    openIncidents: added(mode, z.array(z.string()).check(z.maxLength(limits.openIncidents))),
    /** side files this snapshot refers to that could not be written: each is behind since `since` */
    filesBehind: added(mode, z.array(z.object({ name: text(limits.idLength), since: instant })).check(z.maxLength(20))),
    rules: added(mode, rules),
    /** what the last 24 hours' spend bought, by charter, model and agent, or why that is unknown */
    usage: added(mode, usageSchema),
    /** absolute URLs of the two incident feeds, or null when the worker publishes none (no STATUS_PAGE_URL) */
    feeds: added(mode, z.nullable(z.object({ atom: httpUrl, json: httpUrl }))),
  });
  return { status, charter, ...runs, creditsSummary, reason, forecast, rules };
}

const writer = statusSchemas('writer');
/** What this worker writes: every field of schemaVersion 1 present. */
export const governanceStatusSchema = writer.status;
/** What a reader accepts: any schemaVersion 1 file, including one from before the fields were added. */
export const governanceStatusReaderSchema = statusSchemas('reader').status;

export type GovernanceStatus = z.infer<typeof governanceStatusSchema>;
/** A schemaVersion 1 file as a reader may find it: fields added later may be absent. */
export type PublishedStatus = z.infer<typeof governanceStatusReaderSchema>;
export type Credits = z.infer<typeof writer.creditsSummary>;
export type Charter = z.infer<typeof writer.charter>;
export type LastRun = z.infer<typeof writer.lastRun>;
export type Runs24h = z.infer<typeof writer.runs24h>;
export type FailedRun = z.infer<typeof writer.failedRun>;
export type MissedRun = z.infer<typeof writer.missedRun>;
export type Reason = z.infer<typeof writer.reason>;
/** The forecast's own figures; the snapshot adds `charters`, the basis of each charter's cost. */
export type Forecast = Omit<z.infer<typeof writer.forecast>, 'charters'>;
export type Rules = z.infer<typeof writer.rules>;
export type RecentRun = z.infer<typeof writer.recentRun>;
export type UpcomingRun = z.infer<typeof writer.upcomingRun>;
export type SpendHour = GovernanceStatus['spendByHour'][number];
export type OverallStatus = (typeof overallStatuses)[number];
export type CreditHealth = (typeof creditHealths)[number];
export type ScheduleError = (typeof scheduleErrors)[number];
export type RunStatus = (typeof runStatuses)[number];
export type FinishedRunStatus = (typeof finishedRunStatuses)[number];
export type CharterState = (typeof charterStates)[number];
export type Severity = (typeof severities)[number];
export type ReasonCode = (typeof reasonCodes)[number];
export type IncidentKind = (typeof incidentKinds)[number];
export type IncidentResolution = (typeof incidentResolutions)[number];
export type StatusIncidentCode = (typeof statusIncidentCodes)[number];

// governance-history.json, schemaVersion 1: the last 90 UTC days and the incidents derived from the ledger.
export const dayCountsSchema = z.object({ expected: count, succeeded: count, failed: count, skipped: count, missed: count });
export const incidentSchema = z.object({
  id: text(2 * limits.idLength),
  charterId: text(limits.idLength),
  kind: z.enum(incidentKinds),
  startedAt: instant,
  resolvedAt: z.nullable(instant),
  runs: count,
  errorCodes: z.array(text(limits.errorCodeLength)).check(z.maxLength(limits.incidentErrorCodes)),
});
/**
 * The history's incident: `resolution` says how it ended when no success of its charter ended it:
 * `charter_removed`, its schedule row deleted or no longer a governance charter. Absent: its charter
 * succeeded again (every file before this field). Added after the first release; archived days,
 * written once, keep the incident's first shape.
 */
export const historyIncidentSchema = z.extend(incidentSchema, { resolution: z.optional(z.enum(incidentResolutions)) });
/** An incident of the whole system (credits ran out, no charter works), opened and resolved as the worker saw it. */
export const statusIncidentSchema = z.object({
  id: text(2 * limits.idLength),
  code: z.enum(statusIncidentCodes),
  startedAt: instant,
  resolvedAt: z.nullable(instant),
});
/**
 * A UTC day that exists (2026-11-21; not 2026-13-45 nor 2026-02-30): Zod's date format, so the published
 * JSON Schema says `format: date` with its pattern. Readers without Zod check it with isUtcDate
 * (shared/archive-files.ts); unit tests hold the two to the same verdicts.
 */
export const utcDate = z.iso.date();
export const governanceHistorySchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: instant,
  from: utcDate,
  to: utcDate,
  charters: z.array(z.object({ id: text(limits.idLength), name: text(limits.nameLength) })).check(z.maxLength(limits.historyCharters)),
  /** how many charters exist; more than `charters` lists when the file had to leave some out to stay within its bound */
  chartersTotal: z.optional(count),
  /** oldest first; a charter absent from a day's map has no data that day (before its first recorded run) */
  days: z
    .array(
      z.object({
        date: utcDate,
        spent: credits,
        charters: z.record(z.string(), dayCountsSchema),
        /** what the day's spend bought (closed days); null when the details were unreadable */
        usage: z.optional(z.nullable(dayUsageSchema)),
      }),
    )
    .check(z.maxLength(limits.historyDays)),
  /** newest first */
  incidents: z.array(historyIncidentSchema).check(z.maxLength(limits.historyIncidents)),
  /** newest first; added after the first release (a file without it had none) */
  statusIncidents: z.optional(z.array(statusIncidentSchema).check(z.maxLength(limits.historyStatusIncidents))),
});

export type GovernanceHistory = z.infer<typeof governanceHistorySchema>;
export type HistoryDay = GovernanceHistory['days'][number];
export type DayCounts = z.infer<typeof dayCountsSchema>;
export type Incident = z.infer<typeof historyIncidentSchema>;
export type StatusIncident = z.infer<typeof statusIncidentSchema>;

/** Checks unknown data against what a reader accepts (any schemaVersion 1 file); never throws. */
export function parseGovernanceStatus(data: unknown) {
  return z.safeParse(governanceStatusReaderSchema, data);
}

export function parseGovernanceHistory(data: unknown) {
  return z.safeParse(governanceHistorySchema, data);
}
