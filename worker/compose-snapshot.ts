// Compose: the tick's judged charters, its credits and threads, and the open incidents → the public
// snapshot. Pure. The thread rows are the one text it cleans itself (shared/redact.ts); the charters
// and their runs arrive cleaned from the judge (worker/judge-charters.ts).
import { runFinishedAt, runStartedAt, type StateRules } from '../shared/charter-state.ts';
import { limits, runStatuses, type Charter, type CharterState, type GovernanceStatus, type Incident, type Rules } from '../shared/contract.ts';
import { summarizeCredits, creditsPerUsd } from '../shared/credits.ts';
import { forecastByCharter, forecastHorizonMs } from '../shared/forecast.ts';
import type { IncidentRules } from '../shared/incidents.ts';
import { ownCreditsPerRun, summarizeUsage, type UsageRun, type WindowUsage } from '../shared/usage.ts';
import { charterStateInfo, deriveReasons, statusOf, type CharterSummary } from '../shared/reasons.ts';
import { publicText, publicTitle } from '../shared/redact.ts';
import type { GovernanceFacts, GovernanceQuery } from '../shared/ports.ts';
import { dataBehindBeyond } from '../shared/clock.ts';
import { instantMs, type JudgedCharter } from './judge-charters.ts';

export type SnapshotRules = StateRules & IncidentRules;

const dayMs = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function rulesOf(rules: SnapshotRules): Rules {
  return {
    runwayRedHours: 6,
    runwayYellowHours: 24,
    graceSeconds: Math.round(rules.graceMs / 1000),
    stuckAfterSeconds: Math.round(rules.stuckAfterMs / 1000),
    recoveringSeconds: Math.round(rules.recoveringMs / 1000),
    creditsPerUsd: Number(creditsPerUsd),
    incidentAfterRuns: rules.incidentAfterRuns,
    incidentAfterSeconds: Math.round(rules.incidentAfterMs / 1000),
  };
}

/** Charters in a degraded state first, then those with a notice, then the rest. */
const stateRank = (state: CharterState) => {
  const severity = charterStateInfo[state].severity;
  return severity === 'degraded' ? 0 : severity === 'notice' ? 1 : 2;
};

/** The most severe first, then by name: those a file keeps when it cannot list every charter. */
export function mostSevereFirst(views: readonly JudgedCharter[]): JudgedCharter[] {
  return [...views].sort((a, b) => stateRank(a.judgement.state) - stateRank(b.judgement.state) || byText(a.name, b.name) || byText(a.id, b.id));
}

/**
 * A charter as published. Its last run's start and finish are null where they cannot be (runStartedAt,
 * runFinishedAt: after now, or before the run's slot), as when the row has none: a reader then shows
 * the slot, as lastSuccessAt does, and a start is never published after a finish taken for the slot.
 */
function toCharter(view: JudgedCharter, now: number): Charter {
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
        ? {
            runId: lastRun.runId,
            status: lastRun.status,
            scheduledFor: iso(lastRun.scheduledFor),
            startedAt: lastRun.startedAt !== null && runStartedAt(lastRun, now) === lastRun.startedAt ? iso(lastRun.startedAt) : null,
            finishedAt: lastRun.completedAt !== null && runFinishedAt(lastRun, now) === lastRun.completedAt ? iso(lastRun.completedAt) : null,
          }
        : null,
    lastSuccessAt: isoOrNull(judgement.lastSuccessAt),
    runs24h: judgement.runs24h,
  };
}

export type ComposeInput = {
  facts: GovernanceFacts & { query: GovernanceQuery };
  /** the tick's instant and the data's (the database's clock, shared/ports.ts DatabaseClock) */
  clock: { now: number; dataAsOf: number };
  staleAfter: Date;
  views: readonly JudgedCharter[];
  rules: SnapshotRules;
  /** the incidents still open (worker/history-keeper.ts) */
  openIncidents: readonly Incident[];
  usage: TickUsage;
  /** where the incident feeds are published, or null when there are none */
  feeds: GovernanceStatus['feeds'];
};

/** 24 hourly buckets, oldest first, the last one the current hour; hours without spend read 0. */
function spendHours(facts: GovernanceFacts, hoursFrom: number) {
  const spentPerHour = new Map(facts.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits]));
  return Array.from({ length: limits.spendHours }, (_, index) => {
    const hourStart = hoursFrom + index * 60 * 60 * 1000;
    return { hourStart: iso(hourStart), credits: (spentPerHour.get(hourStart) ?? 0n).toString() };
  });
}

/** Every run that failed in the last 24 hours, newest first: (now - 24 h, now], the window of runs24h (a failed run has finished, so it counts at once). */
function failuresOf(views: readonly JudgedCharter[], now: number) {
  return views
    .flatMap((view) => view.runs.filter((run) => run.status === 'error' && run.scheduledFor > now - dayMs && run.scheduledFor <= now).map((run) => ({ view, run })))
    .sort((a, b) => b.run.scheduledFor - a.run.scheduledFor || byText(a.run.runId, b.run.runId));
}

/** Every expected fire of the last 24 hours that no run answered, newest first. */
function missesOf(views: readonly JudgedCharter[]) {
  return views
    .flatMap((view) => view.judgement.expected.filter((fire) => fire.run === null).map((fire) => ({ view, at: fire.at })))
    .sort((a, b) => b.at - a.at || byText(a.view.name, b.view.name));
}

/** The soonest next runs of all charters, from their crons. */
function upcomingRunsOf(views: readonly JudgedCharter[]) {
  return views
    .flatMap((view) => (view.nextRunAt === null ? [] : [{ name: view.name, nextRunAt: iso(view.nextRunAt) }]))
    .sort((a, b) => byText(a.nextRunAt, b.nextRunAt) || byText(a.name, b.name))
    .slice(0, limits.upcomingRuns);
}

