// Pure: the facts of one tick, the remembered earlier facts and the schedules' fires → the public
// snapshot. Every string from the database is cleaned here (shared/redact.ts) before it is used;
// a row with an odd value shows what it can (a schedule error, a null time) and never fails it.
import { judgeCharter, type CharterJudgement, type EarlierFacts, type RunRecord, type StateRules } from '../shared/charter-state.ts';
import { limits, type Charter, type CharterState, type GovernanceStatus, type Rules } from '../shared/contract.ts';
import { summarizeCredits, creditsPerUsd } from '../shared/credits.ts';
import { forecastFunding, forecastHorizonMs } from '../shared/forecast.ts';
import { charterStateInfo, deriveReasons, statusOf } from '../shared/reasons.ts';
import { errorCodeOf, publicErrorMessage, publicText, publicTitle } from '../shared/redact.ts';
import { charterDisplayName, describeCron, fireAfter, nextRunOf, scheduleErrorOf } from '../shared/schedule.ts';
import type { GovernanceFacts, GovernanceQuery, RunFacts, ScheduleFacts } from '../shared/ports.ts';
import type { FireSpan } from './fire-cache.ts';

const dayMs = 24 * 60 * 60 * 1000;

export type SnapshotRules = StateRules;

export function rulesOf(rules: SnapshotRules): Rules {
  return {
    runwayRedHours: 6,
    runwayYellowHours: 24,
    graceSeconds: Math.round(rules.graceMs / 1000),
    stuckAfterSeconds: Math.round(rules.stuckAfterMs / 1000),
    recoveringSeconds: Math.round(rules.recoveringMs / 1000),
    creditsPerUsd: Number(creditsPerUsd),
  };
}

/** pg hands `infinity` over as Infinity, and years past 9999 do not fit the contract: both become null. */
export function instantMs(value: Date | null | undefined): number | null {
  if (!(value instanceof Date)) return null;
  const time = value.getTime();
  return Number.isFinite(time) && time >= Date.UTC(0, 0, 1) && time < Date.UTC(10_000, 0, 1) ? time : null;
}
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A ledger row as the rules see it, its text cleaned; null when its slot is not a usable instant. */
export function toRunRecord(run: RunFacts): RunRecord | null {
  const scheduledFor = instantMs(run.scheduledFor);
  if (scheduledFor === null) return null;
  return {
    runId: publicText(run.runId, limits.idLength),
    status: run.status,
    scheduledFor,
    startedAt: instantMs(run.startedAt),
    completedAt: instantMs(run.completedAt),
    code: errorCodeOf(run.errorCode, run.messageCode),
  };
}

/** A charter's schedule row, cleaned: what the snapshot and the history both need of it. */
export type CharterBasics = {
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
  /** enabled, and its cron and time zone parse: its fires say what is due */
  usable: boolean;
  /** the schedule's last change (see changeOf), or null */
  changedAt: number | null;
  /** fires up to here were due even before changedAt (see changeOf), or null */
  followedThrough: number | null;
  /** the slot of its latest run before updated_at: a paused charter was due up to there */
  lastSlotBeforeChange: number | null;
};

/** A charter as the tick sees it: its fires, its window rows and the verdict. */
export type CharterView = CharterBasics & {
  span: FireSpan;
  /** window rows (from runsFrom on), ascending */
  runs: RunRecord[];
  judgement: CharterJudgement;
  nextRunAt: number | null;
};

export type ViewContext = {
  now: number;
  runsFrom: number;
  rules: SnapshotRules;
  earlier: (scheduleId: string) => EarlierFacts;
  /** the fires of a valid schedule in [from, to) */
  fires: (cron: string, timezone: string, from: number, to: number) => FireSpan;
};

/**
 * The application writes last_run_at and updated_at in one statement when a run starts
 * (drizzle-schedule.adapter updateLastRunAt), and a run is not a change of what is due; so
 * updated_at is a change of the schedule unless it lies within seconds of last_run_at (at most a
 * minute, and never more than the grace). A real change minutes after a run started (a new cron
 * right after the 12:00 run) is a change: the new cron's earlier fires were never due. A change
 * within that minute is taken for the run's write; only a charter that runs about every minute
 * meets it often, and its runs answer any cron's earlier fires anyway.
 */
export const runStartWriteMs = 60_000;

