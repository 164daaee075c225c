// Balance, burn and runway: the figures that would have shown the outage coming.
import type { Credits, SpendHour } from '../../shared/contract.ts';
import { creditHealthText } from '../lib/describe-status.ts';
import { formatCredits, formatRunway, formatUsd } from '../lib/format-credits.ts';
import { SpendChart } from './spend-chart.tsx';
import { ToneLabel } from './tone-icon.tsx';

export function CreditsPanel({ credits, spendByHour }: { credits: Credits; spendByHour: readonly SpendHour[] }) {
  const health = creditHealthText[credits.health];
  return (
    <div className="credits">
      <dl className="figures">
        <div>
          <dt>Balance</dt>
          <dd data-testid="balance">
            <span className="figure">{formatUsd(credits.balanceUsd)}</span>
            <span className="muted">{formatCredits(credits.balance)}</span>
          </dd>
        </div>
        <div>
          <dt>Burn</dt>
          <dd data-testid="burn">
            <span className="figure">{formatCredits(credits.burnPerHour)}</span>
            <span className="muted">per hour ({formatCredits(credits.spentLast24h)} in 24 h)</span>
          </dd>
        </div>
        <div>
          <dt>Runway</dt>
          <dd data-testid="runway">
            <span className="figure">{formatRunway(credits.runwayHours)}</span>
            <span className="muted">at the current burn</span>
          </dd>
        </div>
        <div>
          <dt>Credit health</dt>
          <dd data-testid="credit-health">
            <span className="figure">
              <ToneLabel tone={health.tone} label={health.label} />
            </span>
          </dd>
        </div>
      </dl>
      <SpendChart hours={spendByHour} />
    </div>
  );
}
