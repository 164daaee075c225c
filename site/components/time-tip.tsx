// A time shown as words, with the exact time a hover (title) or a keyboard focus away: on focus the
// CSS writes the tip inline, where no scrolling table can clip it.
import type { ReactNode } from 'react';
import { formatLocalTime } from '../lib/format-time.ts';

export function TimeTip({ iso, children }: { iso: string; children: ReactNode }) {
  const tip = `${formatLocalTime(Date.parse(iso))} (${iso})`;
  return (
    <time className="tip" dateTime={iso} title={tip} data-tip={tip} tabIndex={0}>
      {children}
    </time>
  );
}

/** An absolute time in the reader's zone; the ISO instant in the tip. */
export function LocalTime({ iso }: { iso: string }) {
  return (
    <time className="tip" dateTime={iso} title={iso} data-tip={iso} tabIndex={0}>
      {formatLocalTime(Date.parse(iso))}
    </time>
  );
}