export function changedAtOf(schedule: ScheduleFacts, graceMs: number): number | null {
  const updated = instantMs(schedule.updatedAt);
  const lastRun = instantMs(schedule.lastRunAt);
  if (updated === null) return null;
  if (lastRun !== null && updated >= lastRun && updated - lastRun <= Math.min(runStartWriteMs, graceMs)) return null;
  return updated;
}

/**
 * Whether a charter's latest runs before a change followed its current cron: every one of them on
 * a fire of it, and most of them at consecutive fires. The application bumps updated_at for much
 * more than a new cron (its governance sync upserts every schedule row on each deploy; a pause, a
 * resume or an edit of the input), so when the runs before the change show the same cadence, the
 * change did not change what was due up to those runs: earlier fires stay due, and an outage
 * between them stays in the history. What happened between the latest of them and the change is
 * not known (the charter may have been paused, or the scheduler down): those fires count only when
 * answered, so resuming a paused charter never turns the pause into missed runs. Otherwise (fewer
 * than two runs, or another cadence) the cron before the change is unknown, and every fire before
 * it counts only when answered. Local evidence: a change that only adds fires the latest runs did
 * not need (09:00-17:00 hourly becoming every hour) reads as no change, and the new fires before
 * it as missed.
 */
export function followedBefore(slots: readonly number[], fireAfter: (at: number) => number | null): boolean {
  const ascending = [...slots].sort((a, b) => a - b);
  if (ascending.length < 2) return false;
  let consecutive = 0;
  for (const [index, slot] of ascending.entries()) {
    if (fireAfter(slot - 1) !== slot) return false; // not a fire of this cron
    if (index > 0 && fireAfter(ascending[index - 1]!) === slot) consecutive += 1;
  }
  return consecutive * 2 >= ascending.length - 1;
}

// followedBefore costs a dozen cron steps per charter: decided once per schedule row and slots.
const followedMemo = new Map<string, boolean>();

/** The change that bounds what was due (changedAtOf), and how far the runs before it show the current cron was due. */
export function changeOf(schedule: ScheduleFacts, graceMs: number, cronParses: boolean): { changedAt: number | null; followedThrough: number | null } {
  const changedAt = changedAtOf(schedule, graceMs);
  if (changedAt === null || !cronParses) return { changedAt, followedThrough: null };
  const slots = schedule.slotsBeforeChange.flatMap((slot) => {
    const at = instantMs(slot);
    return at === null ? [] : [at];
  });
  const key = `${schedule.timezone}\u0000${schedule.cron}\u0000${slots.join(',')}`;
  let followed = followedMemo.get(key);
  if (followed === undefined) {
    followed = followedBefore(slots, (at) => fireAfter(schedule.cron, schedule.timezone, at));
    if (followedMemo.size >= 10_000) followedMemo.clear();
    followedMemo.set(key, followed);
  }
  return { changedAt, followedThrough: followed ? Math.max(...slots) : null };
}

/** Cleans every charter's schedule row; ids stay unique even where cleaning made two alike. */
export function charterBasics(schedules: readonly ScheduleFacts[], now: number, graceMs: number): CharterBasics[] {
  const seen = new Set<string>();
  return schedules.map((schedule) => {
    let id = publicText(schedule.temporalScheduleId, limits.idLength);
    for (let n = 2; seen.has(id); n++) id = `${publicText(schedule.temporalScheduleId, limits.idLength - 6)}~${n}`;
    seen.add(id);
    const scheduleError = scheduleErrorOf(schedule.cron, schedule.timezone, new Date(now));
    return {
      scheduleId: schedule.scheduleId,
      id,
      name: publicText(charterDisplayName(id), limits.nameLength),
      enabled: schedule.enabled,
      rawCron: schedule.cron,
      rawTimezone: schedule.timezone,
      cron: publicText(schedule.cron, limits.scheduleLength),
      timezone: publicText(schedule.timezone, limits.scheduleLength),
      scheduleText: publicText(scheduleError === 'invalid_cron' ? 'Not a valid cron expression' : describeCron(schedule.cron), limits.scheduleTextLength),
      scheduleError,
      usable: schedule.enabled && scheduleError === null,
      ...changeOf(schedule, graceMs, scheduleError === null),
      lastSlotBeforeChange: instantMs(schedule.slotsBeforeChange[0]),
    };
  });
}

