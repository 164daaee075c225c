// The incidents of the 90 days, newest first, ten at a time and grouped by month, each at the anchor
// the feeds link to (#incident-<encodeURIComponent(id)>), with links to the operators' notes that
// belong to it (static HTML further down the page: a note costs no JavaScript). A link to an
// incident further down (a feed entry, an open incident) shows as many as it needs.
import { memo, useEffect, useMemo, useState } from 'react';
import type { GovernanceHistory } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import { fill } from '../i18n/fill.ts';
import { groupByMonth, incidentAnchor, incidentEnd, listIncidents, type ListedIncident } from '../lib/describe-history.ts';
import { formatLasting } from '../lib/format-time.ts';
import { notesByIncident, type NoteMeta } from '../lib/notes.ts';
import { ToneLabel } from './tone-icon.tsx';
import { FillNodes } from './fill-nodes.tsx';
import { When } from './when.tsx';

export const incidentPage = 10;

/** The incident id a URL's hash names, if any. */
function incidentInHash(hash: string): string | null {
  if (!hash.startsWith('#incident-')) return null;
  try {
    return decodeURIComponent(hash.slice('#incident-'.length));
  } catch {
    return null;
  }
}

function IncidentTimes({ incident: { startedAt, resolvedAt } }: { incident: ListedIncident }) {
  const { m } = useLocale();
  if (resolvedAt === null) {
    return (
      <p className="muted">
        <FillNodes template={m.incidents.sinceOpen} values={{ time: <When iso={startedAt} /> }} />
      </p>
    );
  }
  const lasting = formatLasting((Date.parse(resolvedAt) - Date.parse(startedAt)) / 1000, m);
  return (
    <p className="muted">
      <FillNodes template={m.incidents.span} values={{ from: <When iso={startedAt} />, to: <When iso={resolvedAt} />, lasting }} />
    </p>
  );
}

type Props = { history: GovernanceHistory; notes: readonly NoteMeta[] };

export const IncidentHistory = memo(function IncidentHistory({ history, notes }: Props) {
  const { m, timeZone } = useLocale();
  const [shown, setShown] = useState(incidentPage);
  const [target, setTarget] = useState<string | null>(null);
  const incidents = useMemo(() => listIncidents(history, new Map(history.charters.map(({ id, name }) => [id, name])), m), [history, m]);
  const byIncident = useMemo(() => notesByIncident(notes, incidents), [notes, incidents]);

  useEffect(() => {
    const follow = () => {
      const id = incidentInHash(location.hash);
      const index = id === null ? -1 : incidents.findIndex((incident) => incident.id === id);
      if (index === -1) return setTarget(null);
      setShown((count) => Math.max(count, Math.ceil((index + 1) / incidentPage) * incidentPage));
      setTarget(id);
    };
    follow();
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, [incidents]);
  useEffect(() => {
    if (target !== null) document.getElementById(incidentAnchor(target))?.scrollIntoView();
  }, [target]);

  if (incidents.length === 0) return <p className="empty">{fill(m.incidents.none, { days: history.days.length })}</p>;
  const rest = incidents.length - shown;
  // A note about several incidents is linked from each, but is one tab stop: at the newest of them.
  const linkedFrom = new Map<string, string>();
  for (const incident of incidents.slice(0, shown)) for (const note of byIncident.get(incident.id) ?? []) if (!linkedFrom.has(note.slug)) linkedFrom.set(note.slug, incident.id);
  return (
    <>
      {groupByMonth(incidents.slice(0, shown), { locale: m.locale, timeZone }).map(({ month, incidents: ofMonth }) => (
        <div key={month} className="month">
          <h3>{month}</h3>
          <ol className="incidents">
            {ofMonth.map((incident) => (
              <li key={incident.id} id={incidentAnchor(incident.id)} className="incident">
                <ToneLabel {...incidentEnd(incident, m)} />{' '}
                <strong className="name">{incident.title}</strong>
                <IncidentTimes incident={incident} />
                {byIncident.get(incident.id)?.map((note) => (
                  <p key={note.slug}>
                    {m.incidents.note}{' '}
                    <a href={`#note-${note.slug}`} tabIndex={linkedFrom.get(note.slug) === incident.id ? undefined : -1}>
                      {note.title}
                    </a>
                  </p>
                ))}
              </li>
            ))}
          </ol>
        </div>
      ))}
      {rest > 0 && (
        <button type="button" className="more" onClick={() => setShown((count) => count + incidentPage)}>
          {fill(m.incidents.showMore, { count: Math.min(rest, incidentPage), rest })}
        </button>
      )}
    </>
  );
});
