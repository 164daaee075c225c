// The open incidents under the headline, linked to their place in the history below, where each has
// the element id that the feeds' entries link to (#incident-<encodeURIComponent(id)>). The snapshot
// names them; the history, when it holds them, says what happened.
import type { GovernanceHistory, Incident, PublishedStatus } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { fill } from '../i18n/fill.ts';
import { describeOpenId, incidentAnchor, incidentTitle } from '../lib/describe-history.ts';
import { When } from './when.tsx';

/** Enough links to see what is wrong (the system's own first, then each charter's, which its card names too); the full list is one step away, within the tab-stop budget. */
const linkedOpenIncidents = 3;

/** What an open incident is called: its title from the history, else what its id says. */
export function openIncidentTitle(id: string, incident: Incident | undefined, names: ReadonlyMap<string, string>, m: Messages): string {
  return incident ? incidentTitle(incident, names.get(incident.charterId) ?? incident.charterId, m) : describeOpenId(id, names, m).title;
}

export function OpenIncidents({ snapshot, history }: { snapshot: PublishedStatus; history: GovernanceHistory | null }) {
  const { m } = useLocale();
  const ids = snapshot.openIncidents ?? [];
  if (ids.length === 0) return null;
  const known = new Map(history?.incidents.map((incident) => [incident.id, incident]));
  // The snapshot's names, else the history's for a charter the snapshot no longer lists.
  const names = new Map<string, string>([...(history?.charters ?? []), ...snapshot.charters].map(({ id, name }) => [id ?? name, name]));
  return (
    <div className="open-incidents" data-testid="open-incidents">
      <h3>{m.incidents.open}</h3>
      <ul>
        {ids.slice(0, linkedOpenIncidents).map((id) => {
          const incident = known.get(id);
          const startedAt = incident?.startedAt ?? describeOpenId(id, names, m).startedAt;
          return (
            <li key={id}>
              <a href={`#${incidentAnchor(id)}`}>{openIncidentTitle(id, incident, names, m)}</a>
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
