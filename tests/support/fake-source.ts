// An in-memory GovernanceStatusPort for unit tests of the use case: the same windows and semantics
// as the SQL of worker/postgres/queries.ts, over plain arrays. Integration tests use the real one.
import type { RunStatus } from '../../shared/contract.ts';
import {
  slotsBeforeChangeLimit,
  type DatabaseClock,
  type DayUsageRow,
  type EarlierRunFacts,
  type GovernanceFacts,
  type GovernanceQuery,
  type GovernanceStatusPort,
  type HistoryFacts,
  type HistoryQuery,
  type RunFacts,
  type ScheduleFacts,
  type ThreadFacts,
  type TickFacts,
  type TickRequest,
  type UsageDetails,
  type UsageRow,
} from '../../shared/ports.ts';

export type FakeRun = {
  scheduleId: string;
  runId: string;
  status: RunStatus;
  scheduledFor: Date;
  startedAt?: Date | null;
  completedAt?: Date | null;
  errorCode?: string | null;
  errorMessage?: string | null;
};

/** A schedule row; slotsBeforeChange is derived from the runs when read, as the SQL does. */
export type FakeSchedule = Omit<ScheduleFacts, 'slotsBeforeChange'>;

/** A receipt; the optional fields are its run and its llm_charge_details row (none: a receipt without details). */
export type FakeReceipt = {
  at: Date;
  credits: bigint;
  /** its run_id; any receipt has one (a manual adjustment its own): 'no-run' when not given */
  runId?: string;
  usdNanos?: bigint;
  details?: { model: string; agent: string; tokensIn?: number; tokensOut?: number };
};

export type FakeData = {
  balance: bigint;
  receipts: FakeReceipt[];
  /** whether llm_charge_details can be read (default: available) */
  usageDetails?: UsageDetails;
  schedules: FakeSchedule[];
  runs: FakeRun[];
  threads: ThreadFacts[];
};

const hourMs = 3_600_000;
const bareCode = /^\s*([a-z][a-z0-9_]{2,63})\s*$/;

function toFacts(run: FakeRun, withMessage: boolean): RunFacts {
  return {
    scheduleId: run.scheduleId,
    runId: run.runId,
    status: run.status,
    scheduledFor: run.scheduledFor,
    startedAt: run.startedAt ?? null,
    completedAt: run.completedAt ?? null,
    errorCode: run.errorCode ?? null,
    messageCode: run.errorMessage ? (bareCode.exec(run.errorMessage)?.[1] ?? null) : null,
    errorMessage: withMessage ? (run.errorMessage?.split('\n')[0] ?? null) : null,
  };
}

/** Receipts grouped as worker/postgres/usage-queries.ts groups them, by the key `keyOf` gives. */
function usageGroups<K extends object>(receipts: FakeReceipt[], details: boolean, keyOf: (receipt: FakeReceipt) => K) {
  const groups = new Map<string, K & Omit<UsageRow, 'runId' | 'model' | 'agent'>>();
  for (const receipt of receipts) {
    const key = keyOf(receipt);
    const id = Object.values(key).map((value) => (value === null ? "\u0001" : value instanceof Date ? value.getTime() : String(value))).join("\u0000");
    const group = groups.get(id) ?? { ...key, credits: 0n, requests: 0, tokensIn: 0n, tokensOut: 0n, usdNanos: null, usdRequests: 0 };
    group.credits += receipt.credits;
    group.requests += 1;
    if (details && receipt.details) {
      group.tokensIn += BigInt(receipt.details.tokensIn ?? 0);
      group.tokensOut += BigInt(receipt.details.tokensOut ?? 0);
    }
    if (receipt.usdNanos !== undefined) {
      group.usdNanos = (group.usdNanos ?? 0n) + receipt.usdNanos;
      group.usdRequests += 1;
    }
    groups.set(id, group);
  }
  return [...groups.values()];
}

