// Balance, burn, runway and what the balance still pays for: the figures that would have shown the
// outage coming, beside the spend of the last 24 hours and the last 90 days. The runway carries the
// credit health in its tone and words; a fact the headline already states (no credits left, the
// forecast it quotes) is not said again here.
import { memo, useMemo, type ReactNode } from 'react';
import type { Credits, GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { fundingText } from '../../shared/reasons.ts';
import { creditHealthText } from '../lib/describe-status.ts';
import { formatCredits, formatRunway, formatUsd } from '../lib/format-credits.ts';
import { formatLocalTime } from '../lib/format-time.ts';
import { BarChart } from './bar-chart.tsx';
import { fill } from '../lib/describe-usage.ts';
import { words as usageWords } from './usage-panel.tsx';
import { ToneLabel } from './tone-icon.tsx';

function Figure({ name, testId, main, note }: { name: string; testId: string; main: ReactNode; note: string }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd data-testid={testId}>
        <span className="figure">{main}</span>
        {note && <span className="muted">{note}</span>}
      </dd>
    </div>
  );
}

/** What the runway is measured by, and how it stands when that is not well: "at the current burn: running low". */
function describeRunwayBasis({ runwayHours, health }: Credits): string {
  if (runwayHours === null) return 'the balance is not being spent';
  if (runwayHours === 0) return '';
  return `at the current burn${health === 'green' ? '' : `: ${creditHealthText[health].label.toLowerCase()}`}`;
}

type Props = { snapshot: PublishedStatus; history: GovernanceHistory | null };

export const CreditsPanel = memo(function CreditsPanel({ snapshot, history }: Props) {
  const { credits, forecast, reasons = [], usage } = snapshot;
  const health = creditHealthText[credits.health];
  // The headline box lists the funding forecast as a reason when it ends within a day, or says there are no credits.
  const forecastRepeats = reasons.some((reason) => reason.code === 'funding_ends_soon' || reason.code === 'credits_exhausted');
  const creditsPerUsd = snapshot.rules?.creditsPerUsd;
  const hourly = useMemo(
    () => snapshot.spendByHour.map(({ hourStart, credits }) => ({ key: hourStart, credits, label: `in the hour from ${formatLocalTime(Date.parse(hourStart))}` })),
    [snapshot.spendByHour],
  );
  const daily = useMemo(() => (history?.days ?? []).map(({ date, spent }) => ({ key: date, credits: spent, label: `on ${date} (UTC)` })), [history]);
  return (
    <div className="credits">
      <dl className="figures">
        <Figure name="Balance" testId="balance" main={formatUsd(credits.balanceUsd)} note={formatCredits(credits.balance)} />
        <Figure name="Burn per hour" testId="burn" main={formatCredits(credits.burnPerHour)} note={`${formatCredits(credits.spentLast24h)} in the last 24 h`} />
        <Figure
          name="Runway"
          testId="runway"
          main={<ToneLabel tone={health.tone} label={formatRunway(credits.runwayHours)} />}
          note={describeRunwayBasis(credits)}
        />
      </dl>
      {usage?.available && BigInt(usage.failedCredits) > 0n && (
        <p className="forecast" data-testid="failed-cost">
          {fill(usageWords.failedCost, { credits: formatCredits(usage.failedCredits) })}
        </p>
      )}
      {forecast && !forecastRepeats && (
        <p className="forecast" data-testid="forecast">
          {fundingText(forecast, Date.parse(snapshot.generatedAt))}
        </p>
      )}
      <div className="charts">
        <BarChart id="hourly" title="Spent per hour, last 24 hours" start="24 h ago" end="now" bars={hourly} creditsPerUsd={creditsPerUsd} />
        {history && <BarChart id="daily" title={`Spent per day (UTC), last ${history.days.length} days`} start={history.from} end="today" bars={daily} creditsPerUsd={creditsPerUsd} />}
      </div>
    </div>
  );
});
