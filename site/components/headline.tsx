// The headline: the status in words with its most severe reason, every other reason under it with
// its severity in words, and the open incidents. Past staleAfter it says Unknown, in a neutral tone.
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { severityText, type Headline } from '../lib/describe-status.ts';
import { OpenIncidents } from './incident-list.tsx';
import { ToneIcon, ToneLabel } from './tone-icon.tsx';
import { When } from './when.tsx';

type Props = { headline: Headline; snapshot: PublishedStatus | null; history: GovernanceHistory | null; now: number | null };

export function HeadlineBox({ headline, snapshot, history, now }: Props) {
  return (
    <section className={`headline tone-box-${headline.tone}`} aria-labelledby="status-heading">
      <h2 id="status-heading" className="visually-hidden">
        Current status
      </h2>
      <div aria-live="polite" aria-atomic="true" data-testid="status">
        <p className="status-line">
          {headline.word !== 'Loading' && <ToneIcon tone={headline.tone} />}
          <strong className="status-word">{headline.word}</strong>
          <span className="status-detail">{headline.detail}</span>
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
      <OpenIncidents ids={snapshot?.openIncidents ?? []} history={history} />
      <p className="updated" data-testid="updated">
        {snapshot && now !== null ? (
          <>
            Updated <When iso={snapshot.generatedAt} now={now} />
          </>
        ) : (
          '\u00a0'
        )}
      </p>
    </section>
  );
}
