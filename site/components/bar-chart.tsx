// Spend as bars in plain SVG: the last 24 hours, or the last 90 days. Heights are ratios, so
// converting the bigint strings to numbers here loses nothing a reader could see.
export type Bar = { key: string; credits: string; label: string };

const width = 240;
const height = 64;

export function BarChart({ bars, what, caption, start, end }: { bars: readonly Bar[]; what: string; caption: string; start: string; end: string }) {
  const values = bars.map((bar) => Math.max(0, Number(bar.credits)));
  const peak = Math.max(0, ...values);
  const busiest = bars[values.indexOf(peak)];
  const slot = width / Math.max(1, bars.length);
  const summary = `${what}: ${bars.length === 0 ? 'loading' : busiest && peak > 0 ? `the most, ${BigInt(busiest.credits).toLocaleString()} credits, ${busiest.label}` : 'nothing spent'}.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <line className="chart-axis" x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} />
        {bars.map((bar, index) => {
          const barHeight = peak === 0 ? 0 : Math.max(1, ((values[index] ?? 0) / peak) * (height - 4));
          return (
            <rect key={bar.key} x={index * slot + slot * 0.1} y={height - 1 - barHeight} width={slot * 0.8} height={barHeight}>
              <title>{`${bar.label}: ${BigInt(bar.credits).toLocaleString()} credits`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption>
        <span>{start}</span>
        <span>{bars.length > 0 && peak === 0 ? 'nothing spent' : caption}</span>
        <span>{end}</span>
      </figcaption>
    </figure>
  );
}
