// Ports: what the snapshot use case needs from the world. Adapters (worker/postgres, worker/stores)
// implement them; the use case never sees pg or the AWS SDK. Text fields are raw database values:
// the use case cleans every one of them before it reaches a public file (shared/redact.ts).
import type { RunStatus } from './contract.ts';

export type GovernanceQuery = {
  /** the one `now` of the snapshot: every window below is derived from it, never SQL now() */
  now: Date;
  principalId: string;
  billingAccountId: string;
  /** spend is summed over [spendFrom, now) and bucketed by hour, hours numbered from hoursFrom
   *  (hour-aligned); buckets start at spendHoursFrom (hour-aligned, at most hoursFrom - 1 h) */
  spendFrom: Date;
  hoursFrom: Date;
  spendHoursFrom: Date;
  /** the window of runs: scheduled_for in [runsFrom, now], every charter */
  runsFrom: Date;
  /** now - 24 h: each charter's first run and its latest finished run before this are read too */
  windowStart: Date;
  /** runs with status error scheduled at or after failedFrom carry their message, the newest `failedLimit` */
  failedFrom: Date;
  failedLimit: number;
  threadsLimit: number;
  /** the receipts whose usage is read, disjoint ranges of created_at; default [spendFrom, now) (worker/usage-memory.ts) */
  usageRanges?: ReadonlyArray<{ from: Date; to: Date }>;
};

/** A governance charter: a schedule of the system principal with a temporal_schedule_id. */
export type ScheduleFacts = {
  scheduleId: string;
  temporalScheduleId: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  updatedAt: Date | null;
  lastRunAt: Date | null;
  /**
   * The slots (scheduled_for) of its latest runs before updated_at, at most slotsBeforeChangeLimit,
   * newest first: whether the runs before that change followed the current cron (shared/schedule-change.ts).
   */
  slotsBeforeChange: Date[];
};

export const slotsBeforeChangeLimit = 6;

export type RunFacts = {
  scheduleId: string;
  runId: string;
  status: RunStatus;
  scheduledFor: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  /** the error_code column (generation 2 ledgers), raw */
  errorCode: string | null;
  /** the whole error_message when it is a bare code (`insufficient_credits`), else null */
  messageCode: string | null;
  /** the message's first line, only for the newest failed runs of the query (else null) */
  errorMessage: string | null;
};

/** A thread of the system account; on the graph_runs ledger with its latest run's status and schedule (else null). */
export type ThreadFacts = { stateKey: string; title: unknown; createdAt: Date; updatedAt: Date; runStatus: string | null; scheduleId: string | null };

/** Everything one snapshot needs, read at one instant (one REPEATABLE READ transaction). */
export type GovernanceFacts = {
  ledger: 'schedule_runs' | 'graph_runs';
  balanceCredits: bigint;
  spentSinceSpendFrom: bigint;
  /** credits per hour bucket since spendHoursFrom; hours without spend are absent */
  spendByHour: ReadonlyArray<{ hourStart: Date; credits: bigint }>;
  schedules: ScheduleFacts[];
  /** every charter's runs in the window, ascending by scheduled_for */
  runs: RunFacts[];
  /** per charter, its rows before windowStart: the first run and the latest finished run (lastSuccess is null: not read per tick) */
  earlier: EarlierRunFacts[];
  threads: ThreadFacts[];
  /** the system account's receipts of query.usageRanges (default [spendFrom, now)), by minute, run and model */
  usage: UsageFacts;
};

/**
 * Whether llm_charge_details (model, tokens, agent of each LLM charge) could be read: the table may
 * be missing (an older application) or not granted to the worker's role. Without it, receipts are
 * still read (credits, requests, USD) but carry no model.
 */
export type UsageDetails = 'available' | 'no_table' | 'no_permission';

/** Sums over a group of receipts. Tokens are those of the receipts' details (0 where unknown). */
export type UsageFigures = {
  credits: bigint;
  requests: number;
  tokensIn: bigint;
  tokensOut: bigint;
  /** sum of response_cost_usd in nano-dollars (1e-9 USD), over the receipts that carry it; null when none does */
  usdNanos: bigint | null;
  /** how many of the receipts carry response_cost_usd */
  usdRequests: number;
};

/**
 * One group of the window's receipts, raw text: its run_id (a ledger run's, or any other: manual
 * adjustments and promos have their own), model and agent (llm_charge_details.graph_id), the last
 * two null for receipts without details.
 */
export type UsageRow = UsageFigures & { runId: string; model: string | null; agent: string | null };

/** A UsageRow of the receipts of one minute (created_at truncated to the minute). */
export type MinuteUsageRow = UsageRow & { minute: Date };

export type UsageFacts = { details: UsageDetails; rows: MinuteUsageRow[] };

/** One UTC day's receipts of one run_id and model. */
export type DayUsageRow = UsageFigures & { day: string; runId: string; model: string | null };