/** The runs' own slots: what a charter without a usable schedule is judged by (nothing can be missed). */
export function slotsOf(runs: readonly RunRecord[]): number[] {
  return [...new Set(runs.map((run) => run.scheduledFor))];
}

/** Judges every charter of the tick against its fires and its rows. */
export function viewCharters(charters: readonly CharterBasics[], runsBySchedule: ReadonlyMap<string, readonly RunRecord[]>, context: ViewContext): CharterView[] {
  const { now, rules } = context;
  const windowStart = now - dayMs;
  return charters.map((charter) => {
    const runs = [...(runsBySchedule.get(charter.scheduleId) ?? [])];
    const span: FireSpan = charter.usable
      ? context.fires(charter.rawCron, charter.rawTimezone, context.runsFrom, now + forecastHorizonMs)
      : { fires: slotsOf(runs), coveredTo: now };
    const judgement = judgeCharter({
      now,
      enabled: charter.enabled,
      scheduleError: charter.scheduleError,
      changedAt: charter.usable ? charter.changedAt : null,
      followedThrough: charter.usable ? charter.followedThrough : null,
      fires: span.fires,
      fireAfter: (at) => (charter.usable ? fireAfter(charter.rawCron, charter.rawTimezone, at) : null),
      runs: runs.filter((run) => run.scheduledFor >= windowStart),
      earlier: context.earlier(charter.scheduleId),
      rules,
    });
    const nextRunAt = charter.usable
      ? (span.fires.find((fire) => fire > now) ?? instantMs(nextRunOf(charter.rawCron, charter.rawTimezone, new Date(now)).nextRunAt))
      : null;
    return { ...charter, span, runs, judgement, nextRunAt };
  });
}

/** Charters in a degraded state first, then those with a notice, then the rest. */
const stateRank = (state: CharterState) => {
  const severity = charterStateInfo[state].severity;
  return severity === 'degraded' ? 0 : severity === 'notice' ? 1 : 2;
};

/** The most severe first, then by name: those a file keeps when it cannot list every charter. */
export function mostSevereFirst(views: readonly CharterView[]): CharterView[] {
  return [...views].sort((a, b) => stateRank(a.judgement.state) - stateRank(b.judgement.state) || byText(a.name, b.name) || byText(a.id, b.id));
}

function toCharter(view: CharterView): Charter {
  const { judgement } = view;
  const lastRun = judgement.lastRun;
  return {
    id: view.id,
    name: view.name,
    enabled: view.enabled,
    cron: view.cron,
    timezone: view.timezone,
    scheduleText: view.scheduleText,
    nextRunAt: isoOrNull(view.nextRunAt),
    scheduleError: view.scheduleError,
    state: judgement.state,
    stateSince: isoOrNull(judgement.stateSince),
    lastRun:
      lastRun && lastRun.status !== 'pending' && lastRun.status !== 'running'
        ? { runId: lastRun.runId, status: lastRun.status, scheduledFor: iso(lastRun.scheduledFor), startedAt: isoOrNull(lastRun.startedAt), finishedAt: isoOrNull(lastRun.completedAt) }
        : null,
    lastSuccessAt: isoOrNull(judgement.lastSuccessAt),
    runs24h: judgement.runs24h,
  };
}

export type ComposeInput = {
  facts: GovernanceFacts;
  query: GovernanceQuery;
  staleAfter: Date;
  views: readonly CharterView[];
  rules: SnapshotRules;
  openIncidents: readonly string[];
};

