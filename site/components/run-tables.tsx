// The two run lists: failures of the last 24 h with their (already redacted) errors, and the
// system's most recent threads.
import type { FailedRun, RecentRun } from '../../shared/contract.ts';
import { LocalTime } from './time-tip.tsx';

export function FailedRunsTable({ runs }: { runs: readonly FailedRun[] }) {
  if (runs.length === 0) return <p className="empty">No failed runs in the last 24 hours.</p>;
  return (
    <div className="table-scroll" role="region" aria-label="Failed runs table" tabIndex={0}>
      <table>
        <thead>
          <tr>
            <th scope="col">Charter</th>
            <th scope="col">Scheduled for</th>
            <th scope="col">Error code</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.runId} data-run={run.runId}>
              <th scope="row">{run.charter}</th>
              <td>
                <LocalTime iso={run.scheduledFor} />
              </td>
              <td>{run.errorCode ? <code>{run.errorCode}</code> : <span className="muted">none</span>}</td>
              <td className="message">{run.errorMessage ?? <span className="muted">no message</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RecentRunsTable({ runs }: { runs: readonly RecentRun[] }) {
  if (runs.length === 0) return <p className="empty">No recent runs.</p>;
  return (
    <div className="table-scroll" role="region" aria-label="Recent runs table" tabIndex={0}>
      <table>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Started</th>
            <th scope="col">Last activity</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run={run.id}>
              <th scope="row">{run.title ?? <span className="muted">(untitled)</span>}</th>
              <td>
                <LocalTime iso={run.startedAt} />
              </td>
              <td>
                <LocalTime iso={run.lastActivity} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
