// Words for every status the contract can carry, in the page's locale: the page never relies on
// colour alone. The tones live here; the words in the page's messages (site/i18n/).
import type { CharterState, CreditHealth, Forecast, OverallStatus, PublishedStatus, Reason, RunStatus, Severity } from '../../shared/contract.ts';
import { charterStateInfo, severityRank } from '../../shared/reasons.ts';
import { stripControlCharacters } from '../../shared/plain-text.ts';
import { claimedStatus, readerCharterState, readerCredits, readerSeverity, readerStatus } from '../../shared/snapshot-trust.ts';
import type { PageLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { fill, formatNumber, plural } from '../i18n/fill.ts';
import { formatLocalTime, formatWeekdayTime } from './format-time.ts';
import { formatAge } from './staleness.ts';

export type Tone = 'good' | 'warn' | 'bad' | 'neutral';

export const overallTone: Record<OverallStatus, Tone> = { healthy: 'good', degraded: 'warn', failing: 'bad' };

export const severityTone: Record<Severity, Tone> = { failing: 'bad', degraded: 'warn', notice: 'neutral' };

/** A severity in words with its tone. */
export const severityText = (severity: Severity, m: Messages) => ({ label: m.status.severity[severity], tone: severityTone[severity] });

/** A charter reads in the tone of the reason its state raises, as the headline counts it: a degraded reason is a warning, never red. */
export function charterStateText(state: CharterState, m: Messages): { label: string; tone: Tone } {
  const { severity } = charterStateInfo[state];
  return { label: m.charters.states[state], tone: severity === null ? 'good' : severityTone[severity] };
}

/** The credit health's tone (shared/credits.ts creditHealth: red under 6 hours of runway, yellow up to 24). */
export const creditHealthTone: Record<CreditHealth, Tone> = { green: 'good', yellow: 'warn', red: 'bad' };

export const runStatusTone: Record<RunStatus, Tone> = {
  success: 'good',
  // A failed run is a charter's problem, whose reason is degraded at most: a warning, like its state.
  error: 'warn',
  skipped: 'neutral',
  cancelled: 'neutral',
  running: 'neutral',
  pending: 'neutral',
};

/** "The balance pays for about 1,240 more runs, until Tue 14:15 UTC (an estimate from the average run)." */
export function describeFunding(forecast: Forecast, now: number, { m, timeZone }: PageLocale): string {
  const runs = forecast.fundedRuns === null ? null : BigInt(forecast.fundedRuns);
  if (runs === null) return m.credits.fundingIdle;
  if (runs === 0n) return m.credits.fundingNone;
  const until = forecast.fundedUntil
    ? fill(m.credits.fundedUntil, { time: formatWeekdayTime(Date.parse(forecast.fundedUntil), now, { locale: m.locale, timeZone }) })
    : m.credits.fundedLong;
  return plural(m.locale, m.credits.funding, runs, { until });
}

type Reasons = NonNullable<PublishedStatus['reasons']>;

/**
 * A reason in the page's locale: English pages show the worker's own text; others word it from its
 * code with the snapshot's figures, and the time its charter's state began, in the reader's zone.
 */
export function reasonText(reason: Reason, snapshot: PublishedStatus, locale: PageLocale): string {
  const { m, timeZone } = locale;
  if (m.reasons === 'json') return reason.text;
  const charter = snapshot.charters.find((item) => item.id !== undefined && item.id === reason.charterId);
  const code = snapshot.failedRuns.find((run) => run.charterId !== undefined && run.charterId === reason.charterId)?.errorCode;
  const words = fill(m.reasons[reason.code], {
    // a name in a sentence of the page's: no override of its own may turn the words after it (the worker strips them too)
    charter: stripControlCharacters(charter?.name ?? reason.charterId ?? ''),
    code: code ? `: ${code}` : '',
    balance: formatNumber(m.locale, BigInt(snapshot.credits.balance)),
    // the runway the credits panel shows: recomputed from the balance and spend, not as the file states it;
    // its unit in the locale's plural ("1 Stunde", "1,5 Stunden")
    hours: plural(m.locale, m.time.hours, readerCredits(snapshot.credits).runwayHours ?? 0),
    count: formatNumber(m.locale, snapshot.failedRunsTotal ?? snapshot.failedRuns.length),
    forecast: snapshot.forecast ? describeFunding(snapshot.forecast, Date.parse(snapshot.generatedAt), locale) : '',
  });
  // The headline names a system reason's start itself; a charter's is part of its reason.
  if (reason.since === null || reason.charterId === null) return words;
  return words + fill(m.reasonSince, { time: formatLocalTime(Date.parse(reason.since), { locale: m.locale, timeZone }) });
}

export type HeadlineWord = 'Loading' | 'Unknown' | 'Healthy' | 'Degraded' | 'Failing';

export type Headline = {
  /** the status's key: the favicon's name; its words are label */
  word: HeadlineWord;
  label: string;
  tone: Tone;
  detail: string;
  /** reasons shown under the headline, in the page's words: every one but the headline's own */
  reasons: Reasons;
};

const wordOf: Record<OverallStatus, HeadlineWord> = { healthy: 'Healthy', degraded: 'Degraded', failing: 'Failing' };

/** What the headline says: the status and its most severe reason, or Unknown when the data cannot be vouched for. */
export function describeHeadline(snapshot: PublishedStatus | null, now: number, stale: boolean, failed: boolean, locale: PageLocale): Headline {
  const { m } = locale;
  const headline = (word: HeadlineWord, tone: Tone, detail: string, reasons: Reasons): Headline => ({ word, label: m.status.words[word], tone, detail, reasons });
  if (!snapshot) return failed ? headline('Unknown', 'neutral', m.status.unknown, []) : headline('Loading', 'neutral', m.status.loading, []);
  // a file that contradicts itself never reads as fine (shared/snapshot-trust.ts)
  const status = readerStatus(snapshot);
  const claimed = claimedStatus(snapshot);
  const word = wordOf[status];
  // each at its code's severity, the most severe first (a stable sort): the headline leads with one that explains it
  const reasons = withoutRepeats(snapshot.reasons ?? [])
    .map((reason) => ({ ...reason, severity: readerSeverity(reason), text: reasonText(reason, snapshot, locale) }))
    .sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
  if (stale) {
    return headline('Unknown', 'neutral', fill(m.status.lastKnown, { label: m.status.words[word], age: formatAge(snapshot.generatedAt, now, m) }), reasons);
  }
  // worse than the file says of itself: its reasons do not explain it, its details under it do
  if (status !== claimed) return headline(word, overallTone[status], fill(m.status.contradicted, { label: m.status.words[wordOf[claimed]] }), reasons);
  const [first, ...rest] = reasons;
  if (status !== 'healthy' && first) return headline(word, overallTone[status], first.text, rest);
  return headline(word, overallTone[status], status === 'healthy' ? healthyDetail(snapshot, m) : m.status[status], reasons);
}

/**
 * Each fact once: with no credits left, "the balance pays for no more runs" (funding_ends_soon) says
 * again what credits_exhausted says. It is never the more severe of the two, so the status stands.
 */
export function withoutRepeats(reasons: Reasons): Reasons {
  if (!reasons.some((reason) => reason.code === 'credits_exhausted')) return reasons;
  return reasons.filter((reason) => reason.code !== 'funding_ends_soon');
}

/**
 * Healthy says only what holds: notices (a paused charter, one without recorded runs) do not change
 * the status, but a page whose every charter is paused must not claim that charters run on schedule.
 * Each charter as the reader judges it (readerCharterState): a file that states no states (an older
 * one) says "run on schedule" only of enabled charters whose facts imply no problem.
 */
function healthyDetail(snapshot: PublishedStatus, m: Messages): string {
  const charters = snapshot.charters ?? [];
  if (charters.length === 0 && (snapshot.chartersTotal ?? 0) === 0) return m.status.noCharters;
  const works = charters.map((charter) => {
    const state = readerCharterState(charter);
    return state === undefined ? charter.enabled : state === 'ok' || state === 'running';
  });
  if (!snapshot.reasons?.length && works.every(Boolean)) return m.status.healthy;
  // charters left out of a long list are the least severe: they may well be running
  const working = charters.length < (snapshot.chartersTotal ?? 0) || works.some(Boolean);
  return working ? m.status.someWork : m.status.noneWork;
}
