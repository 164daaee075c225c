// A time on the page: in the reader's zone ("Nov 21, 07:15 EST"), or relative to now ("in 14 min
// 15 s", "3 h ago"), which ticks on its own: only the words that change re-render. The exact time is
// the title. No time is a tab stop: focus would add nothing a reader could not already see or hover.
import { formatAgo, formatCountdown, formatLocalTime } from '../lib/format-time.ts';
import { useClock } from './use-clock.ts';

type Props = { iso: string; relative?: 'ago' | 'ahead' };

function Relative({ at, relative }: { at: number; relative: 'ago' | 'ahead' }) {
  return useClock((now) => (relative === 'ahead' ? formatCountdown(at, now) : formatAgo(at, now)));
}

export function When({ iso, relative }: Props) {
  const at = Date.parse(iso);
  const local = formatLocalTime(at);
  return (
    <time dateTime={iso} title={relative ? `${local} (${iso})` : iso}>
      {relative ? <Relative at={at} relative={relative} /> : local}
    </time>
  );
}
