// A charter's 90 days on its card: the uptime over 30 and 90 days in words, a bar of days (colour and
// a pattern per class; a day's counts as its title), and, one step away for readers who cannot hover
// (touch, keyboard, screen readers), the days with problems in words. On a phone the bar shows the
// last 30 days until the reader opens the days, and then all 90 in rows of 30.
import { createContext, useContext } from 'react';
import { useLocale } from '../i18n/context.ts';
import { fill, plural } from '../i18n/fill.ts';
import { describeUptime, type CharterHistory } from '../lib/describe-history.ts';
import { formatDay } from '../lib/format-time.ts';
import { describeRecordUptime, type RecordUptime } from '../lib/record-uptime.ts';

/** Each charter's uptime over the verified signed record (use-record.ts), when the page has it. */
export const RecordUptimes = createContext<Map<string, RecordUptime> | null>(null);

export function CharterDays({ days: history, charterId }: { days: CharterHistory; charterId: string }) {
  const { m } = useLocale();
  const words = m.days;
  const { days, problemDays, firstData } = history;
  const day = (date: string | undefined) => date && formatDay(date, m);
  const recorded = useContext(RecordUptimes)?.get(charterId);
  const longer = recorded && describeRecordUptime(recorded, m);
  const lateStart = firstData !== null && firstData !== days[0]?.date;
  return (
    <div className="history">
      <p className="uptime" data-testid="history-summary">
        {describeUptime(history, m)}
      </p>
      {longer && (
        <p className="uptime" data-testid="record-uptime">
          {longer}
        </p>
      )}
      <div className="days" aria-hidden="true">
        {days.map((day) => (
          <span key={day.date} className={`day day-${day.dayClass}`} title={day.title} />
        ))}
      </div>
      <p className="day-axis muted" aria-hidden="true">
        <span className="from-all">{day(days[0]?.date)}</span>
        <span className="from-30">{day(days.at(-30)?.date)}</span>
        <span>{words.today}</span>
      </p>
      <details className="day-list">
        <summary>{fill(words.problems, { days: problemDays.length === 0 ? words.noDay : plural(m.locale, words.day, problemDays.length) })}</summary>
        {problemDays.length === 0 ? (
          <p>{words.noProblems}</p>
        ) : (
          <ul>
            {problemDays.map((day) => (
              <li key={day.date}>{day.title}</li>
            ))}
          </ul>
        )}
        {lateStart && <p className="muted">{fill(words.noDataBefore, { date: formatDay(firstData, m) })}</p>}
      </details>
    </div>
  );
}