const byTime = (a: FakeRun, b: FakeRun) => a.scheduledFor.getTime() - b.scheduledFor.getTime() || a.scheduleId.localeCompare(b.scheduleId);

function schedulesOf(data: FakeData): ScheduleFacts[] {
  return data.schedules.map((row) => ({
    ...row,
    slotsBeforeChange:
      row.updatedAt === null
        ? []
        : data.runs
            .filter((run) => run.scheduleId === row.scheduleId && run.scheduledFor < row.updatedAt!)
            .map((run) => run.scheduledFor)
            .sort((a, b) => b.getTime() - a.getTime())
            .slice(0, slotsBeforeChangeLimit),
  }));
}

/** Per charter, what its rows before `before` say, as the SQL's probes answer it. */
function earlierRuns(data: FakeData, before: Date, withSuccess: boolean): EarlierRunFacts[] {
  return data.schedules.map((schedule) => {
    const runs = data.runs.filter((run) => run.scheduleId === schedule.scheduleId && run.scheduledFor < before).sort(byTime);
    const last = (test: (run: FakeRun) => boolean) => runs.filter(test).at(-1);
    const finished = last((run) => run.status !== 'pending' && run.status !== 'running');
    const success = withSuccess ? last((run) => run.status === 'success') : undefined;
    return {
      scheduleId: schedule.scheduleId,
      firstRunAt: runs[0]?.scheduledFor ?? null,
      lastFinished: finished ? toFacts(finished, false) : null,
      lastSuccess: success ? toFacts(success, false) : null,
    };
  });
}

/** The fake database's clock: by default it agrees with the worker's; a test may skew it, or make it a replica behind its primary. */
export type FakeClock = (workerNow: Date) => { now: Date; dataAsOf?: Date; replica?: boolean; lsn?: bigint };

