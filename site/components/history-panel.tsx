// The last 90 days per charter: a bar of days, each with colour and a pattern per class and its
// counts as a title, and one sentence per charter that a screen reader hears instead of 90 bars.
// Days are not tab stops; the sentence says what they show.
import type { GovernanceHistory } from '../../shared/contract.ts';
import { dayClassText, type DayClass } from '../../shared/history.ts';
import { charterDays, summarizeCharter } from '../lib/describe-history.ts';

const legend: DayClass[] = ['ok', 'some_failures', 'failed', 'missed', 'none_expected', 'no_data'];

export function HistoryPanel({ history }: { history: GovernanceHistory }) {
  if (history.charters.length === 0) return <p className="empty">No charter has a history yet.</p>;
  return (
    <>
      <ul className="legend" aria-label="Key">
        {legend.map((dayClass) => (
          <li key={dayClass}>
            <span className={`day day-${dayClass}`} aria-hidden="true" />
            {dayClassText[dayClass]}
          </li>
        ))}
      </ul>
      <ul className="histories">
        {history.charters.map(({ id, name }) => {
          const days = charterDays(history, id);
          return (
            <li key={id} data-history={id}>
              <h3 className="name">{name}</h3>
              <div className="days" aria-hidden="true">
                {days.map((day) => (
                  <span key={day.date} className={`day day-${day.dayClass}`} title={day.title} />
                ))}
              </div>
              <p className="day-axis muted" aria-hidden="true">
                <span>{history.from}</span>
                <span>today</span>
              </p>
              <p className="summary" data-testid="history-summary">
                {summarizeCharter(days, history.incidents.filter((incident) => incident.charterId === id))}
              </p>
            </li>
          );
        })}
      </ul>
      {(history.chartersTotal ?? 0) > history.charters.length && (
        <p className="muted" data-testid="history-partial">
          The history shows {history.charters.length} of {history.chartersTotal} charters, the most severe first.
        </p>
      )}
    </>
  );
}
