// Balance, burn and runway: the figures that would have shown the outage coming. Without data it
// renders the same boxes with dashes, so the page does not move when the first snapshot arrives.
import type { ReactNode } from 'react';
import type { Credits, SpendHour } from '../../shared/contract.ts';
import { creditHealthText } from '../lib/describe-status.ts';
import { formatCredits, formatRunway, formatUsd } from '../lib/format-credits.ts';
import { SpendChart } from './spend-chart.tsx';
import { ToneLabel } from './tone-icon.tsx';

const dash = '—';
const blank = '\u00a0';

function Figure({ name, testId, main, note }: { name: string; testId: string; main: ReactNode; note: string }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd data-testid={testId}>
        <span className="figure">{main}</span>
        <span className="muted">{note}</span>
      </dd>
    </div>
  );
}

export function CreditsPanel({ credits, spendByHour }: { credits: Credits | null; spendByHour: readonly SpendHour[] }) {
  const health = credits && creditHealthText[credits.health];
  return (
    <div className="credits">
      <dl className="figures">
        <Figure name="Balance" testId="balance" main={credits ? formatUsd(credits.balanceUsd) : dash}
          note={credits ? formatCredits(credits.balance) : blank} />
        <Figure name="Burn per hour" testId="burn" main={credits ? formatCredits(credits.burnPerHour) : dash}
          note={credits ? `${formatCredits(credits.spentLast24h)} in the last 24 h` : blank} />
        <Figure name="Runway" testId="runway" main={credits ? formatRunway(credits.runwayHours) : dash}
          note={credits ? 'at the current burn' : blank} />
        <Figure name="Credit health" testId="credit-health" main={health ? <ToneLabel tone={health.tone} label={health.label} /> : dash}
          note={health ? (credits.health === 'green' ? 'more than a day of runway' : 'a day or less of runway') : blank} />
      </dl>
      <SpendChart hours={spendByHour} />
    </div>
  );
}
