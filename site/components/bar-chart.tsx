// Spend as bars: the last 24 hours, or the last 90 days. A value scale beside the bars, the total
// and the busiest bar in words (the text alternative), and each bar's figure on hover, on touch and
// from the keyboard: the plot is one tab stop, the arrow keys move from bar to bar, and the figure is
// announced. Heights are ratios, so a number's rounding of the bigint strings cannot show. The bars
// are CSS (a span each, its height a share of the scale's top): fewer bytes of script than an SVG.
import { memo, useMemo, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatScale, niceCeiling } from '../lib/chart-scale.ts';
import { useLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { fill } from '../i18n/fill.ts';
import { formatCredits, formatUsd } from '../lib/format-credits.ts';

export type Bar = { key: string; credits: string; label: string };

type Props = { id: string; title: string; bars: readonly Bar[]; start: string; end: string; creditsPerUsd?: number | undefined };

/** "1,600,000,000 credits ($160.00)": dollars when the rate is known. */
function amount(credits: bigint, creditsPerUsd: number | undefined, m: Messages): string {
  const usd = creditsPerUsd ? ` (${formatUsd((Number(credits) / creditsPerUsd).toFixed(2), m.locale)})` : '';
  return `${formatCredits(credits.toString(), m)}${usd}`;
}

/** How far a key moves the selected bar: the arrows by one, Home and End to either end. */
const keySteps: Record<string, number> = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, Home: -Infinity, End: Infinity };

export const BarChart = memo(function BarChart({ id, title, bars, start, end, creditsPerUsd }: Props) {
  const { m } = useLocale();
  const [selected, setSelected] = useState<number | null>(null);
  const { values, top, summary } = useMemo(() => {
    const values = bars.map((bar) => Math.max(0, Number(bar.credits)));
    const peak = Math.max(0, ...values);
    const busiest = bars[values.indexOf(peak)];
    const total = bars.reduce((sum, bar) => sum + BigInt(bar.credits), 0n);
    const summary =
      bars.length === 0
        ? m.chart.loading
        : !busiest || peak === 0
          ? m.chart.nothing
          : fill(m.chart.summary, { total: amount(total, creditsPerUsd, m), most: amount(BigInt(busiest.credits), creditsPerUsd, m), label: busiest.label });
    return { values, top: niceCeiling(peak), summary };
  }, [bars, creditsPerUsd, m]);
  const last = bars.length - 1;
  const shown = selected === null ? null : bars[Math.min(selected, last)];

  const select = (index: number) => setSelected(Math.max(0, Math.min(last, index)));
  const onKeyDown = (event: KeyboardEvent) => {
    const step = keySteps[event.key];
    if (!step) return;
    event.preventDefault();
    select((selected ?? last) + step);
  };
  const onPointer = (event: PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    select(Math.floor(((event.clientX - box.left) / box.width) * bars.length));
  };

  return (
    <figure className="chart">
      <figcaption>
        <span className="chart-title">{title}</span> <span className="muted" data-testid={`${id}-summary`}>{summary}</span>
      </figcaption>
      <div className="chart-body">
        <div className="chart-scale" aria-hidden="true">
          <span>{formatScale(top, creditsPerUsd, m.locale)}</span>
          <span>{formatScale(top / 2, creditsPerUsd, m.locale)}</span>
          <span>{formatScale(0, creditsPerUsd, m.locale)}</span>
        </div>
        <div
          className="chart-plot"
          tabIndex={0}
          role="group"
          aria-label={fill(m.chart.keys, { title })}
          onKeyDown={onKeyDown}
          onFocus={() => setSelected((index) => index ?? last)}
          onBlur={() => setSelected(null)}
          onPointerMove={onPointer}
          onPointerDown={onPointer}
          onPointerLeave={(event) => document.activeElement !== event.currentTarget && setSelected(null)}
        >
          <div className="chart-bars" aria-hidden="true">
            {bars.map((bar, index) => (
              <span key={bar.key} className={index === selected ? 'selected' : undefined} style={{ height: values[index]! > 0 ? `max(1px, ${(values[index]! / top) * 100}%)` : 0 }} />
            ))}
          </div>
        </div>
      </div>
      <p className="chart-axis-labels" aria-hidden="true">
        <span>{start}</span>
        <span>{end}</span>
      </p>
      <p className="chart-readout" aria-live="polite" data-testid={`${id}-readout`}>
        {shown ? `${shown.label}: ${amount(BigInt(shown.credits), creditsPerUsd, m)}` : '\u00a0'}
      </p>
    </figure>
  );
});
