// The page's one island: everything that comes from governance-status.json. Before the first good
// snapshot it renders the same sections with placeholders of the same size, so nothing jumps.
import type { GovernanceStatus } from '../../shared/contract.ts';
import { overallStatusText } from '../lib/describe-status.ts';
import { formatAgo, formatClockTime } from '../lib/format-time.ts';
import { formatStaleMessage, isStale } from '../lib/staleness.ts';
import { ChartersTable } from './charters-table.tsx';
import { CreditsPanel } from './credits-panel.tsx';
import { FailedRunsTable, RecentRunsTable } from './run-tables.tsx';
import { TimeTip } from './time-tip.tsx';
import { ToneIcon } from './tone-icon.tsx';
import { useNow, useSnapshot } from './use-snapshot.ts';

function Placeholder() {
  return <div className="placeholder" aria-hidden="true" />;
}

function Headline({ snapshot, now }: { snapshot: GovernanceStatus | null; now: number | null }) {
  const text = snapshot ? overallStatusText[snapshot.status] : null;
  return (
    <section className={`headline tone-box-${text?.tone ?? 'neutral'}`} aria-labelledby="status-heading">
      <h2 id="status-heading" className="visually-hidden">
        Current status
      </h2>
      <div aria-live="polite" aria-atomic="true" data-testid="status">
        {text ? (
          <p className="status-line">
            <ToneIcon tone={text.tone} />
            <strong className="status-word">{text.label}</strong>
            <span className="status-detail">{text.detail}</span>
          </p>
        ) : (
          <p className="status-line">
            <strong className="status-word">Loading…</strong>
            <span className="status-detail">Fetching the latest snapshot.</span>
          </p>
        )}
      </div>
      <p className="updated" data-testid="updated">
        {snapshot && now !== null ? (
          <>
            Updated <TimeTip iso={snapshot.generatedAt}>{formatAgo(Date.parse(snapshot.generatedAt), now)}</TimeTip>
          </>
        ) : (
          '\u00a0'
        )}
      </p>
    </section>
  );
}

export default function StatusIsland({ statusUrl }: { statusUrl: string }) {
  const { snapshot, receivedAt, failure } = useSnapshot(statusUrl);
  const now = useNow();
  const data = now === null ? null : snapshot;
  const stale = data !== null && now !== null && isStale(data.staleAfter, now);
  return (
    <div className="island" aria-busy={data === null}>
      <div className="notices" aria-live="polite">
        {stale && (
          <p className="banner banner-stale" data-testid="stale-banner">
            <ToneIcon tone="bad" /> {formatStaleMessage(data.generatedAt, now)}
          </p>
        )}
        {failure && (
          <p className="banner banner-note" data-testid="refresh-note">
            <ToneIcon tone="warn" />{' '}
            {receivedAt === null
              ? `Could not load the status: ${failure}. Retrying.`
              : `Could not refresh since ${formatClockTime(receivedAt)}: ${failure}. Showing the last good data.`}
          </p>
        )}
      </div>
      <Headline snapshot={data} now={now} />
      <section aria-labelledby="credits-heading">
        <h2 id="credits-heading">Credits</h2>
        <CreditsPanel credits={data?.credits ?? null} spendByHour={data?.spendByHour ?? []} />
      </section>
      <section aria-labelledby="charters-heading">
        <h2 id="charters-heading">Charters</h2>
        {data && now !== null ? <ChartersTable charters={data.charters} now={now} /> : <Placeholder />}
      </section>
      <section aria-labelledby="failed-heading">
        <h2 id="failed-heading">Failed runs, last 24 hours</h2>
        {data ? <FailedRunsTable runs={data.failedRuns} /> : <Placeholder />}
      </section>
      <section aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent runs</h2>
        {data ? <RecentRunsTable runs={data.recentRuns} /> : <Placeholder />}
      </section>
    </div>
  );
}
