// What a reader (the page) may believe of a published snapshot when its parts disagree: the status
// its own details imply when its status reads better, until when it vouches for its data (one from
// after now too), and whether it may replace the one shown (a cache or a woken leader serving an
// older file must not take the page back in time). Pure.
import { lastRunState, settingsState } from './charter-state.ts';
import type { CharterState, CreditHealth, Credits, OverallStatus, PublishedStatus, Reason, Severity } from './contract.ts';
import { dataBehindBeyond, isFromTheFuture } from './clock.ts';
import { maxFreshnessMs } from './constants.ts';
import { creditHealth, healthSeverity, summarizeCredits } from './credits.ts';
import { allChartersDown, charterStateInfo, downStates, fundingEndsSoon, reasonSeverity, severityRank, statusOf } from './reasons.ts';

const rank: Record<OverallStatus, number> = { healthy: 0, degraded: 1, failing: 2 };
const worse = (a: OverallStatus, b: OverallStatus): OverallStatus => (rank[b] > rank[a] ? b : a);

const healthRank: Record<CreditHealth, number> = { green: 0, yellow: 1, red: 2 };

/**
 * The credit figures a reader is shown and judged by: recomputed from the balance and the last 24
 * hours' spend by the worker's own rules (shared/credits.ts), so a balanceUsd or burn that contradicts
 * them (a "$0.00" under a large balance) is never shown; the runway the shorter of that and the one
 * stated (null: nothing spent), and the health the worse of the one it gives and the one stated.
 */
export function readerCredits(credits: Credits): Credits {
  const balance = BigInt(credits.balance);
  const derived = summarizeCredits(balance, BigInt(credits.spentLast24h));
  const stated = credits.runwayHours;
  const runwayHours = stated === null || (derived.runwayHours !== null && derived.runwayHours < stated) ? derived.runwayHours : stated;
  const health = creditHealth(balance, runwayHours);
  return { ...derived, runwayHours, health: healthRank[credits.health] > healthRank[health] ? credits.health : health };
}

/** A reason's severity as a reader counts and shows it: the one stated, or its code's (shared/reasons.ts) when that is worse. */
export function readerSeverity({ code, severity }: Pick<Reason, 'code' | 'severity'>): Severity {
  const implied = reasonSeverity[code] ?? severity;
  return severityRank[implied] < severityRank[severity] ? implied : severity;
}

type Charter = PublishedStatus['charters'][number];

/**
 * A charter's state as a reader counts and shows it: the file's, unless its own facts contradict it,
 * by the worker's rules (shared/charter-state.ts): an enabled charter with a schedule error is
 * invalid_schedule; one whose latest finished run failed or was skipped is missed, stuck, failing or
 * skipped, so one that states a better state (ok, running, recovering, a notice), or none (a file from
 * before states), is failing or skipped; a disabled one that states none is paused. Undefined: no
 * state stated, and none implied.
 */
export function readerCharterState({ state, enabled, scheduleError, lastRun }: Pick<Charter, 'state' | 'enabled' | 'scheduleError' | 'lastRun'>): CharterState | undefined {
  if (!enabled) return 'paused'; // the worker's first rule (settingsState), whatever the file states
  const implied = settingsState({ enabled, scheduleError }) ?? (lastRun && lastRunState(lastRun));
  if (implied === 'invalid_schedule') return implied;
  return implied && !(state && (downStates.has(state) || state === 'invalid_schedule')) ? implied : state;
}

/** Whether no charter works, by the worker's rule (all_charters_down), when the file lists every charter with its state. */
function allListedDown({ charters, chartersTotal }: Pick<PublishedStatus, 'charters' | 'chartersTotal'>): boolean {
  const judged = charters.map((charter) => ({ enabled: charter.enabled, state: readerCharterState(charter) }));
  const complete = charters.length >= (chartersTotal ?? 0) && judged.every((charter) => charter.state !== undefined);
  return complete && allChartersDown(judged as { enabled: boolean; state: CharterState }[]);
}

type Claims = Pick<PublishedStatus, 'status' | 'reasons'>;
type Details = Claims & Pick<PublishedStatus, 'charters' | 'chartersTotal' | 'credits' | 'forecast' | 'generatedAt' | 'dataAsOf' | 'rules'>;

/** What the file says of itself: its status, or its reasons' if they are worse. */
export const claimedStatus = ({ status, reasons }: Claims): OverallStatus => worse(status, statusOf(reasons ?? []));

/**
 * The status a reader is shown: the file's claim, or what its details say if that is worse (the
 * worker derives its reasons from the same facts, so only a file that contradicts itself differs):
 * each reason at its code's severity (readerSeverity), each charter's state (readerCharterState) and
 * all of them down, the credits (readerCredits), a forecast whose funding ends within a day, data
 * read from a replica behind by more than the grace. The rules are the worker's (shared/reasons.ts,
 * shared/credits.ts).
 */
export function readerStatus(snapshot: Details): OverallStatus {
  const { rules, dataAsOf, forecast } = snapshot;
  const now = Date.parse(snapshot.generatedAt);
  const severities: (Severity | null | undefined)[] = snapshot.charters.map((charter) => {
    const state = readerCharterState(charter);
    return state && charterStateInfo[state].severity;
  });
  severities.push(healthSeverity[readerCredits(snapshot.credits).health], allListedDown(snapshot) ? 'failing' : null);
  severities.push(...(snapshot.reasons ?? []).map(readerSeverity));
  // as the worker raises it: as of the data (worker/compose-snapshot.ts), not of the tick
  const asOf = dataAsOf ? Date.parse(dataAsOf) : now;
  if (forecast && fundingEndsSoon(BigInt(snapshot.credits.balance), forecast, asOf)) severities.push('degraded');
  const clock = dataAsOf ? { now, dataAsOf: Date.parse(dataAsOf) } : null;
  if (clock && rules && dataBehindBeyond(clock, rules.graceSeconds * 1000) !== null) severities.push('degraded');
  const details = statusOf(severities.filter((severity): severity is Severity => !!severity).map((severity) => ({ severity })));
  return worse(claimedStatus(snapshot), details);
}

/**
 * When a reader must stop vouching for a snapshot: its staleAfter, but never later than its own
 * freshness window (staleAfter - generatedAt, at most maxFreshnessMs: a staleAfter years ahead, from an
 * old worker or a hand-edited file, vouches for no more) counted from when it was first seen. A
 * snapshot stamped after now (a database clock that ran ahead, a file put there by hand) was made by
 * then at the latest; left in place, it would otherwise read as fresh until its staleAfter.
 */
export function staleAtOf({ generatedAt, staleAfter }: Pick<PublishedStatus, 'generatedAt' | 'staleAfter'>, firstSeenAt: number): number {
  const made = Date.parse(generatedAt);
  const after = Date.parse(staleAfter);
  return Math.min(after, Math.min(made, firstSeenAt) + Math.min(after - made, maxFreshnessMs));
}

/**
 * Whether `next` must not replace the snapshot shown: it was made before it (a cache's old copy, a
 * leader that woke from a freeze), unless the one shown is from the future by the worker's own rule
 * (shared/clock.ts), which the worker writes over, and so must the reader.
 */
export function isOlderSnapshot(next: Pick<PublishedStatus, 'generatedAt'>, shown: Pick<PublishedStatus, 'generatedAt'>, now: number): boolean {
  const shownAt = Date.parse(shown.generatedAt);
  return Date.parse(next.generatedAt) < shownAt && !isFromTheFuture(shownAt, now);
}
