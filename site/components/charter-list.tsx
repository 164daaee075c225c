// Every governance schedule as a card of labelled fields (nothing to scroll sideways): its state
// judged against its own cron, the schedule in words, the next run, the last success and the last
// 24 hours. A file of the first release has no state or counts: those fields are left out.
import type { ReactNode } from 'react';
import type { PublishedStatus } from '../../shared/contract.ts';
import { describeCounts } from '../lib/describe-runs.ts';
import { charterStateText, runStatusText, scheduleErrorText } from '../lib/describe-status.ts';
import { ToneLabel } from './tone-icon.tsx';
import { When } from './when.tsx';

type PublishedCharter = PublishedStatus['charters'][number];

const Field = ({ name, children }: { name: string; children: ReactNode }) => (
  <div>
    <dt>{name}</dt>
    <dd>{children}</dd>
  </div>
);

function State({ charter }: { charter: PublishedCharter }) {
  // A file of the first release judges no states: its schedule errors show under Schedule.
  if (!charter.state) return null;
  return (
    <Field name="State">
      <ToneLabel {...charterStateText(charter.state)} />
      {charter.stateSince && (
        <span className="muted">
          {' '}
          since <When iso={charter.stateSince} />
        </span>
      )}
    </Field>
  );
}

export function CharterList({ snapshot, now }: { snapshot: PublishedStatus; now: number }) {
  const { charters, chartersTotal = 0 } = snapshot;
  if (charters.length === 0) return <p className="empty">No governance charters are scheduled.</p>;
  return (
    <>
      {chartersTotal > charters.length && <p className="muted">The {charters.length} most severe of {chartersTotal} charters:</p>}
      <ul className="charters">
        {charters.map((charter) => (
          <li key={charter.id ?? charter.name} className="card" data-charter={charter.name}>
            <h3 className="name">{charter.name}</h3>
            <dl className="fields">
              <State charter={charter} />
              <Field name="Schedule">
                {charter.scheduleText && <>{charter.scheduleText} · </>}
                <code>{charter.cron}</code> · {charter.timezone}
                {charter.scheduleError && <strong> ({scheduleErrorText[charter.scheduleError]})</strong>}
              </Field>
              <Field name="Next run">
                {charter.nextRunAt ? (
                  <When iso={charter.nextRunAt} now={now} ahead />
                ) : (
                  <span className="muted">{charter.enabled ? 'not scheduled' : 'paused'}</span>
                )}
              </Field>
              <Field name="Last success">
                {charter.lastSuccessAt ? <When iso={charter.lastSuccessAt} now={now} /> : <span className="muted">never</span>}
              </Field>
              <Field name="Last run">
                {charter.lastRun ? (
                  <>
                    <ToneLabel {...runStatusText[charter.lastRun.status]} /> <When iso={charter.lastRun.scheduledFor} now={now} />
                  </>
                ) : (
                  <span className="muted">no runs yet</span>
                )}
              </Field>
              {charter.runs24h && <Field name="Last 24 hours">{describeCounts(charter.runs24h)}</Field>}
            </dl>
          </li>
        ))}
      </ul>
    </>
  );
}