export function composeSnapshot({ facts, query, staleAfter, views, rules, openIncidents }: ComposeInput): GovernanceStatus {
  const now = query.now.getTime();
  const credits = summarizeCredits(facts.balanceCredits, facts.spentSinceSpendFrom);

  const spentPerHour = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
  const spendByHour = Array.from({ length: limits.spendHours }, (_, index) => {
    const hourStart = query.hoursFrom.getTime() + index * 60 * 60 * 1000;
    return { hourStart: iso(hourStart), credits: (spentPerHour.get(hourStart) ?? 0n).toString() };
  });

  // The most severe charters first when there are more than the file lists; then by name.
  const listed = mostSevereFirst(views)
    .slice(0, limits.charters)
    .sort((a, b) => byText(a.name, b.name) || byText(a.id, b.id));
  const charters = listed.map(toCharter);

  const upcomingRuns = views
    .flatMap((view) => (view.nextRunAt === null ? [] : [{ name: view.name, nextRunAt: iso(view.nextRunAt) }]))
    .sort((a, b) => byText(a.nextRunAt, b.nextRunAt) || byText(a.name, b.name))
    .slice(0, limits.upcomingRuns);

  const dayStart = now - dayMs;
  const messageOf = new Map(
    facts.runs.flatMap((run) => (run.errorMessage === null ? [] : [[`${run.scheduleId}\u0000${instantMs(run.scheduledFor)}`, run.errorMessage] as const])),
  );
  const failures = views
    .flatMap((view) => view.runs.filter((run) => run.status === 'error' && run.scheduledFor >= dayStart && run.scheduledFor <= now).map((run) => ({ view, run })))
    .sort((a, b) => b.run.scheduledFor - a.run.scheduledFor || byText(a.run.runId, b.run.runId));
  const failedRuns = failures.slice(0, limits.failedRuns).map(({ view, run }) => ({
    charter: view.name,
    charterId: view.id,
    runId: run.runId,
    scheduledFor: iso(run.scheduledFor),
    errorCode: run.code,
    errorMessage: publicErrorMessage(messageOf.get(`${view.scheduleId}\u0000${run.scheduledFor}`) ?? null),
  }));

  const missed = views
    .flatMap((view) => view.judgement.expected.filter((fire) => fire.run === null).map((fire) => ({ view, at: fire.at })))
    .sort((a, b) => b.at - a.at || byText(a.view.name, b.view.name));
  const missedRuns = missed.slice(0, limits.missedRuns).map(({ view, at }) => ({ charter: view.name, charterId: view.id, expectedAt: iso(at) }));

  const recentRuns = facts.threads
    .flatMap((thread) => {
      const startedAt = instantMs(thread.createdAt);
      const lastActivity = instantMs(thread.updatedAt);
      if (startedAt === null || lastActivity === null) return [];
      return [{ id: publicText(thread.stateKey, limits.idLength), title: publicTitle(thread.title), startedAt: iso(startedAt), lastActivity: iso(lastActivity) }];
    })
    .slice(0, limits.recentRuns);

  const runsStarted = views.reduce(
    (sum, view) => sum + view.runs.filter((run) => run.startedAt !== null && run.startedAt >= dayStart && run.startedAt < now).length,
    0,
  );
  const enabled = views.filter((view) => view.enabled && view.scheduleError === null);
  const horizonEnd = Math.min(now + forecastHorizonMs, ...enabled.map((view) => view.span.coveredTo));
  const forecast = forecastFunding({
    balance: facts.balanceCredits,
    spentLast24h: facts.spentSinceSpendFrom,
    runsStarted,
    upcoming: enabled.map((view) => ({ charterId: view.id, fires: view.span.fires.filter((fire) => fire > now && fire <= horizonEnd) })),
    horizonEnd,
  });

  const listedIds = new Set(listed.map((view) => view.id));
  const reasons = deriveReasons({
    now,
    credits,
    forecast,
    charters: views.map((view) => ({
      id: view.id,
      name: view.name,
      enabled: view.enabled,
      state: view.judgement.state,
      stateSince: view.judgement.stateSince,
      scheduleError: view.scheduleError,
      streak: view.judgement.streak.count,
      lastCode: view.judgement.lastRun?.code ?? null,
      lastRunAt: view.judgement.lastRun?.scheduledFor ?? null,
      lastSuccessAt: view.judgement.lastSuccessAt,
      lastProblemAt: view.judgement.lastProblemAt,
      expected24h: view.judgement.runs24h.expected,
    })),
    failedRunsTotal: failures.length,
    latestFailureAt: failures[0]?.run.scheduledFor ?? null,
  }).filter((reason) => reason.charterId === null || listedIds.has(reason.charterId));

  return {
    systemCredits: credits.balance,
    upcomingRuns,
    recentRuns,
    schemaVersion: 1,
    generatedAt: iso(now),
    staleAfter: staleAfter.toISOString(),
    status: statusOf(reasons),
    reasons,
    credits,
    forecast,
    spendByHour,
    charters,
    chartersTotal: views.length,
    failedRuns,
    failedRunsTotal: failures.length,
    missedRuns,
    missedRunsTotal: missed.length,
    openIncidents: openIncidents.filter((id) => listed.some((view) => id.startsWith(`${view.id}@`))).slice(0, limits.openIncidents),
    rules: rulesOf(rules),
  };
}
