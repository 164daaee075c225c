// The system account's latest threads (the snapshot's recentRuns): what the charters last worked on.
// The snapshot says nothing of their outcome, so neither does the page: each charter's card has its
// last finished run.
import { memo } from 'react';
import type { PublishedStatus } from '../../shared/contract.ts';
import { When } from './when.tsx';

export const RecentRuns = memo(function RecentRuns({ runs }: { runs: PublishedStatus['recentRuns'] }) {
  if (runs.length === 0) return <p className="empty">No recent threads.</p>;
  return (
    <details className="threads">
      <summary>The latest {runs.length === 1 ? 'thread' : `${runs.length} threads`} of the system account</summary>
      <p className="muted">Whether a thread's run succeeded is not in the status file: see each charter's last finished run above.</p>
      <ul>
        {runs.map((run) => (
          <li key={run.id} data-run={run.id}>
            <span className="name">{run.title ?? <span className="muted">(untitled)</span>}</span>
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
