// A time on the page: in the zone the reader chose, named ("Nov 21, 07:15 EST", "Nov 21, 12:15
// UTC"), or relative to now ("in 14 min 15 s", "3 h ago"), which ticks on its own: only the words
// that change re-render. The exact time is the title. No time is a tab stop: focus would add nothing
// a reader could not already see or hover.
import { useLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { formatAgo, formatCountdown, formatLocalTime } from '../lib/format-time.ts';
import { useClock } from './use-clock.ts';

type Props = { iso: string; relative?: 'ago' | 'ahead' };

function Relative({ at, relative, m }: { at: number; relative: 'ago' | 'ahead'; m: Messages }) {
  return useClock((now) => (relative === 'ahead' ? formatCountdown(at, now, m) : formatAgo(at, now, m)));
}

export function When({ iso, relative }: Props) {
  const { m, timeZone } = useLocale();
  const at = Date.parse(iso);
  const local = formatLocalTime(at, { locale: m.locale, timeZone });
  return (
    <time dateTime={iso} title={relative ? `${local} (${iso})` : iso}>
      {relative ? <Relative at={at} relative={relative} m={m} /> : local}
    </time>
  );
}
