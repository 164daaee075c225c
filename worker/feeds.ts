// The incident feeds: Atom 1.0 (written by the `feed` package, not by hand) and JSON Feed 1.1, one
// entry per incident opened or resolved (a charter's, past the threshold of shared/incidents.ts, or
// the system's: no credits, no charter working), newest first; blips are not news. Every id, time and
// title comes from the history, so an unchanged history gives a byte-identical feed.
import { createHash } from 'node:crypto';
import { Feed } from 'feed';
import type { GovernanceHistory, Incident } from '../shared/contract.ts';
import { atomFeedFileName, jsonFeedFileName } from '../shared/contract.ts';
import { statusIncidentWords } from '../shared/incidents.ts';
import { formatUtc } from '../shared/reasons.ts';
import { charterName } from '../shared/schedule.ts';

export type FeedEntry = { id: string; title: string; at: string; summary: string; link: string };

/** urn:uuid: of a name-based (SHA-1, version 5 layout) UUID: stable for the same incident event. */
function stableUuid(name: string): string {
  const hex = createHash('sha1').update(`governance-status:${name}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * When the published JSON Feed (its body, or null) says each of these incidents was resolved: the
 * date of its `#resolved` entry, by incident id; an incident it does not resolve is left out.
 */
export function publishedResolutions(body: string | null, ids: readonly string[]): Map<string, string> {
  const dates = new Map<unknown, unknown>();
  try {
    const { items } = JSON.parse(body ?? 'null') as { items?: unknown };
    if (Array.isArray(items)) for (const item of items as Array<{ id?: unknown; date_published?: unknown } | null>) dates.set(item?.id, item?.date_published);
  } catch {
    // no feed, or not one: nothing was said
  }
  return new Map(ids.flatMap((id) => {
    const date = dates.get(stableUuid(`${id}#resolved`));
    return typeof date === 'string' && Number.isFinite(Date.parse(date)) ? [[id, date] as const] : [];
  }));
}

/** "45 min", "3 h 10 min", "2 d 4 h": how long an incident lasted, rounded down. */
export function formatLasted(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const runsWord = (runs: number) => `${runs.toLocaleString('en')} ${runs === 1 ? 'run' : 'runs'}`;
const codesSuffix = (codes: readonly string[]) => (codes.length > 0 ? `: ${codes.join(', ')}` : '');

/** "Engineering has failed every run since Nov 21 07:00 UTC: insufficient_credits" */
export function incidentTitle(name: string, incident: Incident): string {
  const since = formatUtc(Date.parse(incident.startedAt), Number.NaN);
  if (incident.kind === 'missed') return `${name} has missed every run since ${since}: no run was recorded`;
  return `${name} has ${incident.kind === 'failed' ? 'failed' : 'skipped'} every run since ${since}${codesSuffix(incident.errorCodes)}`;
}

/**
 * "Engineering recovered after 3 h 10 min, 12 runs lost"; an incident whose charter was removed did
 * not recover: "Engineering’s incident closed after 3 h 10 min, 12 runs lost: the charter was removed".
 */
export function resolutionTitle(name: string, incident: Incident): string {
  const lasted = `${formatLasted(Date.parse(incident.resolvedAt!) - Date.parse(incident.startedAt))}, ${runsWord(incident.runs)} lost`;
  return incident.resolution === 'charter_removed' ? `${name}’s incident closed after ${lasted}: the charter was removed` : `${name} recovered after ${lasted}`;
}

/** What ended an incident, and when, after how many runs. */
function resolutionSummary(name: string, incident: Incident): string {
  const at = formatUtc(Date.parse(incident.resolvedAt!), Number.NaN);
  if (incident.resolution === 'charter_removed') {
    return `${name}’s schedule was removed, or is no longer a governance charter, by ${at}, after ${runsWord(incident.runs)} that did not succeed: its incident is closed, not recovered.`;
  }
  return `${name} succeeded again at ${at} after ${runsWord(incident.runs)} that did not succeed.`;
}

/**
 * Both events of every incident the history holds (charters' and the system's), newest first. The
 * history keeps an incident while it is open or its resolution lies within the 90 days, so an entry,
 * once published, stays until its incident's resolution leaves the 90 days: the opening of an
 * incident that began before them stays as long as its resolution is within them.
 */
export function feedEntries(history: GovernanceHistory, pageUrl: string): FeedEntry[] {
  const names = new Map(history.charters.map((charter) => [charter.id, charter.name]));
  const entries: FeedEntry[] = [];
  const linkOf = (id: string) => `${pageUrl}#incident-${encodeURIComponent(id)}`;
  for (const incident of history.incidents) {
    const name = names.get(incident.charterId) ?? charterName(incident.charterId);
    const title = incidentTitle(name, incident);
    const sofar = `${runsWord(incident.runs)} did not succeed${incident.resolvedAt ? '' : ' so far; still open'}`;
    entries.push({ id: stableUuid(`${incident.id}#opened`), title, at: incident.startedAt, summary: `${title}. ${sofar}.`, link: linkOf(incident.id) });
    if (incident.resolvedAt !== null) {
      entries.push({
        id: stableUuid(`${incident.id}#resolved`),
        title: resolutionTitle(name, incident),
        at: incident.resolvedAt,
        summary: resolutionSummary(name, incident),
        link: linkOf(incident.id),
      });
    }
  }
  for (const incident of history.statusIncidents ?? []) {
    const words = statusIncidentWords[incident.code];
    const since = formatUtc(Date.parse(incident.startedAt), Number.NaN);
    entries.push({ id: stableUuid(`${incident.id}#opened`), title: words.opened, at: incident.startedAt, summary: `${words.opened}, since ${since}${incident.resolvedAt ? '' : '; still open'}.`, link: linkOf(incident.id) });
    if (incident.resolvedAt !== null) {
      const lasted = formatLasted(Date.parse(incident.resolvedAt) - Date.parse(incident.startedAt));
      entries.push({ id: stableUuid(`${incident.id}#resolved`), title: `${words.resolved} after ${lasted}`, at: incident.resolvedAt, summary: `${words.resolved} at ${formatUtc(Date.parse(incident.resolvedAt), Number.NaN)}, ${lasted} after ${since}.`, link: linkOf(incident.id) });
    }
  }
  return entries.sort((a, b) => b.at.localeCompare(a.at) || a.id.localeCompare(b.id));
}

/** The feed package marks titles and summaries as HTML: text from the database must stay text. */
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export type FeedLinks = { pageUrl: string; atomUrl: string; jsonUrl: string };

export function renderFeeds(history: GovernanceHistory, links: FeedLinks): Record<string, string> {
  const entries = feedEntries(history, links.pageUrl);
  const updated = new Date(entries[0]?.at ?? `${history.from}T00:00:00.000Z`);
  const title = 'Governance status: incidents';
  const description = 'Incidents of the DAO’s AI governance: charters whose runs failed, were skipped or did not happen, and the system running out of credits.';
  // RFC 4287 wants an author on the feed (or on every entry); JSON Feed 1.1 recommends one. The
  // entries are written by the status page, so it is the author, with its address.
  const author = { name: 'Governance status page', url: links.pageUrl };
  const atom = new Feed({
    id: stableUuid(`feed:${links.atomUrl}`),
    title,
    description,
    author: { name: author.name, link: author.url },
    link: links.pageUrl,
    feedLinks: { atom: links.atomUrl, json: links.jsonUrl },
    updated,
    generator: false,
  });
  for (const entry of entries) {
    atom.addItem({
      id: entry.id,
      title: escapeHtml(entry.title),
      link: entry.link,
      date: new Date(entry.at),
      published: new Date(entry.at),
      description: escapeHtml(entry.summary),
    });
  }
  const json = {
    version: 'https://jsonfeed.org/version/1.1',
    title,
    description,
    home_page_url: links.pageUrl,
    feed_url: links.jsonUrl,
    authors: [author],
    items: entries.map((entry) => ({ id: entry.id, url: entry.link, title: entry.title, content_text: entry.summary, date_published: entry.at })),
  };
  return { [atomFeedFileName]: `${atom.atom1()}\n`, [jsonFeedFileName]: `${JSON.stringify(json, null, 2)}\n` };
}
