// Incidents: the open ones under the headline, linking to the list of the last 90 days, where each
// has the element id that the feeds' entries link to (#incident-<encodeURIComponent(id)>).
import type { GovernanceHistory, Incident } from '../../shared/contract.ts';
import { incidentAnchor, incidentTitle } from '../lib/describe-history.ts';
import { ToneLabel } from './tone-icon.tsx';
import { When } from './when.tsx';

/** Enough links to see what is wrong; the full list is one step away, within the tab-stop budget. */
const linkedOpenIncidents = 5;

const namesOf = (history: GovernanceHistory) => new Map(history.charters.map(({ id, name }) => [id, name]));

/** The snapshot's open incidents, as far as the history (fetched after it) already holds them. */
export function OpenIncidents({ ids, history }: { ids: readonly string[]; history: GovernanceHistory | null }) {
  const open = new Set(ids);
  const incidents = history?.incidents.filter((incident) => open.has(incident.id)) ?? [];
  if (incidents.length === 0) return null;
  const names = namesOf(history!);
  return (
    <div className="open-incidents" data-testid="open-incidents">
      <h3>Open incidents</h3>
      <ul>
        {incidents.slice(0, linkedOpenIncidents).map((incident) => (
          <li key={incident.id}>
            <a href={`#${incidentAnchor(incident.id)}`}>{incidentTitle(incident, names.get(incident.charterId) ?? incident.charterId)}</a>
            <span className="muted">, since </span>
            <When iso={incident.startedAt} />
          </li>
        ))}
      </ul>
      {incidents.length > linkedOpenIncidents && <p>and {incidents.length - linkedOpenIncidents} more in the list below.</p>}
    </div>
  );
}

function IncidentTimes({ incident: { startedAt, resolvedAt } }: { incident: Incident }) {
  return (
    <p className="muted">
      from <When iso={startedAt} /> {resolvedAt ? <>to <When iso={resolvedAt} /></> : 'until now'}
    </p>
  );
}

export function IncidentList({ history }: { history: GovernanceHistory }) {
  const { incidents } = history;
  if (incidents.length === 0) return <p className="empty">No incidents in the last {history.days.length} days.</p>;
  const names = namesOf(history);
  return (
    <ol className="incidents">
      {incidents.map((incident) => (
        <li key={incident.id} id={incidentAnchor(incident.id)} className="card">
          <ToneLabel {...(incident.resolvedAt ? { tone: 'good', label: 'Resolved' } : { tone: 'bad', label: 'Open' })} />{' '}
          <strong className="name">{incidentTitle(incident, names.get(incident.charterId) ?? incident.charterId)}</strong>
          <IncidentTimes incident={incident} />
        </li>
      ))}
    </ol>
  );
}
