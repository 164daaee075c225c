// Every governance schedule: when it runs next (a live countdown), when it last worked, and what is
// wrong with its schedule, if anything.
import type { Charter } from '../../shared/contract.ts';
import { runStatusText, scheduleErrorText } from '../lib/describe-status.ts';
import { formatAgo, formatCountdown } from '../lib/format-time.ts';
import { TimeTip } from './time-tip.tsx';
import { ToneLabel } from './tone-icon.tsx';

function NextRun({ charter, now }: { charter: Charter; now: number }) {
  if (charter.nextRunAt) {
    return <TimeTip iso={charter.nextRunAt}>{formatCountdown(Date.parse(charter.nextRunAt), now)}</TimeTip>;
  }
  return <span className="muted">{charter.enabled ? 'not scheduled' : 'paused'}</span>;
}

function ScheduleProblems({ charter }: { charter: Charter }) {
  const problems: string[] = [];
  if (!charter.enabled) problems.push('Paused');
  if (charter.scheduleError) problems.push(scheduleErrorText[charter.scheduleError]);
  if (problems.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="problems">
      {problems.map((problem) => (
        <li key={problem}>
          <ToneLabel tone={problem === 'Paused' ? 'neutral' : 'warn'} label={problem} />
        </li>
      ))}
    </ul>
  );
}

export function ChartersTable({ charters, now }: { charters: readonly Charter[]; now: number }) {
  if (charters.length === 0) return <p className="empty">No governance charters are scheduled.</p>;
  return (
    <div className="table-scroll" role="region" aria-label="Charters table" tabIndex={0}>
      <table>
        <thead>
          <tr>
            <th scope="col">Charter</th>
            <th scope="col">Next run</th>
            <th scope="col">Last success</th>
            <th scope="col">Last run</th>
            <th scope="col">Schedule</th>
            <th scope="col">Problems</th>
          </tr>
        </thead>
        <tbody>
          {charters.map((charter) => (
            <tr key={charter.name} data-charter={charter.name}>
              <th scope="row">{charter.name}</th>
              <td>
                <NextRun charter={charter} now={now} />
              </td>
              <td>
                {charter.lastSuccessAt ? (
                  <TimeTip iso={charter.lastSuccessAt}>{formatAgo(Date.parse(charter.lastSuccessAt), now)}</TimeTip>
                ) : (
                  <span className="muted">never</span>
                )}
              </td>
              <td>
                {charter.lastRun ? (
                  <>
                    <ToneLabel {...runStatusText[charter.lastRun.status]} />{' '}
                    <TimeTip iso={charter.lastRun.scheduledFor}>
                      {formatAgo(Date.parse(charter.lastRun.scheduledFor), now)}
                    </TimeTip>
                  </>
                ) : (
                  <span className="muted">no runs yet</span>
                )}
              </td>
              <td>
                <code>{charter.cron}</code> <span className="muted">{charter.timezone}</span>
              </td>
              <td>
                <ScheduleProblems charter={charter} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
