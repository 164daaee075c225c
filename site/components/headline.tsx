// The headline: the status in words with its most severe reason, every other reason under it with
// its severity in words, the open incidents, and how fresh the data is by the server's clock. Past
// staleAfter it says Unknown, in a neutral tone.
import type { ReactNode } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import { severityText, type Headline } from '../lib/describe-status.ts';
import { describeFreshness } from '../lib/freshness.ts';
import { FillNodes } from './fill-nodes.tsx';
import { OpenIncidents } from './incident-list.tsx';
import { ToneIcon, ToneLabel } from './tone-icon.tsx';
import { useClock } from './use-clock.ts';
import { When } from './when.tsx';

/** children: shown beside the freshness line (the choice of time zone). */
type Props = { headline: Headline; snapshot: PublishedStatus | null; history: GovernanceHistory | null; children?: ReactNode };

/** "Updated 15 s ago" by the server's clock, or what a snapshot from the future is; ticks on its own. */
function Updated({ generatedAt }: { generatedAt: string }) {
  const at = Date.parse(generatedAt);
  const { m } = useLocale();
  return (
    <time dateTime={generatedAt} title={generatedAt}>
      {useClock((now) => describeFreshness(at, now, m))}
    </time>
  );
}

export function HeadlineBox({ headline, snapshot, history, children }: Props) {
  const { m } = useLocale();
  const since = snapshot?.reasons?.[0]?.charterId === null ? snapshot.reasons[0].since : null;
  return (
    <section className={`headline tone-box-${headline.tone}`} aria-labelledby="status-heading">
      <h2 id="status-heading" className="visually-hidden">
        {m.status.current}
      </h2>
      <div aria-live="polite" aria-atomic="true" data-testid="status">
        <p className="status-line">
          {headline.word !== 'Loading' && <ToneIcon tone={headline.tone} />}
          <strong className="status-word">{headline.label}</strong>
          <span className="status-detail">
            {headline.detail}
            {since && headline.word !== 'Unknown' && (
              <>
                {' '}
                <FillNodes template={m.status.since} values={{ time: <When iso={since} /> }} />
              </>
            )}
          </span>
        </p>
      </div>
      {headline.reasons.length > 0 && (
        <ul className="reasons" data-testid="reasons">
          {headline.reasons.map((reason, index) => (
            <li key={index}>
              <ToneLabel {...severityText(reason.severity, m)} /> <span>{reason.text}</span>
            </li>
          ))}
        </ul>
      )}
      {snapshot && <OpenIncidents snapshot={snapshot} history={history} />}
      {children}
      <p className="updated" data-testid="updated">
        {snapshot ? <Updated generatedAt={snapshot.generatedAt} /> : '\u00a0'}
      </p>
    </section>
  );
}
