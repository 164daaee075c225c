// Judge: the tick's schedule rows and runs become one charter each, every string cleaned
// (shared/redact.ts) and every charter judged against its own schedule (shared/charter-state.ts).
// A row with an odd value shows what it can (a schedule error, a null time) and never fails the tick.
// The fires and due rules come from the worker's memory, which caches what is costly to compute.
import { judgeCharter, type CharterJudgement, type EarlierFacts, type RunRecord, type StateRules } from '../shared/charter-state.ts';
import { limits, type Charter } from '../shared/contract.ts';
import { errorCodeOf, publicErrorMessage, publicText } from '../shared/redact.ts';
import { charterName, describeCron, fireAfter, nextRunOf, scheduleErrorOf } from '../shared/schedule.ts';
import { dueFires, type DueRule } from '../shared/schedule-change.ts';
import type { EarlierRunFacts, RunFacts, ScheduleFacts } from '../shared/ports.ts';

const dayMs = 24 * 60 * 60 * 1000;

/** pg hands `infinity` over as Infinity, and years past 9999 do not fit the contract: both become null. */
export function instantMs(value: Date | null | undefined): number | null {
  if (!(value instanceof Date)) return null;
  const time = value.getTime();
  return Number.isFinite(time) && time >= Date.UTC(0, 0, 1) && time < Date.UTC(10_000, 0, 1) ? time : null;
}

/** A ledger row as the rules see it, its text cleaned; null when its slot is not a usable instant. */
export function toRunRecord(run: RunFacts): RunRecord | null {
  const scheduledFor = instantMs(run.scheduledFor);
  if (scheduledFor === null) return null;
  const rawId = run.runId;
  let runId: string | undefined;
  return {
    // cleaned when first read: the start-up's rebuild groups 90 days of runs (two per-minute charters:
    // ~260,000) and reads the ids of a few; cleaning each took a fifth of its CPU
    get runId() {
      return (runId ??= publicText(rawId, limits.idLength));
    },
    status: run.status,
    scheduledFor,
    startedAt: instantMs(run.startedAt),
    completedAt: instantMs(run.completedAt),
    code: errorCodeOf(run.errorCode, run.messageCode),
    message: run.errorMessage === null ? null : publicErrorMessage(run.errorMessage),
  };
}

/** Rows per schedule, ascending as read; rows without a usable slot left out. */
export function groupRuns(runs: readonly RunFacts[]): Map<string, RunRecord[]> {
  const grouped = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const record = toRunRecord(run);
    if (record === null) continue;
    const list = grouped.get(run.scheduleId);
    if (list) list.push(record);
    else grouped.set(run.scheduleId, [record]);
  }
  return grouped;
}

/** A charter's schedule row, cleaned: what the snapshot and the history both need of it. */
export type CharterRow = {
  scheduleId: string;
  id: string;
  name: string;
  enabled: boolean;
  /** the raw cron and time zone, for computing fires (never published) */
  rawCron: string;
  rawTimezone: string;
  cron: string;
  timezone: string;
  scheduleText: string;
  scheduleError: Charter['scheduleError'];
  /** the raw row, for the due rule (shared/schedule-change.ts) */
  schedule: ScheduleFacts;
};

/**
 * The charters' ids, cleaned and unique, in the rows' order (the oldest schedule first: readCharters):
 * an id that cleaning made like one taken before it (a zero-width space added, a cut, a redaction), or
 * made empty, becomes its cut to idLength - 6 with the first free `~2`, `~3`, .... So a schedule made
 * later never takes an existing charter's id, name and history. Each cut keeps the number it reached,
 * so n rows alike cost 2n cleanings, not n²/2 (1,000 took 16 s and stopped publishing).
 */
function uniqueCharterIds(temporalIds: readonly string[]): string[] {
  const seen = new Set<string>(['']);
  const nextOf = new Map<string, number>(); // every number below it is taken, and ids are only ever added
  return temporalIds.map((temporalId) => {
    let id = publicText(temporalId, limits.idLength);
    if (seen.has(id)) {
      const cut = publicText(temporalId, limits.idLength - 6);
      let n = nextOf.get(cut) ?? 2;
      while (seen.has(`${cut}~${n}`)) n++;
      nextOf.set(cut, n + 1);
      id = `${cut}~${n}`;
    }
    seen.add(id);
    return id;
  });
}