/**
 * The system's latest threads, their text cleaned, each with its latest run's outcome and charter
 * where the ledger says them (an unknown status says nothing); a thread without usable times is left out.
 */
function recentRunsOf(facts: GovernanceFacts, views: readonly JudgedCharter[]) {
  const charterOf = new Map(views.map((view) => [view.scheduleId, view.id]));
  return facts.threads
    .flatMap((thread) => {
      const startedAt = instantMs(thread.createdAt);
      const lastActivity = instantMs(thread.updatedAt);
      if (startedAt === null || lastActivity === null) return [];
      const outcome = runStatuses.find((status) => status === thread.runStatus) ?? null;
      const charterId = (thread.scheduleId !== null && charterOf.get(thread.scheduleId)) || null;
      return [{ id: publicText(thread.stateKey, limits.idLength), title: publicTitle(thread.title), startedAt: iso(startedAt), lastActivity: iso(lastActivity), outcome, charterId }];
    })
    .slice(0, limits.recentRuns);
}

/**
 * What the balance pays for: each enabled charter's fires after `now`, each at its own cost per run
 * where its runs of the data's last 24 hours left receipts, else at the average run's.
 */
function forecastOf(views: readonly JudgedCharter[], facts: GovernanceFacts, usage: TickUsage, asOf: number, now: number) {
  const runsStarted = views.reduce((sum, view) => sum + view.runs.filter((run) => run.startedAt !== null && run.startedAt >= asOf - dayMs && run.startedAt < asOf).length, 0);
  const enabled = views.filter((view) => view.enabled && view.scheduleError === null);
  const horizonEnd = Math.min(now + forecastHorizonMs, ...enabled.map((view) => view.coveredTo));
  const { forecast, charters } = forecastByCharter({
    balance: facts.balanceCredits,
    spentLast24h: facts.spentSinceSpendFrom,
    runsStarted,
    upcoming: enabled.map((view) => ({ charterId: view.id, fires: view.fires.filter((fire) => fire > now && fire <= horizonEnd) })),
    horizonEnd,
    ownCreditsPerRun: ownCreditsPerRun(usage.window, usage.runs),
  });
  return { ...forecast, charters };
}

/** The last 24 hours' receipts grouped by run and model (worker/usage-memory.ts), and the runs they belong to. */
export type TickUsage = { window: WindowUsage; runs: readonly UsageRun[] };

/** A judged charter as the reasons see it (shared/reasons.ts). */
const summaryOf = (view: JudgedCharter): CharterSummary => ({
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
});

export function composeSnapshot({ facts, clock, staleAfter, views, rules, openIncidents, usage, feeds }: ComposeInput): GovernanceStatus {
  // Everything the data says is judged as of the data (a replica behind its primary is not "missed"
  // runs); what the cron says (upcoming runs, the forecast) from the tick's instant.
  const { now: tickNow, dataAsOf: now } = clock;
  const behindMs = dataBehindBeyond(clock, rules.graceMs);
  const credits = summarizeCredits(facts.balanceCredits, facts.spentSinceSpendFrom);
  // The most severe charters first when there are more than the file lists; then by name.
  const listed = mostSevereFirst(views)
    .slice(0, limits.charters)
    .sort((a, b) => byText(a.name, b.name) || byText(a.id, b.id));
  const listedIds = new Set(listed.map((view) => view.id));
  const failures = failuresOf(views, now);
  const missed = missesOf(views);
  const forecast = forecastOf(views, facts, usage, now, tickNow);
  // reasons only for the charters the file lists: a reader can always find the charter a reason names
  const reasons = deriveReasons({
    now,
    dataBehind: behindMs === null ? null : { ms: behindMs, asOf: now },
    credits,
    forecast,
    charters: views.map(summaryOf),
    failedRunsTotal: failures.length,
    latestFailureAt: failures[0]?.run.scheduledFor ?? null,
  }).filter((reason) => reason.charterId === null || listedIds.has(reason.charterId));

  return {
    systemCredits: credits.balance,
    upcomingRuns: upcomingRunsOf(views),
    recentRuns: recentRunsOf(facts, views),
    schemaVersion: 1,
    generatedAt: iso(tickNow),
    staleAfter: staleAfter.toISOString(),
    dataAsOf: iso(now),
    status: statusOf(reasons),
    reasons,
    credits,
    forecast,
    spendByHour: spendHours(facts, facts.query.hoursFrom.getTime()),
    charters: listed.map((view) => toCharter(view, now)),
    chartersTotal: views.length,
    failedRuns: failures.slice(0, limits.failedRuns).map(({ view, run }) => ({
      charter: view.name,
      charterId: view.id,
      runId: run.runId,
      scheduledFor: iso(run.scheduledFor),
      errorCode: run.code,
      errorMessage: run.message ?? null,
    })),
    failedRunsTotal: failures.length,
    missedRuns: missed.slice(0, limits.missedRuns).map(({ view, at }) => ({ charter: view.name, charterId: view.id, expectedAt: iso(at) })),
    missedRunsTotal: missed.length,
    openIncidents: openIncidents.filter((incident) => listedIds.has(incident.charterId)).map((incident) => incident.id).slice(0, limits.openIncidents),
    filesBehind: [],
    rules: rulesOf(rules),
    usage: summarizeUsage({ usage: usage.window, runs: usage.runs, charters: views, from: facts.query.spendFrom.getTime(), to: now }),
    feeds,
  };
}
