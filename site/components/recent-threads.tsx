// The system account's latest threads (the snapshot's recentRuns): what the charters last worked on.
// The snapshot says nothing of their outcome, so neither does the page: each charter's card has its
// last finished run.
import { memo } from 'react';
import type { PublishedStatus } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import { plural } from '../i18n/fill.ts';
import { FillNodes } from './fill-nodes.tsx';
import { When } from './when.tsx';

export const RecentRuns = memo(function RecentRuns({ runs }: { runs: PublishedStatus['recentRuns'] }) {
  const { m } = useLocale();
  const words = m.threads;
  if (runs.length === 0) return <p className="empty">{words.none}</p>;
  return (
    <details className="threads">
      <summary>{plural(m.locale, words.latest, runs.length)}</summary>
      <p className="muted">{words.outcome}</p>
      <ul>
        {runs.map((run) => (
          <li key={run.id} data-run={run.id}>
            <span className="name">{run.title ?? <span className="muted">{words.untitled}</span>}</span>
            <span className="muted">
              {' '}
              <FillNodes template={words.times} values={{ started: <When iso={run.startedAt} />, active: <When iso={run.lastActivity} /> }} />
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
});
