// Why the status is what it is. The headline status is derived here from the reasons and from
// nothing else, so the headline and the details under it can never disagree.
import type { CharterState, Credits, Forecast, OverallStatus, Reason, ReasonCode, ScheduleError, Severity } from './contract.ts';
import { reasonCodes } from './constants.ts';
import { describeLag } from './clock.ts';
import { creditHealth } from './credits.ts';

/** The reason each charter state raises (none when it works); apart from the words, which the page ships and this it does not. */
const charterStateCode: Record<CharterState, ReasonCode | null> = {
  paused: 'charter_paused',
  invalid_schedule: 'schedule_invalid',
  no_runs: 'charter_no_runs',
  missed: 'charter_missed',
  stuck: 'charter_stuck',
  failing: 'charter_failing',
  skipped: 'charter_skipped',
  recovering: 'charter_recovering',
  running: null,
  ok: null,
};

/** Each reason code's one severity: deriveReasons gives it, and a reader counts a reason at least at it (shared/snapshot-trust.ts). */
export const reasonSeverity: Record<ReasonCode, Severity> = {
  credits_exhausted: 'failing', runway_critical: 'failing', all_charters_down: 'failing',
  data_behind: 'degraded', runway_low: 'degraded', funding_ends_soon: 'degraded', charter_missed: 'degraded', charter_stuck: 'degraded',
  charter_failing: 'degraded', charter_skipped: 'degraded', charter_recovering: 'degraded', schedule_invalid: 'degraded',
  runs_failed_recently: 'notice', charter_no_runs: 'notice', charter_paused: 'notice',
};

/** The severity of the reason a charter state raises (null: none): its code's. */
function raised(state: CharterState): Severity | null {
  const code = charterStateCode[state];
  return code === null ? null : reasonSeverity[code];
}

/** Each charter state in words, with the severity of the reason it raises (null: none). */
export const charterStateInfo: Record<CharterState, { label: string; severity: Severity | null }> = {
  paused: { label: 'Paused', severity: raised('paused') },
  invalid_schedule: { label: 'Schedule broken', severity: raised('invalid_schedule') },
  no_runs: { label: 'No recorded runs', severity: raised('no_runs') },
  missed: { label: 'Missed runs', severity: raised('missed') },
  stuck: { label: 'Stuck', severity: raised('stuck') },
  failing: { label: 'Failing', severity: raised('failing') },
  skipped: { label: 'Skipped', severity: raised('skipped') },
  recovering: { label: 'Recovering', severity: raised('recovering') },
  running: { label: 'Running', severity: raised('running') },
  ok: { label: 'OK', severity: raised('ok') },
};

/** funding_ends_soon: credits are left, and the forecast's first unfunded run comes within a day of `now`. */
export function fundingEndsSoon(balance: bigint, forecast: Pick<Forecast, 'firstUnfundedRun'>, now: number): boolean {
  return balance > 0n && forecast.firstUnfundedRun !== null && Date.parse(forecast.firstUnfundedRun.at) <= now + 24 * 60 * 60 * 1000;
}

/** The charter states in which a charter with expectations does not work at all. */
export const downStates: ReadonlySet<CharterState> = new Set(['missed', 'stuck', 'failing', 'skipped']);

/** Whether a charter is expected to run now: the charters all_charters_down speaks of. */
export const expectsRuns = (charter: { enabled: boolean; state: CharterState }) => charter.enabled && !['paused', 'invalid_schedule', 'no_runs'].includes(charter.state);

/** all_charters_down: at least one charter is expected to run, and every one that is does not work at all. */
export function allChartersDown(charters: readonly { enabled: boolean; state: CharterState }[]): boolean {
  const expecting = charters.filter(expectsRuns);
  return expecting.length > 0 && expecting.every((charter) => downStates.has(charter.state));
}

/** The order of severities, most severe first. */
export const severityRank: Record<Severity, number> = { failing: 0, degraded: 1, notice: 2 };
// A function, not a Map built when the module loads: a bundle using only the words here (the page)
// leaves it and the list of codes out (a pure-marked Map built from reasonCodes.map(...) was kept).
const codeRank = (code: ReasonCode) => reasonCodes.indexOf(code);

