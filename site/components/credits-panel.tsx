// Balance, burn, runway and what the balance still pays for: the figures that would have shown the
// outage coming, beside the spend of the last 24 hours and the last 90 days. The runway carries the
// credit health in its tone and words; a fact the headline already states (no credits left, the
// forecast it quotes) is not said again here.
import { memo, useMemo, type ReactNode } from 'react';
import type { Credits, GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { readerCredits } from '../../shared/snapshot-trust.ts';
import { useLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { fill } from '../i18n/fill.ts';
import { creditHealthTone, describeFunding } from '../lib/describe-status.ts';
import { formatCredits, formatRunway, formatUsd } from '../lib/format-credits.ts';
import { formatDay, formatLocalTime } from '../lib/format-time.ts';
import { BarChart } from './bar-chart.tsx';
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
function describeRunwayBasis({ runwayHours, health }: Credits, m: Messages): string {
  if (runwayHours === null) return m.credits.notSpent;
  if (runwayHours === 0) return '';
  return health === 'green' ? m.credits.atBurn : fill(m.credits.atBurnHealth, { health: m.credits.health[health].toLocaleLowerCase(m.locale) });
}

type Props = { snapshot: PublishedStatus; history: GovernanceHistory | null };

export const CreditsPanel = memo(function CreditsPanel({ snapshot, history }: Props) {
  const locale = useLocale();
  const { m, timeZone } = locale;
  const words = m.credits;
  const { forecast, reasons = [], usage } = snapshot;
  // figures that agree with each other and with the headline (shared/snapshot-trust.ts)
  const credits = useMemo(() => readerCredits(snapshot.credits), [snapshot.credits]);
  // The headline box lists the funding forecast as a reason when it ends within a day, or says there are no credits.
  const forecastRepeats = reasons.some((reason) => reason.code === 'funding_ends_soon' || reason.code === 'credits_exhausted');
  const creditsPerUsd = snapshot.rules?.creditsPerUsd;
  const hourly = useMemo(
    () => snapshot.spendByHour.map(({ hourStart, credits }) => ({ key: hourStart, credits, label: fill(m.chart.hour, { time: formatLocalTime(Date.parse(hourStart), { locale: m.locale, timeZone }) }) })),
    [snapshot.spendByHour, m, timeZone],
  );
  const daily = useMemo(
    () => (history?.days ?? []).map(({ date, spent }) => ({ key: date, credits: spent, label: fill(m.chart.day, { date: fill(m.days.utcDay, { date: formatDay(date, m) }) }) })),
    [history, m],
  );
  return (
    <div className="credits">
      <dl className="figures">
        <Figure name={words.balance} testId="balance" main={formatUsd(credits.balanceUsd, m.locale)} note={formatCredits(credits.balance, m)} />
        <Figure name={words.burn} testId="burn" main={formatCredits(credits.burnPerHour, m)} note={fill(words.last24h, { amount: formatCredits(credits.spentLast24h, m) })} />
        <Figure
          name={words.runway}
          testId="runway"
          main={<ToneLabel tone={creditHealthTone[credits.health]} label={formatRunway(credits.runwayHours, m)} />}
          note={describeRunwayBasis(credits, m)}
        />
      </dl>
      {usage?.available && BigInt(usage.failedCredits) > 0n && (
        <p className="forecast" data-testid="failed-cost">
          {fill(m.usage.failedCost, { credits: formatCredits(usage.failedCredits, m) })}
        </p>
      )}
      {forecast && !forecastRepeats && (
        <p className="forecast" data-testid="forecast">
          {describeFunding(forecast, Date.parse(snapshot.generatedAt), locale)}
        </p>
      )}
      <div className="charts">
        <BarChart id="hourly" title={m.chart.hourly} start={m.chart.dayAgo} end={m.chart.now} bars={hourly} creditsPerUsd={creditsPerUsd} />
        {history && (
          <BarChart id="daily" title={fill(m.chart.daily, { days: history.days.length })} start={formatDay(history.from, m)} end={m.chart.today} bars={daily} creditsPerUsd={creditsPerUsd} />
        )}
      </div>
    </div>
  );
});