/** `data` is read on every call, so a test may change it between ticks. */
export function createFakeSource(data: FakeData, options: { clock?: FakeClock } = {}): GovernanceStatusPort & { calls: string[]; readGovernanceFacts(q: GovernanceQuery): Promise<GovernanceFacts> } {
  const calls: string[] = [];
  const clockAt = (workerNow: Date): DatabaseClock => {
    const told = options.clock?.(workerNow) ?? { now: workerNow };
    return { now: told.now, dataAsOf: told.dataAsOf ?? told.now, replica: told.replica ?? told.dataAsOf !== undefined, lsn: told.lsn ?? null };
  };
  const details = () => data.usageDetails ?? 'available';
  const receiptsIn = (from: Date, to: Date) => data.receipts.filter((receipt) => receipt.at >= from && receipt.at < to);
  const usageOf = (ranges: NonNullable<GovernanceQuery['usageRanges']>): GovernanceFacts['usage'] => {
    const withDetails = details() === 'available';
    return {
      details: details(),
      rows: usageGroups(ranges.flatMap((range) => receiptsIn(range.from, range.to)), withDetails, (receipt) => ({
        minute: new Date(Math.floor(receipt.at.getTime() / 60_000) * 60_000),
        runId: receipt.runId ?? 'no-run',
        model: withDetails ? (receipt.details?.model ?? null) : null,
        agent: withDetails ? (receipt.details?.agent ?? null) : null,
      })),
    };
  };
  const dayUsage = (q: HistoryQuery): HistoryFacts['usageByDay'] => {
    const withDetails = details() === 'available';
    const rows: DayUsageRow[] = usageGroups(receiptsIn(q.from, q.to), withDetails, (receipt) => ({
      day: receipt.at.toISOString().slice(0, 10),
      runId: receipt.runId ?? 'no-run',
      model: withDetails ? (receipt.details?.model ?? null) : null,
    }));
    return { details: details(), rows };
  };
  const charterIds = () => new Set(data.schedules.map((schedule) => schedule.scheduleId));
  const source = {
    calls,
    async readTick(request: TickRequest): Promise<TickFacts> {
      const clock = clockAt(request.workerNow);
      const query = request.plan(clock);
      return { ...(await source.readGovernanceFacts(query)), clock, query };
    },
    async readClock({ workerNow }: { workerNow: Date }): Promise<DatabaseClock> {
      return clockAt(workerNow);
    },
    /** the tick's read with a fixed query (what readTick does once the clock has planned it) */
    async readGovernanceFacts(q: GovernanceQuery): Promise<GovernanceFacts> {
      calls.push('facts');
      const ids = charterIds();
      const inWindow = data.runs
        .filter((run) => ids.has(run.scheduleId) && run.scheduledFor >= q.runsFrom && run.scheduledFor <= q.now)
        .sort(byTime);
      const withMessage = new Set(
        inWindow
          .filter((run) => run.status === 'error' && run.scheduledFor >= q.failedFrom)
          .sort((a, b) => b.scheduledFor.getTime() - a.scheduledFor.getTime() || a.runId.localeCompare(b.runId))
          .slice(0, q.failedLimit),
      );
      const hours = new Map<number, bigint>();
      let total = 0n;
      for (const receipt of data.receipts) {
        if (receipt.at < q.spendHoursFrom || receipt.at >= q.now) continue;
        if (receipt.at >= q.spendFrom) total += receipt.credits;
        const hour = Math.floor((receipt.at.getTime() - q.hoursFrom.getTime()) / hourMs);
        hours.set(hour, (hours.get(hour) ?? 0n) + receipt.credits);
      }
      return {
        ledger: 'graph_runs',
        balanceCredits: data.balance,
        spentSinceSpendFrom: total,
        spendByHour: [...hours].map(([hour, credits]) => ({ hourStart: new Date(q.hoursFrom.getTime() + hour * hourMs), credits })),
        schedules: schedulesOf(data),
        runs: inWindow.map((run) => toFacts(run, withMessage.has(run))),
        earlier: earlierRuns(data, q.windowStart, false),
        threads: data.threads.filter((thread) => thread.updatedAt <= q.now).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime()).slice(0, q.threadsLimit),
        usage: usageOf(q.usageRanges ?? [{ from: q.spendFrom, to: q.now }]),
      };
    },
    async readEarlierRuns({ before }: { before: Date }): Promise<EarlierRunFacts[]> {
      calls.push('earlier');
      return earlierRuns(data, before, true);
    },
    async readHistory(q: HistoryQuery): Promise<HistoryFacts> {
      calls.push(`history ${q.from.toISOString().slice(0, 10)}`);
      const ids = charterIds();
      const spend = new Map<string, bigint>();
      for (const receipt of data.receipts) {
        if (receipt.at < q.from || receipt.at >= q.to) continue;
        const day = receipt.at.toISOString().slice(0, 10);
        spend.set(day, (spend.get(day) ?? 0n) + receipt.credits);
      }
      const runs = data.runs.filter((run) => ids.has(run.scheduleId) && run.scheduledFor >= q.from && run.scheduledFor < q.to).sort(byTime);
      return {
        schedules: schedulesOf(data),
        runs: runs.map((run) => toFacts(run, false)),
        spendByDay: [...spend].map(([day, credits]) => ({ day, credits })),
        usageByDay: dayUsage(q),
      };
    },
    async readDayUsage(q: HistoryQuery): Promise<HistoryFacts['usageByDay']> {
      calls.push(`usage ${q.from.toISOString().slice(0, 10)}`);
      return dayUsage(q);
    },
  };
  return source;
}

/** A charter's schedule row as the database would hold it. */
export function schedule(id: string, cron: string, timezone = 'UTC', extra: Partial<FakeSchedule> = {}): FakeSchedule {
  return { scheduleId: `schedule-${id}`, temporalScheduleId: `governance:${id}`, cron, timezone, enabled: true, updatedAt: null, lastRunAt: null, ...extra };
}
