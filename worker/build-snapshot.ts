// The use case: read the facts at one instant, apply the contract's rules, validate, publish.
import * as z from 'zod/mini';
import { badgeFileName, governanceStatusSchema, limits, schemaFileName, type Charter, type GovernanceStatus } from '../shared/contract.ts';
import { governanceBadge } from '../shared/badge.ts';
import { governanceStatusJsonSchema } from '../shared/json-schema.ts';
import { summarizeCredits } from '../shared/credits.ts';
import { overallStatus } from '../shared/health.ts';
import { charterDisplayName, nextRunOf } from '../shared/schedule.ts';
import { errorCodeOf, publicErrorMessage, publicScheduleText, publicTitle } from '../shared/redact.ts';
import type { Clock, GovernanceFacts, GovernanceQuery, GovernanceStatusPort, Logger, SnapshotStorePort } from '../shared/ports.ts';

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;

export type SnapshotSettings = {
  principalId: string;
  billingAccountId: string;
  /** generatedAt + staleAfterMs = staleAfter (3 x the interval between two snapshots) */
  staleAfterMs: (now: Date) => number;
};

export type SnapshotDeps = {
  source: GovernanceStatusPort;
  store: SnapshotStorePort;
  clock: Clock;
  logger: Logger;
};

/** The one error type of the worker: a message that says what went wrong, and its cause. */
export class SnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

export function queryFor(now: Date, settings: SnapshotSettings): GovernanceQuery {
  const currentHour = Math.floor(now.getTime() / hourMs) * hourMs;
  return {
    now,
    principalId: settings.principalId,
    billingAccountId: settings.billingAccountId,
    spendFrom: new Date(now.getTime() - dayMs),
    hoursFrom: new Date(currentHour - (limits.spendHours - 1) * hourMs),
    failedFrom: new Date(now.getTime() - dayMs),
    failedLimit: limits.failedRuns,
    threadsLimit: limits.recentRuns,
  };
}

const iso = (date: Date) => date.toISOString();
/** pg hands `infinity` over as Infinity, and years past 9999 do not fit the contract: both become null. */
function instant(value: unknown): string | null {
  if (!(value instanceof Date)) return null;
  const time = value.getTime();
  return Number.isFinite(time) && time >= Date.UTC(0, 0, 1) && time < Date.UTC(10_000, 0, 1) ? value.toISOString() : null;
}
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Pure: facts + the query that produced them → the public snapshot (not yet validated). A row with
 *  an odd value shows what it can (a schedule error, a null time) or is left out; it never fails it. */
export function composeSnapshot(facts: GovernanceFacts, query: GovernanceQuery, staleAfter: Date): GovernanceStatus {
  const { now } = query;
  const credits = summarizeCredits(facts.balanceCredits, facts.spentSinceSpendFrom);

  const spentPerHour = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
  const spendByHour = Array.from({ length: limits.spendHours }, (_, index) => {
    const hourStart = query.hoursFrom.getTime() + index * hourMs;
    return { hourStart: iso(new Date(hourStart)), credits: (spentPerHour.get(hourStart) ?? 0n).toString() };
  });

  const charters: Charter[] = facts.charters
    .map((charter) => {
      const schedule = nextRunOf(charter.cron, charter.timezone, now);
      const lastRunAt = charter.lastRun && instant(charter.lastRun.scheduledFor);
      return {
        name: charterDisplayName(charter.temporalScheduleId),
        enabled: charter.enabled,
        cron: publicScheduleText(charter.cron),
        timezone: publicScheduleText(charter.timezone),
        nextRunAt: charter.enabled ? instant(schedule.nextRunAt) : null,
        scheduleError: schedule.scheduleError,
        lastRun:
          charter.lastRun && lastRunAt
            ? { status: charter.lastRun.status, scheduledFor: lastRunAt, finishedAt: instant(charter.lastRun.finishedAt) }
            : null,
        lastSuccessAt: instant(charter.lastSuccessAt),
      };
    })
    .sort((a, b) => byText(a.name, b.name) || byText(a.cron, b.cron));

  const upcomingRuns = charters
    .flatMap((charter) => (charter.nextRunAt === null ? [] : [{ name: charter.name, nextRunAt: charter.nextRunAt }]))
    .sort((a, b) => byText(a.nextRunAt, b.nextRunAt) || byText(a.name, b.name))
    .slice(0, limits.upcomingRuns);

  const failedRuns = facts.failedRuns
    .flatMap((run) => {
      const scheduledFor = instant(run.scheduledFor);
      return scheduledFor === null ? [] : [{ run, scheduledFor }];
    })
    .sort((a, b) => byText(b.scheduledFor, a.scheduledFor) || byText(a.run.runId, b.run.runId))
    .slice(0, limits.failedRuns)
    .map(({ run, scheduledFor }) => ({
      charter: charterDisplayName(run.temporalScheduleId),
      runId: run.runId,
      scheduledFor,
      errorCode: errorCodeOf(run.errorCode, run.errorMessage),
      errorMessage: publicErrorMessage(run.errorMessage),
    }));

  const recentRuns = facts.threads
    .flatMap((thread) => {
      const startedAt = instant(thread.createdAt);
      const lastActivity = instant(thread.updatedAt);
      if (startedAt === null || lastActivity === null) return [];
      return [{ id: thread.stateKey, title: publicTitle(thread.title), startedAt, lastActivity }];
    })
    .slice(0, limits.recentRuns);

  return {
    systemCredits: credits.balance,
    upcomingRuns,
    recentRuns,
    schemaVersion: 1,
    generatedAt: iso(now),
    staleAfter: iso(staleAfter),
    status: overallStatus(credits.health, charters, now),
    credits,
    spendByHour,
    charters,
    failedRuns,
  };
}

/** Throws a SnapshotError naming every field that breaks the contract; returns the parsed snapshot. */
export function assertSnapshotIsValid(snapshot: unknown): GovernanceStatus {
  const result = z.safeParse(governanceStatusSchema, snapshot);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new SnapshotError(`snapshot breaks the contract: ${problems.join('; ')}`);
}

/** One `now` for the whole snapshot; read in one transaction; validated before anyone sees it. */
export async function buildSnapshot(source: GovernanceStatusPort, settings: SnapshotSettings, now: Date): Promise<GovernanceStatus> {
  const query = queryFor(now, settings);
  const facts = await source.readGovernanceFacts(query);
  const staleAfter = new Date(now.getTime() + settings.staleAfterMs(now));
  return assertSnapshotIsValid(composeSnapshot(facts, query, staleAfter));
}

export function serializeSnapshot(snapshot: GovernanceStatus): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

export type PublishResult = { snapshot: GovernanceStatus; bytes: number };

/** Builds a snapshot and writes it, then the badge; the schema once per process. A failure at any
 *  step throws before or without touching what the store already holds. */
export function createPublisher(deps: SnapshotDeps, settings: SnapshotSettings) {
  let schemaPublished = false;
  return async function publishSnapshot(signal?: AbortSignal): Promise<PublishResult> {
    const snapshot = await buildSnapshot(deps.source, settings, deps.clock());
    signal?.throwIfAborted();
    const body = serializeSnapshot(snapshot);
    await deps.store.put(deps.store.snapshotName, body, signal);
    await deps.store.put(badgeFileName, `${JSON.stringify(governanceBadge(snapshot.status))}\n`, signal);
    if (!schemaPublished) {
      await deps.store.put(schemaFileName, `${JSON.stringify(governanceStatusJsonSchema(), null, 2)}\n`, signal);
      schemaPublished = true;
    }
    return { snapshot, bytes: Buffer.byteLength(body) };
  };
}