/** failing if any reason is failing, else degraded if any is degraded, else healthy. */
export function statusOf(reasons: readonly Pick<Reason, 'severity'>[]): OverallStatus {
  if (reasons.some((reason) => reason.severity === 'failing')) return 'failing';
  if (reasons.some((reason) => reason.severity === 'degraded')) return 'degraded';
  return 'healthy';
}

const dayMs = 24 * 60 * 60 * 1000;
const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (value: number) => String(value).padStart(2, '0');

/** "07:00 UTC" on the day of `now`, "Nov 20 07:00 UTC" on another day. */
export function formatUtc(at: number, now: number): string {
  const date = new Date(at);
  const clock = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
  const sameDay = Math.floor(at / dayMs) === Math.floor(now / dayMs);
  return sameDay ? clock : `${months[date.getUTCMonth()]} ${date.getUTCDate()} ${clock}`;
}

/** "Tue 14:15 UTC" within a week of `now`, else "Tue Dec 1 14:15 UTC". */
export function formatUtcWeekday(at: number, now: number): string {
  const date = new Date(at);
  const clock = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
  const day = weekdays[date.getUTCDay()]!;
  return at - now < 6 * dayMs ? `${day} ${clock}` : `${day} ${months[date.getUTCMonth()]} ${date.getUTCDate()} ${clock}`;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
const codeSuffix = (code: string | null | undefined) => (code ? `: ${code}` : '');

/** What the reasons are derived from: the snapshot's judgements, before they are written out. */
export type CharterSummary = {
  id: string;
  name: string;
  enabled: boolean;
  state: CharterState;
  stateSince: number | null;
  scheduleError: ScheduleError | null;
  /** the current streak's length and the latest run's code (failing, skipped, missed) */
  streak: number;
  lastCode: string | null;
  lastRunAt: number | null;
  lastSuccessAt: number | null;
  lastProblemAt: number | null;
};

export type ReasonInput = {
  now: number;
  /** the data's age when it is read from a replica behind its primary by more than the grace, else null */
  dataBehind?: { ms: number; asOf: number } | null;
  credits: Credits;
  forecast: Forecast;
  charters: readonly CharterSummary[];
  failedRunsTotal: number;
  latestFailureAt: number | null;
};

function charterReason(charter: CharterSummary, now: number): Omit<Reason, 'code' | 'severity' | 'charterId'> {
  const { name, stateSince, streak } = charter;
  const since = stateSince === null ? null : formatUtc(stateSince, now);
  const at = (value: number | null) => (value === null ? 'an unknown time' : formatUtc(value, now));
  const texts: Record<CharterState, () => string> = {
    paused: () => `${name} is paused: it is not scheduled to run.`,
    invalid_schedule: () =>
      `${name}'s schedule cannot be read (${charter.scheduleError === 'invalid_timezone' ? 'unknown time zone' : 'invalid cron expression'}): it runs at no known time.`,
    no_runs: () => `${name} has no recorded runs: its runs are recorded elsewhere, or it has never run.`,
    missed: () =>
      streak === 1
        ? `${name} missed its run due at ${since ?? at(charter.lastProblemAt)}: no run was recorded for it.`
        : since
          ? `${name} has missed ${plural(streak, 'scheduled run')} in a row since ${since}: the scheduler may have stopped.`
          : `${name} has missed every scheduled run for more than 24 hours (${plural(streak, 'run')}): the scheduler may have stopped.`,
    stuck: () => `${name} has had a run in progress since ${since ?? 'more than 24 hours ago'}: it may be stuck.`,
    failing: () =>
      streak === 0
        ? `${name}'s last run failed (${at(charter.lastRunAt)})${codeSuffix(charter.lastCode)}`
        : streak === 1
          ? `${name}'s latest run failed at ${at(charter.lastRunAt)}${codeSuffix(charter.lastCode)}`
          : since
            ? `${name} has failed ${plural(streak, 'run')} in a row since ${since}${codeSuffix(charter.lastCode)}`
            : `${name} has failed every run for more than 24 hours (${plural(streak, 'run')} in the last 24 h)${codeSuffix(charter.lastCode)}`,
    skipped: () =>
      `${name}'s ${streak > 1 ? `last ${plural(streak, 'run')} were` : 'last run was'} skipped${since ? ` since ${since}` : ''}: its execution grant may be revoked or expired.`,
    recovering: () => `${name} is recovering: its latest run succeeded${since ? ` at ${since}` : ''} after a problem at ${at(charter.lastProblemAt)}.`,
    running: () => '',
    ok: () => '',
  };
  return { since: stateSince === null ? null : new Date(stateSince).toISOString(), text: texts[charter.state]() };
}

/** Every reason, most severe first; within a severity in the order of reasonCodes, then by charter name. */
export function deriveReasons(input: ReasonInput): Reason[] {
  const { now, credits, forecast } = input;
  const reasons: Reason[] = [];
  const add = (code: ReasonCode, text: string, charterId: string | null = null, since: string | null = null) =>
    reasons.push({ code, severity: reasonSeverity[code], charterId, since, text });

  const balance = BigInt(credits.balance);
  const health = creditHealth(balance, credits.runwayHours);
  if (balance <= 0n) {
    add('credits_exhausted', `The system account has no credits left (balance ${balance.toLocaleString('en')}): scheduled runs cannot be paid for.`);
  } else if (health !== 'green') {
    add(health === 'red' ? 'runway_critical' : 'runway_low', `The system account's credits last about ${credits.runwayHours} more ${credits.runwayHours === 1 ? 'hour' : 'hours'} at the current burn.`);
  }

  if (input.dataBehind) {
    const { ms, asOf } = input.dataBehind;
    add('data_behind', `The status is read from a replica ${describeLag(ms)} behind its primary: what happened after ${formatUtc(asOf, now)} is not in it yet.`);
  }

  if (allChartersDown(input.charters)) {
    const expecting = input.charters.filter(expectsRuns);
    add('all_charters_down', `No charter works: ${expecting.length === 1 ? 'the only charter that should run is' : `all ${expecting.length} charters that should run are`} missing, stuck, failing or skipping their runs.`);
  }

  for (const charter of input.charters) {
    const code = charterStateCode[charter.state];
    if (code === null) continue;
    const { since, text } = charterReason(charter, now);
    add(code, text, charter.id, since);
  }

  if (input.failedRunsTotal > 0 && !input.charters.some((charter) => charter.state === 'failing')) {
    add(
      'runs_failed_recently',
      `${plural(input.failedRunsTotal, 'run')} failed in the last 24 h${input.latestFailureAt === null ? '' : `, the latest at ${formatUtc(input.latestFailureAt, now)}`}; no charter is failing now.`,
    );
  }

  // with no credits left, credits_exhausted has said it: the end of funding is not news
  if (fundingEndsSoon(balance, forecast, now)) {
    add('funding_ends_soon', fundingText(forecast, now));
  }

  const name = new Map(input.charters.map((charter) => [charter.id, charter.name]));
  return reasons.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      codeRank(a.code) - codeRank(b.code) ||
      (name.get(a.charterId ?? '') ?? '').localeCompare(name.get(b.charterId ?? '') ?? '', 'en'),
  );
}

/** "The balance pays for about 1,240 more runs, until Tue 14:15 UTC (an estimate from the average run)." */
export function fundingText(forecast: Forecast, now: number): string {
  const runs = forecast.fundedRuns === null ? null : BigInt(forecast.fundedRuns);
  if (runs === null) return 'The balance is not being spent on runs: no end of funding is in sight.';
  if (runs === 0n) return 'The balance pays for no more runs.';
  const until = forecast.fundedUntil ? `, until ${formatUtcWeekday(Date.parse(forecast.fundedUntil), now)}` : ', more than 30 days ahead';
  return `The balance pays for about ${runs.toLocaleString('en')} more ${runs === 1n ? 'run' : 'runs'}${until} (an estimate from the average run).`;
}
