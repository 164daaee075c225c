// Every governance schedule as one card: its state judged against its own cron, the schedule in
// words, the next and the last finished run, the last 24 hours with their failures, its 90 days
// (uptime, a bar of days, the days with problems) and its open incident. A file of the first release
// has no state or counts: those fields are left out.
import { memo, type ReactNode } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import type { DayClass } from '../../shared/history.ts';
import { readerCharterState } from '../../shared/snapshot-trust.ts';
import { useLocale } from '../i18n/context.ts';
import { fill, plural } from '../i18n/fill.ts';
import { type CharterHistory } from '../lib/describe-history.ts';
import { describeCounts } from '../lib/describe-runs.ts';
import { charterStateText, runStatusTone } from '../lib/describe-status.ts';
import { costPerRun } from '../lib/describe-usage.ts';
import { formatCredits } from '../lib/format-credits.ts';
import { CharterDays } from './charter-days.tsx';
import { openIncidentTitle } from './incident-list.tsx';
import { ToneLabel } from './tone-icon.tsx';
import { When } from './when.tsx';

type PublishedCharter = PublishedStatus['charters'][number];

export const Field = ({ name, children }: { name: string; children: ReactNode }) => (
  <div>
    <dt>{name}</dt>
    <dd>{children}</dd>
  </div>
);

/** A cron never breaks inside itself: it wraps as a whole, or, longer than a line, anywhere. */
const unbroken = (cron: string) => cron.replace(/ /g, '\u00a0');

function Schedule({ charter }: { charter: PublishedCharter }) {
  const { m } = useLocale();
  return (
    <Field name={m.charters.schedule}>
      {charter.scheduleText && <span className="schedule-text">{charter.scheduleText} </span>}
      <span className="cron-line">
        <code className="cron">{unbroken(charter.cron)}</code> · {charter.timezone}
      </span>
      {charter.scheduleError && <strong> ({m.charters.scheduleErrors[charter.scheduleError]})</strong>}
    </Field>
  );
}

/** The latest finished run, and the latest success when that was another run: each run once, by when it finished. */
function LastRuns({ charter }: { charter: PublishedCharter }) {
  const { m } = useLocale();
  const words = m.charters;
  const { lastRun, lastSuccessAt } = charter;
  return (
    <>
      <Field name={words.lastFinished}>
        {lastRun ? (
          <>
            <ToneLabel tone={runStatusTone[lastRun.status]} label={words.runs[lastRun.status]} /> <When iso={lastRun.finishedAt ?? lastRun.scheduledFor} relative="ago" />
          </>
        ) : (
          <span className="muted">{words.noneYet}</span>
        )}
      </Field>
      {lastRun?.status !== 'success' && (
        <Field name={words.lastSuccess}>{lastSuccessAt ? <When iso={lastSuccessAt} relative="ago" /> : <span className="muted">{words.never}</span>}</Field>
      )}
    </>
  );
}

/** The last 24 hours' counts; the failed and missed runs the snapshot lists for this charter open under them. */
function LastDay({ charter, snapshot }: { charter: PublishedCharter; snapshot: PublishedStatus }) {
  const { m } = useLocale();
  const words = m.charters;
  const mine = (run: { charterId?: string; charter: string }) => (run.charterId === undefined ? run.charter === charter.name : run.charterId === charter.id);
  const failed = snapshot.failedRuns.filter(mine).map((run) => ({ at: run.scheduledFor, key: run.runId, run }));
  const missed = (snapshot.missedRuns ?? []).filter(mine).map((run) => ({ at: run.expectedAt, key: `missed ${run.expectedAt}`, run: null }));
  const listed = [...failed, ...missed].sort((a, b) => b.at.localeCompare(a.at));
  const counts = charter.runs24h;
  const summary = counts ? describeCounts(counts, m) : plural(m.locale, words.failedListed, failed.length);
  if (listed.length === 0) return counts ? <Field name={words.lastDay}>{summary}</Field> : null;
  const bad = counts ? counts.failed + counts.skipped + counts.missed : listed.length;
  return (
    <Field name={words.lastDay}>
      <details className="runs">
        <summary>{summary}</summary>
        {bad > listed.length && <p className="muted">{fill(words.latestOf, { count: listed.length })}</p>}
        <ul>
          {listed.map(({ at, key, run }) => (
            <li key={key} data-run={run?.runId}>
              <When iso={at} />{' '}
              {run === null ? (
                words.missedRun
              ) : (
                <>
                  {words.failedRun}{run.errorCode && <>: <code>{run.errorCode}</code></>}
                  {run.errorMessage && run.errorMessage !== run.errorCode && <span className="message">{run.errorMessage}</span>}
                </>
              )}
            </li>
          ))}
        </ul>
      </details>
    </Field>
  );
}

