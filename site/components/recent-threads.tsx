// The system account's latest threads (the snapshot's recentRuns): what the charters last worked on,
// each with its latest run's outcome and charter where the ledger says them (graph_runs does, by the
// thread's state_key; schedule_runs cannot, and then the page says nothing rather than guess).
import { memo } from 'react';
import type { PublishedStatus } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import { plural } from '../i18n/fill.ts';
import { runStatusTone } from '../lib/describe-status.ts';
import { FillNodes } from './fill-nodes.tsx';
import { ToneLabel } from './tone-icon.tsx';
import { When } from './when.tsx';

type Props = { runs: PublishedStatus['recentRuns']; names: ReadonlyMap<string, string> };

export const RecentRuns = memo(function RecentRuns({ runs, names }: Props) {
  const { m } = useLocale();
  const words = m.threads;
  if (runs.length === 0) return <p className="empty">{words.none}</p>;
  return (
    <details className="threads">
      <summary>{plural(m.locale, words.latest, runs.length)}</summary>
      <ul>
        {runs.map((run) => (
          <li key={run.id} data-run={run.id}>
            {run.outcome && <ToneLabel tone={runStatusTone[run.outcome]} label={m.charters.runs[run.outcome]} />}{' '}
            <span className="name">{run.title ?? <span className="muted">{words.untitled}</span>}</span>
            {run.charterId && <span className="muted"> ({names.get(run.charterId) ?? run.charterId})</span>}
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
