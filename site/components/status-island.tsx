// The page's one island: everything that comes from governance-status.json and its history, in the
// order a member reads it: the headline and its reasons, the open incidents, the charters (each with
// its 90 days), the credits and what they bought, then the history of incidents. Until both files are in (or the history
// is late) it shows the headline alone above a reserved space, so nothing on screen moves when the
// data arrives. Only what changes re-renders: times tick on their own (use-clock.ts), the sections
// render when a file changes. The tab's title and favicon follow the headline.
import { useEffect, useMemo, type ReactNode } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { describeCharterHistories } from '../lib/describe-history.ts';
import { describeHeadline } from '../lib/describe-status.ts';
import { formatLocalTime } from '../lib/format-time.ts';
import type { NoteMeta } from '../lib/notes.ts';
import { formatStaleMessage, isStale } from '../lib/staleness.ts';
import { CharterList } from './charter-list.tsx';
import { CreditsPanel } from './credits-panel.tsx';
import { HeadlineBox } from './headline.tsx';
import { IncidentHistory } from './incident-history.tsx';
import { RecentRuns } from './recent-threads.tsx';
import { Neutral, ToneIcon } from './tone-icon.tsx';
import { UsagePanel, words as usageWords } from './usage-panel.tsx';
import { useClock } from './use-clock.ts';
import { useFeedLinks } from './use-page-links.ts';
import { useStatusFiles, type Schemas } from './use-snapshot.ts';

export type IslandProps = { statusUrl: string; historyUrl: string; iconBase: string; notes: NoteMeta[]; schemas: Schemas };

const Section = ({ id, title, children }: { id: string; title: string; children: ReactNode }) => (
  <section aria-labelledby={id}>
    <h2 id={id}>{title}</h2>
    {children}
  </section>
);

function Sections({ snapshot, history, historyFailure, notes }: { snapshot: PublishedStatus; history: GovernanceHistory | null; historyFailure: string | null; notes: NoteMeta[] }) {
  const histories = useMemo(() => (history ? describeCharterHistories(history) : null), [history]);
  const failure = historyFailure && <p className="empty">The history could not be loaded: {historyFailure}.</p>;
  return (
    <>
      <Section id="charters-heading" title="Charters">
        <CharterList snapshot={snapshot} history={history} histories={histories} />
      </Section>
      <Section id="credits-heading" title="Credits">
        <CreditsPanel snapshot={snapshot} history={history} />
      </Section>
      {snapshot.usage && (
        <Section id="usage-heading" title={usageWords.title}>
          <UsagePanel snapshot={snapshot} history={history} />
        </Section>
      )}
      <Section id="incidents-heading" title={`Incidents, last ${history?.days.length ?? 90} days`}>
        {history ? (
          <>
            <p className="muted">Newest first. A run that failed once and was repaired by the next is counted in the days, not listed here.</p>
            <IncidentHistory history={history} notes={notes} />
          </>
        ) : (
          (failure ?? <p className="empty">The history is still loading.</p>)
        )}
      </Section>
      <Section id="recent-heading" title="Latest threads">
        <RecentRuns runs={snapshot.recentRuns} />
      </Section>
    </>
  );
}

export default function StatusIsland({ statusUrl, historyUrl, iconBase, notes, schemas }: IslandProps) {
  const files = useStatusFiles(statusUrl, historyUrl, schemas);
  const data = files.historySettled ? files.snapshot.data : null;
  const { receivedAt, failure } = files.snapshot;
  const history = data && files.history.data;
  const generatedAt = data ? Date.parse(data.generatedAt) : 0;
  // Re-rendered when the data turns stale, and then once a minute for its age; not every second.
  const stale = useClock((now) => data !== null && isStale(data.staleAfter, now));
  const ageMinutes = useClock((now) => (stale ? Math.floor((now - generatedAt) / 60_000) : 0));
  const ageNow = generatedAt + ageMinutes * 60_000;
  const headline = describeHeadline(data, ageNow, stale, failure !== null);

  useEffect(() => {
    document.title = `${headline.word} · Governance status`;
    const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (icon) icon.href = `${iconBase}favicon-${headline.word.toLowerCase()}.svg`;
  }, [headline.word, iconBase]);
  useFeedLinks(data?.feeds);

  return (
    <Neutral.Provider value={stale}>
      <div className={stale ? 'island stale' : 'island'} aria-busy={data === null}>
        <div className="notices" aria-live="polite">
          {stale && data && (
            <p className="banner banner-stale" data-testid="stale-banner">
              <ToneIcon tone="neutral" /> {formatStaleMessage(data.generatedAt, ageNow)}
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
        <HeadlineBox headline={headline} snapshot={data} history={history} />
        {data ? (
          <Sections snapshot={data} history={history} historyFailure={files.history.failure} notes={notes} />
        ) : (
          <div className="loading" aria-hidden="true">
            <div className="placeholder" />
            <div className="placeholder" />
          </div>
        )}
      </div>
    </Neutral.Provider>
  );
}
