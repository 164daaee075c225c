// The use case: read the facts at one instant, apply the contract's rules, validate, publish.
import * as z from 'zod/mini';
import { badgeFileName, governanceStatusSchema, limits, schemaFileName, type Charter, type GovernanceStatus } from '../shared/contract.ts';
import { governanceBadge } from '../shared/badge.ts';
import { governanceStatusJsonSchema } from '../shared/json-schema.ts';
import { summarizeCredits } from '../shared/credits.ts';
import { overallStatus } from '../shared/health.ts';
import { charterDisplayName, nextRunOf } from '../shared/schedule.ts';
import { errorCodeOf, publicErrorMessage, publicTitle } from '../shared/redact.ts';
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
const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

/** Pure: facts + the query that produced them → the public snapshot (not yet validated). */
export function composeSnapshot(facts: GovernanceFacts, query: GovernanceQuery, staleAfter: Date): GovernanceStatus {
  const { now } = query;
  const credits = summarizeCredits(facts.balanceCredits, facts.spentSinceSpendFrom);

  const spentPerHour = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
  const spendByHour = Array.from({ length: limits.spendHours }, (_, index) => {
    const hourStart = query.hoursFrom.getTime() + index * hourMs;
    return { hourStart: iso(new Date(hourStart)), credits: (spentPerHour.get(hourStart) ?? 0n).toString() };
  });

  const names = new Map(facts.charters.map((charter) => [charter.temporalScheduleId, charterDisplayName(charter.temporalScheduleId)]));
  const charters: Charter[] = facts.charters
    .map((charter) => {
      const schedule = nextRunOf(charter.cron, charter.timezone, now);
      return {
        name: names.get(charter.temporalScheduleId) ?? charter.temporalScheduleId,
        enabled: charter.enabled,
        cron: charter.cron,
        timezone: charter.timezone,
        nextRunAt: charter.enabled ? isoOrNull(schedule.nextRunAt) : null,
        scheduleError: schedule.scheduleError,
        lastRun: charter.lastRun && {
          status: charter.lastRun.status,
          scheduledFor: iso(charter.lastRun.scheduledFor),
          finishedAt: isoOrNull(charter.lastRun.finishedAt),
        },
        lastSuccessAt: isoOrNull(charter.lastSuccessAt),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const upcomingRuns = charters
    .flatMap((charter) => (charter.nextRunAt === null ? [] : [{ name: charter.name, nextRunAt: charter.nextRunAt }]))
    .sort((a, b) => Date.parse(a.nextRunAt) - Date.parse(b.nextRunAt) || (a.name < b.name ? -1 : 1))
    .slice(0, limits.upcomingRuns);

  const failedRuns = [...facts.failedRuns]
    .sort((a, b) => b.scheduledFor.getTime() - a.scheduledFor.getTime() || (a.runId < b.runId ? -1 : 1))
    .slice(0, limits.failedRuns)
    .map((run) => ({
      charter: names.get(run.temporalScheduleId) ?? charterDisplayName(run.temporalScheduleId),
      runId: run.runId,
      scheduledFor: iso(run.scheduledFor),
      errorCode: errorCodeOf(run.errorCode, run.errorMessage),
      errorMessage: publicErrorMessage(run.errorMessage),
    }));

  const recentRuns = facts.threads.slice(0, limits.recentRuns).map((thread) => ({
    id: thread.stateKey,
    title: publicTitle(thread.title),
    startedAt: iso(thread.createdAt),
    lastActivity: iso(thread.updatedAt),
  }));

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
