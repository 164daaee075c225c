// A time on the page: in words relative to `now` when given ("in 14 min 15 s", "3 h ago"), else in
// the reader's zone ("Nov 21, 07:15 EST"); the exact time is the title. No time is a tab stop: focus
// would add nothing a reader could not already see or hover.
import { formatAgo, formatCountdown, formatLocalTime } from '../lib/format-time.ts';

export function When({ iso, now, ahead = false }: { iso: string; now?: number; ahead?: boolean }) {
  const at = Date.parse(iso);
  const local = formatLocalTime(at);
  return (
    <time dateTime={iso} title={now === undefined ? iso : `${local} (${iso})`}>
      {now === undefined ? local : ahead ? formatCountdown(at, now) : formatAgo(at, now)}
    </time>
  );
}