/** Cleans every charter's schedule row; ids stay unique even where cleaning made two alike. */
export function cleanCharterRows(schedules: readonly ScheduleFacts[], now: number): CharterRow[] {
  const ids = uniqueCharterIds(schedules.map((schedule) => schedule.temporalScheduleId));
  return schedules.map((schedule, index) => {
    const id = ids[index]!;
    const scheduleError = scheduleErrorOf(schedule.cron, schedule.timezone, new Date(now));
    return {
      scheduleId: schedule.scheduleId,
      id,
      name: charterName(id),
      enabled: schedule.enabled,
      rawCron: schedule.cron,
      rawTimezone: schedule.timezone,
      cron: publicText(schedule.cron, limits.scheduleLength),
      timezone: publicText(schedule.timezone, limits.scheduleLength),
      scheduleText: publicText(scheduleError === 'invalid_cron' ? 'Not a valid cron expression' : describeCron(schedule.cron), limits.scheduleTextLength),
      scheduleError,
      schedule,
    };
  });
}

/** What judging needs from the worker's memory (worker/memory.ts). */
export type JudgeMemory = {
  /** the due rule of a cleaned row */
  ruleOf(row: CharterRow): DueRule;
  /** the cron's fires in [from, to), and where they are complete up to */
  firesOf(row: CharterRow, from: number, to: number): { fires: readonly number[]; coveredTo: number };
  /** the latest success of the charter seen so far, or null */
  lastSuccessOf(scheduleId: string): RunRecord | null;
};

/** A charter as the tick sees it: its row, its rule, its fires and rows, and the verdict. */
export type JudgedCharter = CharterRow & {
  rule: DueRule;
  /** due fires from runsFrom on, ascending; for an enabled charter also its upcoming fires up to coveredTo */
  fires: readonly number[];
  coveredTo: number;
  /** rows from runsFrom on, ascending */
  runs: RunRecord[];
  firstRunAt: number | null;
  judgement: CharterJudgement;
  nextRunAt: number | null;
};

export type JudgeInput = {
  /** the instant the data is judged at (the data's, shared/ports.ts DatabaseClock dataAsOf) */
  now: number;
  /** next runs are the cron's fires after this (the tick's instant) */
  upcomingAfter: number;
  runsFrom: number;
  /** how far ahead an enabled charter's fires are wanted (the forecast) */
  horizonMs: number;
  rules: StateRules;
  rows: readonly CharterRow[];
  runsBySchedule: ReadonlyMap<string, readonly RunRecord[]>;
  /** per schedule, its first run and its latest finished run before the window, read this tick */
  earlier: ReadonlyMap<string, EarlierRunFacts>;
  memory: JudgeMemory;
};

/** Judges every charter of the tick against its due fires and its rows. */
export function judgeCharters(input: JudgeInput): JudgedCharter[] {
  const { now, runsFrom, rules, memory } = input;
  const windowStart = now - dayMs;
  return input.rows.map((row) => {
    const runs = [...(input.runsBySchedule.get(row.scheduleId) ?? [])];
    const rule = memory.ruleOf(row);
    const probed = input.earlier.get(row.scheduleId);
    const lastFinished = probed?.lastFinished ? toRunRecord(probed.lastFinished) : null;
    const earlier: EarlierFacts = { firstRunAt: instantMs(probed?.firstRunAt), lastFinished, lastSuccess: memory.lastSuccessOf(row.scheduleId) };
    const cron = rule.byCron ? memory.firesOf(row, runsFrom, row.enabled ? now + input.horizonMs : Math.min(now, rule.dueUntil) + 1) : { fires: [], coveredTo: now };
    const fires = dueFires(rule, cron.fires, runs.map((run) => run.scheduledFor));
    const usable = row.enabled && row.scheduleError === null;
    const judgement = judgeCharter({
      now,
      enabled: row.enabled,
      scheduleError: row.scheduleError,
      rule,
      fires,
      fireAfter: (at) => (usable ? fireAfter(row.rawCron, row.rawTimezone, at) : null),
      runs: runs.filter((run) => run.scheduledFor >= windowStart),
      earlier,
      rules,
    });
    const after = input.upcomingAfter;
    const nextRunAt = usable ? (fires.find((fire) => fire > after) ?? instantMs(nextRunOf(row.rawCron, row.rawTimezone, new Date(after)).nextRunAt)) : null;
    return { ...row, rule, fires, coveredTo: cron.coveredTo, runs, firstRunAt: earlier.firstRunAt ?? runs[0]?.scheduledFor ?? null, judgement, nextRunAt };
  });
}
