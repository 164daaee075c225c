// The open incidents under the headline, linked to their place in the history below, where each has
// the element id that the feeds' entries link to (#incident-<encodeURIComponent(id)>). The snapshot
// names them; the history, when it holds them, says what happened.
import type { GovernanceHistory, Incident, PublishedStatus } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { fill } from '../i18n/fill.ts';
import { incidentAnchor, incidentTitle, parseIncidentId } from '../lib/describe-history.ts';
import { When } from './when.tsx';

/** Enough links to see what is wrong; the full list is one step away, within the tab-stop budget. */
const linkedOpenIncidents = 5;

/** What an open incident is called: its title from the history, else its charter's name from its id. */
export function openIncidentTitle(id: string, snapshot: PublishedStatus, incident: Incident | undefined, names: Map<string, string>, m: Messages): string {
  const parsed = parseIncidentId(id);
  const charterId = incident?.charterId ?? parsed?.charterId ?? id;
  const name = names.get(charterId) ?? snapshot.charters.find((charter) => charter.id === charterId)?.name ?? charterId;
  return incident ? incidentTitle(incident, name, m) : fill(m.incidents.notSucceeding, { name });
}

export function OpenIncidents({ snapshot, history }: { snapshot: PublishedStatus; history: GovernanceHistory | null }) {
  const { m } = useLocale();
  const ids = snapshot.openIncidents ?? [];
  if (ids.length === 0) return null;
  const known = new Map(history?.incidents.map((incident) => [incident.id, incident]));
  const names = new Map(history?.charters.map(({ id, name }) => [id, name]));
  return (
    <div className="open-incidents" data-testid="open-incidents">
      <h3>{m.incidents.open}</h3>
      <ul>
        {ids.slice(0, linkedOpenIncidents).map((id) => {
          const incident = known.get(id);
          const startedAt = incident?.startedAt ?? parseIncidentId(id)?.startedAt;
          return (
            <li key={id}>
              <a href={`#${incidentAnchor(id)}`}>{openIncidentTitle(id, snapshot, incident, names, m)}</a>
              {startedAt && (
                <>
                  <span className="muted">{m.incidents.openSince}</span>
                  <When iso={startedAt} />
                </>
              )}
            </li>
          );
        })}
      </ul>
      {ids.length > linkedOpenIncidents && <p>{fill(m.incidents.more, { count: ids.length - linkedOpenIncidents })}</p>}
    </div>
  );
}
