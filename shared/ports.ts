// Ports: what the snapshot use case needs from the world. Adapters (worker/postgres, worker/stores)
// implement them; the use case never sees pg or the AWS SDK.
import type { FinishedRunStatus } from './contract.ts';

export type GovernanceQuery = {
  /** the one `now` of the snapshot: every window below is derived from it, never SQL now() */
  now: Date;
  principalId: string;
  billingAccountId: string;
  /** spend is summed over [spendFrom, now) and bucketed by hour from hoursFrom (hour-aligned) */
  spendFrom: Date;
  hoursFrom: Date;
  /** failed runs: status error, scheduled_for in [failedFrom, now] */
  failedFrom: Date;
  failedLimit: number;
  threadsLimit: number;
};

export type CharterFacts = {
  temporalScheduleId: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  lastRun: { status: FinishedRunStatus; scheduledFor: Date; finishedAt: Date | null } | null;
  lastSuccessAt: Date | null;
};

export type FailedRunFacts = {
  temporalScheduleId: string;
  runId: string;
  scheduledFor: Date;
  errorCode: string | null;
  errorMessage: string | null;
};

export type ThreadFacts = { stateKey: string; title: unknown; createdAt: Date; updatedAt: Date };

/** Everything one snapshot needs, read at one instant (one REPEATABLE READ transaction). */
export type GovernanceFacts = {
  ledger: 'schedule_runs' | 'graph_runs';
  balanceCredits: bigint;
  spentSinceSpendFrom: bigint;
  /** credits per hour bucket since hoursFrom; hours without spend are absent */
  spendByHour: ReadonlyArray<{ hourStart: Date; credits: bigint }>;
  charters: CharterFacts[];
  failedRuns: FailedRunFacts[];
  threads: ThreadFacts[];
};

export interface GovernanceStatusPort {
  readGovernanceFacts(query: GovernanceQuery): Promise<GovernanceFacts>;
}

/** Writes named files next to the snapshot (same folder or key prefix); each write is atomic. */
export interface SnapshotStorePort {
  /** where it writes, for logs (never a secret) */
  readonly description: string;
  /** the snapshot's own file name; the schema and the badge go beside it */
  readonly snapshotName: string;
  put(name: string, body: string, signal?: AbortSignal): Promise<void>;
}

export type Logger = {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
};

export type Clock = () => Date;