/** What a charter's rows older than `before` say. */
export type EarlierRunFacts = {
  scheduleId: string;
  firstRunAt: Date | null;
  /** the latest run before `before` no longer pending or running */
  lastFinished: RunFacts | null;
  /** the latest success before `before`: it walks back through a failure streak, so it is read only when the worker starts or leads anew */
  lastSuccess: RunFacts | null;
};

/** One stretch of the system's history: its charters' runs and its spend per UTC day. */
export type HistoryFacts = {
  schedules: ScheduleFacts[];
  runs: RunFacts[];
  spendByDay: ReadonlyArray<{ day: string; credits: bigint }>;
  /** receipts with created_at in [from, to) by UTC day, run_id and model */
  usageByDay: { details: UsageDetails; rows: DayUsageRow[] };
};

export type HistoryQuery = { principalId: string; billingAccountId: string; from: Date; to: Date };

/**
 * The database's own clock at the start of a read: the tick's `now` is the transaction's timestamp,
 * never the worker's clock. `dataAsOf`: how recent its data is (shared/clock.ts dataAsOfMs): `now` on
 * a primary, or on a hot standby streaming from its primary with nothing left to replay; otherwise the
 * primary's time of the last transaction the standby has replayed.
 */
export type DatabaseClock = {
  now: Date;
  dataAsOf: Date;
  replica: boolean;
  /** the WAL position the data was read at (a standby's replay, a primary's insert), when known */
  lsn?: bigint | null;
};

/** A tick's read: the database's clock decides its windows. */
export type TickRequest = {
  principalId: string;
  /** the worker's clock when it asked: the database's decides; a fake database may take this one as its own */
  workerNow: Date;
  /** the tick's query from the database's clock (a test may return a fixed one) */
  plan: (clock: DatabaseClock) => GovernanceQuery;
};

export type TickFacts = GovernanceFacts & { clock: DatabaseClock; query: GovernanceQuery };

export interface GovernanceStatusPort {
  /** Everything one tick needs, in one transaction, at the database's own instant. */
  readTick(request: TickRequest): Promise<TickFacts>;
  /** The database's clock alone (before a rebuild, which must know what day it is). */
  readClock(request: Pick<TickRequest, 'principalId' | 'workerNow'>): Promise<DatabaseClock>;
  /** per charter, the facts of its runs with scheduled_for < before, lastSuccess included */
  readEarlierRuns(query: { principalId: string; before: Date }): Promise<EarlierRunFacts[]>;
  /** runs with scheduled_for in [from, to), spend and usage with created_at in [from, to), by UTC day */
  readHistory(query: HistoryQuery): Promise<HistoryFacts>;
  /** HistoryFacts' usage alone: what a day that closed on a tick spent its credits on (its runs are the tick's) */
  readDayUsage(query: HistoryQuery): Promise<HistoryFacts['usageByDay']>;
}

/** Writes named files next to the snapshot (same folder or key prefix); each write is atomic. */
export interface SnapshotStorePort {
  /** where it writes, for logs (never a secret) */
  readonly description: string;
  /** the snapshot's own file name; the schema, badges, history and feeds go beside it */
  readonly snapshotName: string;
  put(name: string, body: string, signal?: AbortSignal): Promise<void>;
  /** the MD5 (hex) of what is stored under `name`, or null when nothing is: side files are rewritten
   *  only when missing or changed */
  contentHash(name: string, signal?: AbortSignal): Promise<string | null>;
  /** what is stored under `name`, or null when nothing is: a standby reads the published snapshot's
   *  staleAfter with it, to tell whether anyone still publishes */
  get(name: string, signal?: AbortSignal): Promise<string | null>;
  /**
   * Writes `name` only if nothing is stored under it, and never replaces what is: 'created', or
   * 'exists' when the name was already taken (earlier, or by a writer racing this one). A reader
   * never sees half a file. `name` may hold a folder (`governance-archive/2026-11-03.json`). A
   * store that does not honour the condition (an S3-compatible store that ignores If-None-Match)
   * answers 'created' regardless: callers that depend on it read back and compare.
   */
  create(name: string, body: string, signal?: AbortSignal): Promise<'created' | 'exists'>;
  /** what is stored under `name` with a tag that changes with every write (an ETag, a content hash), or null */
  read(name: string, signal?: AbortSignal): Promise<{ body: string; tag: string } | null>;
  /**
   * Compare and swap: writes `name` only while it still holds what `expectedTag` was read from (or,
   * with null, nothing): 'written', or 'changed' when another writer came between. A snapshot never
   * replaces one it has not seen (S3: If-Match / If-None-Match; a folder: a lock file of its own).
   */
  replace(name: string, body: string, expectedTag: string | null, signal?: AbortSignal): Promise<'written' | 'changed'>;
}

export type Logger = {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
};

export type Clock = () => Date;

/** A port call's signal: the caller's, and a bound of its own of `ms` (at least 1 ms), whichever ends first. */
export const withinMs = (signal: AbortSignal | undefined, ms: number): AbortSignal => AbortSignal.any([...(signal ? [signal] : []), AbortSignal.timeout(Math.max(1, Math.floor(ms)))]);
