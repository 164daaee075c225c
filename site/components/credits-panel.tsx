// Balance, burn, runway and what the balance still pays for: the figures that would have shown the
// outage coming, beside the spend of the last 24 hours and the last 90 days. Without data it renders
// the same boxes with dashes, so the page does not move when the first snapshot arrives.
import type { ReactNode } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { fundingText } from '../../shared/reasons.ts';
import { creditHealthText } from '../lib/describe-status.ts';
import { formatCredits, formatRunway, formatUsd } from '../lib/format-credits.ts';
import { formatLocalTime } from '../lib/format-time.ts';
import { BarChart } from './bar-chart.tsx';
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

type Props = { snapshot: PublishedStatus | null; history: GovernanceHistory | null; historyFailed: boolean };

export function CreditsPanel({ snapshot, history, historyFailed }: Props) {
  const credits = snapshot?.credits;
  const health = credits && creditHealthText[credits.health];
  const forecast = snapshot?.forecast;
  return (
    <div className="credits">
      <dl className="figures">
        <Figure name="Balance" testId="balance" main={credits ? formatUsd(credits.balanceUsd) : dash} note={credits ? formatCredits(credits.balance) : blank} />
        <Figure name="Burn per hour" testId="burn" main={credits ? formatCredits(credits.burnPerHour) : dash}
          note={credits ? `${formatCredits(credits.spentLast24h)} in the last 24 h` : blank} />
        <Figure name="Runway" testId="runway" main={credits ? formatRunway(credits.runwayHours) : dash} note={credits ? describeRunwayBasis(credits.runwayHours) : blank} />
        <Figure name="Credit health" testId="credit-health" main={health ? <ToneLabel {...health} /> : dash} note={health ? health.detail : blank} />
      </dl>
      <p className="forecast" data-testid="forecast">
        {snapshot && forecast ? fundingText(forecast, Date.parse(snapshot.generatedAt)) : blank}
      </p>
      <div className="charts">
        <BarChart
          what="Credits spent per hour over the last 24 hours"
          caption="per hour"
          start="24 h ago"
          end="now"
          bars={(snapshot?.spendByHour ?? []).map(({ hourStart, credits }) => ({
            key: hourStart,
            credits,
            label: `in the hour from ${formatLocalTime(Date.parse(hourStart))}`,
          }))}
        />
        {!historyFailed && (
          <BarChart
            what="Credits spent per day over the last 90 days"
            caption="per day (UTC)"
            start={history?.from ?? '90 days ago'}
            end="today"
            bars={(history?.days ?? []).map(({ date, spent }) => ({ key: date, credits: spent, label: `on ${date}` }))}
          />
        )}
      </div>
    </div>
  );
}
