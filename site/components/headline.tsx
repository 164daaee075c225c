// The headline: the status in words with its most severe reason, every other reason under it with
// its severity in words, the open incidents, and how fresh the data is by the server's clock. Past
// staleAfter it says Unknown, in a neutral tone. The record's line (use-record.ts) is in the box: one
// that does not verify turns the box red.
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { severityText, type Headline, type Tone } from '../lib/describe-status.ts';
import { describeFreshness } from '../lib/freshness.ts';
import { OpenIncidents } from './incident-list.tsx';
import { ToneIcon, ToneLabel } from './tone-icon.tsx';
import { useClock } from './use-clock.ts';
import { When } from './when.tsx';

type Props = { headline: Headline; snapshot: PublishedStatus | null; history: GovernanceHistory | null; record: { tone: Tone; text: string } };

/** "Updated 15 s ago" by the server's clock, or what a snapshot from the future is; ticks on its own. */
function Updated({ generatedAt }: { generatedAt: string }) {
  const at = Date.parse(generatedAt);
  return (
    <time dateTime={generatedAt} title={generatedAt}>
      {useClock((now) => describeFreshness(at, now))}
    </time>
  );
}

export function HeadlineBox({ headline, snapshot, history, record }: Props) {
  const since = snapshot?.reasons?.[0]?.charterId === null ? snapshot.reasons[0].since : null;
  // A record that does not verify: the box never looks healthy, whatever the data says.
  const broken = record.tone === 'bad' ? ' record-broken' : '';
  return (
    <section className={`headline tone-box-${headline.tone}${broken}`} aria-labelledby="status-heading">
      <h2 id="status-heading" className="visually-hidden">
        Current status
      </h2>
      <div aria-live="polite" aria-atomic="true" data-testid="status">
        <p className="status-line">
          {headline.word !== 'Loading' && <ToneIcon tone={headline.tone} />}
          <strong className="status-word">{headline.word}</strong>
          <span className="status-detail">
            {headline.detail}
            {since && headline.word !== 'Unknown' && (
              <>
                {' '}
                Since <When iso={since} />.
              </>
            )}
          </span>
        </p>
      </div>
      {headline.reasons.length > 0 && (
        <ul className="reasons" data-testid="reasons">
          {headline.reasons.map((reason, index) => (
            <li key={index}>
              <ToneLabel {...severityText[reason.severity]} /> <span>{reason.text}</span>
            </li>
          ))}
        </ul>
      )}
      {snapshot && <OpenIncidents snapshot={snapshot} history={history} />}
      <p className="updated">
        <span data-testid="updated">{snapshot ? <Updated generatedAt={snapshot.generatedAt} /> : '\u00a0'}</span>{' '}
        <span className={`record-line tone-${record.tone}`} data-testid="record" aria-live="polite">
          <ToneIcon tone={record.tone} /> {record.text}
        </span>
      </p>
    </section>
  );
}
