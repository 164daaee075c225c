// The system account's latest threads (the snapshot's recentRuns): what the charters last worked on,
// each with its latest run's outcome and charter where the ledger says them (graph_runs does, by the
// thread's state_key; schedule_runs cannot, and then the page says nothing rather than guess).
import { memo } from 'react';
import type { PublishedStatus } from '../../shared/contract.ts';
import { runStatusText } from '../lib/describe-status.ts';
import { ToneLabel } from './tone-icon.tsx';
import { When } from './when.tsx';

type Props = { runs: PublishedStatus['recentRuns']; names: ReadonlyMap<string, string> };

export const RecentRuns = memo(function RecentRuns({ runs, names }: Props) {
  if (runs.length === 0) return <p className="empty">No recent threads.</p>;
  return (
    <details className="threads">
      <summary>The latest {runs.length === 1 ? 'thread' : `${runs.length} threads`} of the system account</summary>
      <ul>
        {runs.map((run) => (
          <li key={run.id} data-run={run.id}>
            {run.outcome && <ToneLabel {...runStatusText[run.outcome]} />} <span className="name">{run.title ?? <span className="muted">(untitled)</span>}</span>
            {run.charterId && <span className="muted"> ({names.get(run.charterId) ?? run.charterId})</span>}
            <span className="muted">
              {' '}
              started <When iso={run.startedAt} />, last active <When iso={run.lastActivity} />
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
});
