// The incident feeds: Atom 1.0 (written by the `feed` package, not by hand) and JSON Feed 1.1, one
// entry per incident opened or resolved in the last 90 days, newest first. Every id, time and title
// comes from the history, so an unchanged history gives a byte-identical feed.
import { createHash } from 'node:crypto';
import { Feed } from 'feed';
import type { GovernanceHistory, Incident } from '../shared/contract.ts';
import { atomFeedFileName, jsonFeedFileName } from '../shared/contract.ts';
import { incidentTitle } from '../shared/history.ts';
import { formatUtc } from '../shared/reasons.ts';

export type FeedEntry = { id: string; title: string; at: string; summary: string; link: string };

/** urn:uuid: of a name-based (SHA-1, version 5 layout) UUID: stable for the same incident event. */
function stableUuid(name: string): string {
  const hex = createHash('sha1').update(`governance-status:${name}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** "45 min", "3 h", "2 d 4 h": how long an incident lasted, rounded down. */
export function formatLasted(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export { incidentTitle };

/** Both events of every incident the history holds, newest first. */
export function feedEntries(history: GovernanceHistory, pageUrl: string): FeedEntry[] {
  const names = new Map(history.charters.map((charter) => [charter.id, charter.name]));
  const horizon = `${history.from}T00:00:00.000Z`;
  const entries: FeedEntry[] = [];
  for (const incident of history.incidents) {
    const name = names.get(incident.charterId) ?? incident.charterId;
    const link = `${pageUrl}#incident-${encodeURIComponent(incident.id)}`;
    const started = Date.parse(incident.startedAt);
    if (incident.startedAt >= horizon) {
      entries.push({
        id: stableUuid(`${incident.id}#opened`),
        title: incidentTitle(name, incident),
        at: incident.startedAt,
        summary: `${incidentTitle(name, incident)}, since ${formatUtc(started, Number.NaN)}${incident.resolvedAt ? '' : '; still open'}.`,
        link,
      });
    }
    if (incident.resolvedAt !== null) {
      const lasted = formatLasted(Date.parse(incident.resolvedAt) - started);
      entries.push({
        id: stableUuid(`${incident.id}#resolved`),
        title: `${name}: resolved after ${lasted}`,
        at: incident.resolvedAt,
        summary: `${name} succeeded again at ${formatUtc(Date.parse(incident.resolvedAt), Number.NaN)} after ${incident.runs.toLocaleString('en')} ${incident.runs === 1 ? 'run' : 'runs'} that did not succeed.`,
        link,
      });
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
  const description = 'Incidents of the DAO’s AI governance charters: runs that failed, were skipped or did not happen.';
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
