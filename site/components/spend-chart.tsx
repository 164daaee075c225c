// The 24-hour spend as bars in plain SVG. Heights are ratios, so converting the bigint strings to
// numbers here loses nothing a reader could see.
import type { SpendHour } from '../../shared/contract.ts';
import { formatClockTime } from '../lib/format-time.ts';

const width = 240;
const height = 64;
const slot = width / 24;

export function SpendChart({ hours }: { hours: readonly SpendHour[] }) {
  const values = hours.map((hour) => Math.max(0, Number(hour.credits)));
  const peak = Math.max(0, ...values);
  const peakIndex = values.indexOf(peak);
  const peakHour = hours[peakIndex];
  const summary =
    hours.length === 0
      ? 'Credits spent per hour over the last 24 hours: loading.'
      : peak === 0 || !peakHour
      ? 'Credits spent per hour over the last 24 hours: nothing was spent.'
      : `Credits spent per hour over the last 24 hours; the busiest hour began at ${formatClockTime(Date.parse(peakHour.hourStart))} with ${BigInt(peakHour.credits).toLocaleString()} credits.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line className="chart-axis" x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} />
        {hours.map((hour, index) => {
          const value = values[index] ?? 0;
          const barHeight = peak === 0 ? 0 : Math.max(1, (value / peak) * (height - 4));
          return (
            <rect key={hour.hourStart} x={index * slot + 1} y={height - 1 - barHeight} width={slot - 2} height={barHeight}>
              <title>{`${formatClockTime(Date.parse(hour.hourStart))}: ${BigInt(hour.credits).toLocaleString()} credits`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>
        <span>24 h ago</span>
        <span>{hours.length > 0 && peak === 0 ? 'nothing spent' : 'spend per hour'}</span>
        <span>now</span>
      </figcaption>
    </figure>
  );
}
