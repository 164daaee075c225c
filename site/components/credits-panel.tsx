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

function describeRunwayBasis(runwayHours: number | null): string {
  if (runwayHours === null) return 'the balance is not being spent';
  if (runwayHours === 0) return 'scheduled runs cannot be paid for';
  return 'at the current burn';
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
          note={credits ? describeRunwayBasis(credits.runwayHours) : blank} />
        <Figure name="Credit health" testId="credit-health" main={health ? <ToneLabel {...health} /> : dash}
          note={health ? health.detail : blank} />
      </dl>
      <SpendChart hours={spendByHour} />
    </div>
  );
}
