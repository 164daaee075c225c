// The headline: the status in words with its most severe reason, every other reason under it with
// its severity in words, the open incidents, and how fresh the data is by the server's clock. Past
// staleAfter it says Unknown, in a neutral tone. The record's line (use-record.ts) is in the box: one
// that does not verify turns the box red.
import type { ReactNode } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import { severityText, type Headline, type Tone } from '../lib/describe-status.ts';
import { describeFreshness } from '../lib/freshness.ts';
import { FillNodes } from './fill-nodes.tsx';
import { OpenIncidents } from './incident-list.tsx';
import { ToneIcon, ToneLabel } from './tone-icon.tsx';
import { useClock } from './use-clock.ts';
import { When } from './when.tsx';

/** children: shown beside the freshness line (the choice of time zone); record: the signed record's line. */
type Props = { headline: Headline; snapshot: PublishedStatus | null; history: GovernanceHistory | null; record: { tone: Tone; text: string }; children?: ReactNode };

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

export function HeadlineBox({ headline, snapshot, history, record, children }: Props) {
  const { m } = useLocale();
  const since = snapshot?.reasons?.[0]?.charterId === null ? snapshot.reasons[0].since : null;
  // A record that does not verify: the box never looks healthy, whatever the data says.
  const broken = record.tone === 'bad' ? ' record-broken' : '';
  return (
    <section className={`headline tone-box-${headline.tone}${broken}`} aria-labelledby="status-heading">
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
      <p className="updated">
        <span data-testid="updated">{snapshot ? <Updated generatedAt={snapshot.generatedAt} /> : '\u00a0'}</span>{' '}
        <span className={`record-line tone-${record.tone}`} data-testid="record" aria-live="polite">
          <ToneIcon tone={record.tone} /> {record.text}
        </span>
      </p>
    </section>
  );
}
