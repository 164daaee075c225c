// The page's one island: everything that comes from governance-status.json and its history. Before
// the first good snapshot it renders the same sections with placeholders of the same size, so
// nothing jumps. The tab's title and favicon follow the headline.
import { useEffect, type ReactNode } from 'react';
import { describeHeadline } from '../lib/describe-status.ts';
import { formatLocalTime } from '../lib/format-time.ts';
import { formatStaleMessage, isStale } from '../lib/staleness.ts';
import { CharterList } from './charter-list.tsx';
import { CreditsPanel } from './credits-panel.tsx';
import { HeadlineBox } from './headline.tsx';
import { HistoryPanel } from './history-panel.tsx';
import { IncidentList } from './incident-list.tsx';
import { FailedRuns, MissedRuns, RecentRuns } from './run-tables.tsx';
import { Neutral, ToneIcon } from './tone-icon.tsx';
import { useNow, useStatusFiles } from './use-snapshot.ts';

function Placeholder() {
  return <div className="placeholder" aria-hidden="true" />;
}

type Props = { statusUrl: string; historyUrl: string; iconBase: string };

export default function StatusIsland({ statusUrl, historyUrl, iconBase }: Props) {
  const files = useStatusFiles(statusUrl, historyUrl);
  const now = useNow();
  const data = now === null ? null : files.snapshot.data;
  const { receivedAt, failure } = files.snapshot;
  const history = data && files.history.data;
  const stale = data !== null && now !== null && isStale(data.staleAfter, now);
  const headline = describeHeadline(data, now ?? 0, stale, failure !== null);

  useEffect(() => {
    document.title = `${headline.word} · Governance status`;
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (icon) icon.href = `${iconBase}favicon-${headline.word.toLowerCase()}.svg`;
  }, [headline.word, iconBase]);

  const section = (id: string, title: string, body: ReactNode) => (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {body || <Placeholder />}
    </section>
  );
  const historyFailure = files.history.failure && <p className="empty">The history could not be loaded: {files.history.failure}.</p>;

  return (
    <Neutral.Provider value={stale}>
      <div className={stale ? 'island stale' : 'island'} aria-busy={data === null}>
        <div className="notices" aria-live="polite">
          {stale && (
            <p className="banner banner-stale" data-testid="stale-banner">
              <ToneIcon tone="neutral" /> {formatStaleMessage(data.generatedAt, now)}
            </p>
          )}
          {failure && (
            <p className="banner banner-note" data-testid="refresh-note">
              <ToneIcon tone="warn" />{' '}
              {receivedAt === null
                ? `Could not load the status: ${failure}. Retrying.`
                : `Could not refresh since ${formatLocalTime(receivedAt)}: ${failure}. Showing the last good data.`}
            </p>
          )}
        </div>
        <HeadlineBox headline={headline} snapshot={data} history={history} now={now} />
        <section aria-labelledby="credits-heading">
          <h2 id="credits-heading">Credits</h2>
          <CreditsPanel snapshot={data} history={history} historyFailed={!history && files.history.failure !== null} />
        </section>
        {section('charters-heading', 'Charters', data && now !== null && <CharterList snapshot={data} now={now} />)}
        {section('failed-heading', 'Failed runs, last 24 hours', data && <FailedRuns snapshot={data} />)}
        {section('missed-heading', 'Missed runs, last 24 hours', data && <MissedRuns snapshot={data} />)}
        {section('history-heading', 'Last 90 days', history ? <HistoryPanel history={history} /> : data && historyFailure)}
        {section('incidents-heading', 'Incidents, last 90 days', history ? <IncidentList history={history} /> : data && historyFailure)}
        {section('recent-heading', 'Recent runs', data && <RecentRuns runs={data.recentRuns} />)}
      </div>
    </Neutral.Provider>
  );
}
