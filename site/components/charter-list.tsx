// Every governance schedule as one card: its state judged against its own cron, the schedule in
// words, the next and the last finished run, the last 24 hours with their failures, its 90 days
// (uptime, a bar of days, the days with problems) and its open incident. A file of the first release
// has no state or counts: those fields are left out.
import { memo, type ReactNode } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { dayClassText, type DayClass } from '../../shared/history.ts';
import { type CharterHistory } from '../lib/describe-history.ts';
import { costPerRun } from '../lib/describe-usage.ts';
import { formatCredits } from '../lib/format-credits.ts';
import { describeCounts, plural } from '../lib/describe-runs.ts';
import { charterStateText, runStatusText, scheduleErrorText } from '../lib/describe-status.ts';
import { CharterDays } from './charter-days.tsx';
import { openIncidentTitle } from './incident-list.tsx';
import { ToneLabel } from './tone-icon.tsx';
import { words as usageWords } from './usage-panel.tsx';
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
  return (
    <Field name="Schedule">
      {charter.scheduleText && <span className="schedule-text">{charter.scheduleText} </span>}
      <span className="cron-line">
        <code className="cron">{unbroken(charter.cron)}</code> · {charter.timezone}
      </span>
      {charter.scheduleError && <strong> ({scheduleErrorText[charter.scheduleError]})</strong>}
    </Field>
  );
}

/** The latest finished run, and the latest success when that was another run: each run once, by when it finished. */
function LastRuns({ charter }: { charter: PublishedCharter }) {
  const { lastRun, lastSuccessAt } = charter;
  return (
    <>
      <Field name="Last finished">
        {lastRun ? (
          <>
            <ToneLabel {...runStatusText[lastRun.status]} /> <When iso={lastRun.finishedAt ?? lastRun.scheduledFor} relative="ago" />
          </>
        ) : (
          <span className="muted">none yet</span>
        )}
      </Field>
      {lastRun?.status !== 'success' && (
        <Field name="Last success">{lastSuccessAt ? <When iso={lastSuccessAt} relative="ago" /> : <span className="muted">never</span>}</Field>
      )}
    </>
  );
}

/** The last 24 hours' counts; the failed and missed runs the snapshot lists for this charter open under them. */
function LastDay({ charter, snapshot }: { charter: PublishedCharter; snapshot: PublishedStatus }) {
  const mine = (run: { charterId?: string; charter: string }) => (run.charterId === undefined ? run.charter === charter.name : run.charterId === charter.id);
  const failed = snapshot.failedRuns.filter(mine).map((run) => ({ at: run.scheduledFor, key: run.runId, run }));
  const missed = (snapshot.missedRuns ?? []).filter(mine).map((run) => ({ at: run.expectedAt, key: `missed ${run.expectedAt}`, run: null }));
  const listed = [...failed, ...missed].sort((a, b) => b.at.localeCompare(a.at));
  const counts = charter.runs24h;
  const summary = counts ? describeCounts(counts) : `${plural(failed.length, 'failed run')} listed`;
  if (listed.length === 0) return counts ? <Field name="Last 24 h">{summary}</Field> : null;
  const bad = counts ? counts.failed + counts.skipped + counts.missed : listed.length;
  return (
    <Field name="Last 24 h">
      <details className="runs">
        <summary>{summary}</summary>
        {bad > listed.length && <p className="muted">The latest {listed.length} of them:</p>}
        <ul>
          {listed.map(({ at, key, run }) => (
            <li key={key} data-run={run?.runId}>
              <When iso={at} />{' '}
              {run === null ? (
                'missed: no run was recorded'
              ) : (
                <>
                  failed{run.errorCode && <>: <code>{run.errorCode}</code></>}
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

function CharterCard({ charter, snapshot, history, days }: { charter: PublishedCharter; snapshot: PublishedStatus; history: GovernanceHistory | null; days: CharterHistory | undefined }) {
  const state = charter.state && charterStateText(charter.state);
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
            {charter.stateSince && (
              <span className="muted">
                {' '}
                since <When iso={charter.stateSince} />
              </span>
            )}
          </span>
        )}
      </h3>
      <dl className="fields">
        <Schedule charter={charter} />
        <Field name="Next run">
          {charter.nextRunAt ? <When iso={charter.nextRunAt} relative="ahead" /> : <span className="muted">{charter.enabled ? 'not scheduled' : 'paused'}</span>}
        </Field>
        <LastRuns charter={charter} />
        <LastDay charter={charter} snapshot={snapshot} />
        {cost && (
          <Field name={usageWords.costPerRun}>
            <span data-testid="cost-per-run">{formatCredits(cost)}</span>
          </Field>
        )}
        {open.map((id) => {
          const incident = history?.incidents.find((item) => item.id === id);
          return (
            <Field key={id} name="Open incident">
              {openIncidentTitle(id, snapshot, incident, names).replace(`${charter.name}: `, '')}
            </Field>
          );
        })}
      </dl>
      {days && <CharterDays days={days} />}
    </li>
  );
}

const legend: DayClass[] = ['ok', 'some_failures', 'failed', 'missed', 'none_expected', 'no_data'];

type Props = { snapshot: PublishedStatus; history: GovernanceHistory | null; histories: Map<string, CharterHistory> | null };

export const CharterList = memo(function CharterList({ snapshot, history, histories }: Props) {
  const { charters, chartersTotal = 0 } = snapshot;
  if (charters.length === 0) return <p className="empty">No governance charters are scheduled.</p>;
  return (
    <>
      {chartersTotal > charters.length && <p className="muted">The {charters.length} most severe of {chartersTotal} charters:</p>}
      <ul className="charters">
        {charters.map((charter) => (
          <CharterCard key={charter.id ?? charter.name} charter={charter} snapshot={snapshot} history={history} days={charter.id === undefined ? undefined : histories?.get(charter.id)} />
        ))}
      </ul>
      {histories && (
        <ul className="legend" aria-label="Key to the bars of days">
          {legend.map((dayClass) => (
            <li key={dayClass}>
              <span className={`day day-${dayClass}`} aria-hidden="true" />
              {dayClassText[dayClass]}
            </li>
          ))}
        </ul>
      )}
      {history && (history.chartersTotal ?? 0) > history.charters.length && (
        <p className="muted" data-testid="history-partial">
          The history shows {history.charters.length} of {history.chartersTotal} charters, the most severe first.
        </p>
      )}
    </>
  );
});