/** Memoised: the cards already drawn are not drawn again while the rest unfold, nor on a tick. */
const CharterCard = memo(function CharterCard({ charter, snapshot, history, days }: { charter: PublishedCharter; snapshot: PublishedStatus; history: GovernanceHistory | null; days: CharterHistory | undefined }) {
  const { m } = useLocale();
  const words = m.charters;
  // the state its own last run implies when the file states a better one (shared/snapshot-trust.ts)
  const judged = readerCharterState(charter);
  const state = judged && charterStateText(judged, m);
  const open = (snapshot.openIncidents ?? []).filter((id) => charter.id !== undefined && id.startsWith(`${charter.id}@`));
  const names = new Map([[charter.id ?? charter.name, charter.name]]);
  const cost = costPerRun(snapshot, charter.id);
  return (
    <li className="card" data-charter={charter.name}>
      <h3 className="card-head">
        <span className="name">{charter.name}</span>{' '}
        {state && (
          <span className="state">
            <ToneLabel {...state} />
            {charter.stateSince && judged === charter.state && (
              <span className="muted">
                {' '}
                {words.since} <When iso={charter.stateSince} />
              </span>
            )}
          </span>
        )}
      </h3>
      <dl className="fields">
        <Schedule charter={charter} />
        <Field name={words.nextRun}>
          {charter.nextRunAt ? <When iso={charter.nextRunAt} relative="ahead" /> : <span className="muted">{charter.enabled ? words.notScheduled : words.paused}</span>}
        </Field>
        <LastRuns charter={charter} />
        <LastDay charter={charter} snapshot={snapshot} />
        {cost && (
          <Field name={m.usage.costPerRun}>
            <span data-testid="cost-per-run">{formatCredits(cost, m)}</span>
          </Field>
        )}
        {open.map((id) => {
          const incident = history?.incidents.find((item) => item.id === id);
          return (
            <Field key={id} name={words.openIncident}>
              {openIncidentTitle(id, incident, names, m).replace(`${charter.name}: `, '')}
            </Field>
          );
        })}
      </dl>
      {days && <CharterDays days={days} charterId={charter.id!} />}
    </li>
  );
});

const legend: DayClass[] = ['ok', 'some_failures', 'failed', 'missed', 'none_expected', 'no_data'];

/** shown: how many cards to render yet (status-island.tsx unfolds the page one part per task) */
type Props = { snapshot: PublishedStatus; history: GovernanceHistory | null; histories: Map<string, CharterHistory> | null; shown: number };

export const CharterList = memo(function CharterList({ snapshot, history, histories, shown }: Props) {
  const { m } = useLocale();
  const words = m.charters;
  const { charters, chartersTotal = 0 } = snapshot;
  // the legend once every card is in, so it never moves
  const complete = shown >= charters.length;
  if (charters.length === 0) return <p className="empty">{words.none}</p>;
  return (
    <>
      {chartersTotal > charters.length && <p className="muted">{fill(words.mostSevere, { shown: charters.length, total: chartersTotal })}</p>}
      <ul className="charters">
        {charters.slice(0, shown).map((charter) => (
          <CharterCard key={charter.id ?? charter.name} charter={charter} snapshot={snapshot} history={history} days={charter.id === undefined ? undefined : histories?.get(charter.id)} />
        ))}
      </ul>
      {histories && complete && (
        <ul className="legend" aria-label={words.legend}>
          {legend.map((dayClass) => (
            <li key={dayClass}>
              <span className={`day day-${dayClass}`} aria-hidden="true" />
              {m.days.classes[dayClass]}
            </li>
          ))}
        </ul>
      )}
      {complete && history && (history.chartersTotal ?? 0) > history.charters.length && (
        <p className="muted" data-testid="history-partial">
          {fill(words.historyPartial, { shown: history.charters.length, total: history.chartersTotal ?? 0 })}
        </p>
      )}
    </>
  );
});
