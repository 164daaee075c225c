// The files published beside the snapshot: badges, the JSON Schemas, the history, the feeds, the
// Statuspage-shaped summary.json, and the archive's schemas and public key.
// Each is written only when it is missing or differs from what is stored (one hash comparison per
// file and tick), so a deleted folder or bucket prefix is whole again on the next tick.
import { createHash } from 'node:crypto';
import {
  atomFeedFileName,
  badgeFileName,
  badgeSvgFileName,
  historyFileName,
  historySchemaFileName,
  jsonFeedFileName,
  limits,
  parseGovernanceHistory,
  schemaFileName,
  type GovernanceHistory,
  type GovernanceStatus,
} from '../shared/contract.ts';
import { governanceBadge, governanceBadgeSvg } from '../shared/badge.ts';
import { governanceHistoryJsonSchema, governanceStatusJsonSchema } from '../shared/json-schema.ts';
import type { Logger, SnapshotStorePort } from '../shared/ports.ts';
import { describeError } from './logger.ts';
import { statuspageFileName, statuspageSummary } from '../shared/statuspage.ts';
import { recalledIncidents, type PublishedOpen } from '../shared/incidents.ts';
import { archiveDaySchemaFileName, archiveIndexSchemaFileName, archiveRecentSchemaFileName, signingKeyFileName } from '../shared/archive-files.ts';
import { archiveSideFiles } from './archive-side-files.ts';
import type { Signer } from './signing-key.ts';
import { assertHistoryIsValid } from './validate.ts';
import { publishedResolutions, renderFeeds, type FeedLinks } from './feeds.ts';

export type SideFileSettings = {
  /** absolute URLs of the page and the feeds; null publishes no feeds nor summary.json (they link to the page) */
  feeds: FeedLinks | null;
  /** signs the snapshot and the archive (SIGNING_KEY_FILE); null publishes them unsigned */
  signer?: Signer | null;
};

/** summary.json's page: named and identified by the status page it stands for. */
const statuspagePage = (pageUrl: string) => ({ id: createHash('sha256').update(pageUrl).digest('hex').slice(0, 12), name: 'Governance status', url: pageUrl });

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
/** room kept for generatedAt, added after fitting */
const generatedAtRoom = 64;

export type HistoryContent = Omit<GovernanceHistory, 'generatedAt'>;

/**
 * The history as it fits its bounds: at most limits.historyCharters charters, and when their 90
 * days do not fit its bytes (long ids, per-second crons), fewer. Those last in `priority` (the
 * snapshot's order: the most severe first) are left out with their days; `chartersTotal` says how
 * many there are. Incidents stay, whatever charter they belong to (the feeds are made from them, and
 * a published incident is never taken back), up to the newest limits.historyIncidents.
 * A tick never fails for the size of its history.
 * Returns the content with its compact JSON (what it was measured by), so the caller need not
 * serialise it again to tell whether it changed.
 */
export function fitHistory(content: HistoryContent, priority: readonly string[]): { content: HistoryContent; json: string } {
  const bound = limits.historyBytes - generatedAtRoom;
  const rank = new Map(priority.map((id, index) => [id, index]));
  const listed = [...content.charters].sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity));
  if (listed.length > limits.historyCharters) return fitHistory(withCharters(content, listed.slice(0, limits.historyCharters)), priority);
  // the 500 newest incidents
  if (content.incidents.length > limits.historyIncidents) return fitHistory({ ...content, incidents: content.incidents.slice(0, limits.historyIncidents) }, priority);
  let json = JSON.stringify(content);
  let total = Buffer.byteLength(json);
  if (total <= bound) return { content, json };
  // what each charter adds: its entry, its counts on every day
  const weight = ({ id, name }: HistoryContent['charters'][number]) =>
    Buffer.byteLength(JSON.stringify({ id, name })) +
    content.days.reduce((sum, day) => sum + (Object.hasOwn(day.charters, id) ? Buffer.byteLength(JSON.stringify({ [id]: day.charters[id] })) : 0), 0);
  let keep = listed.length;
  while (keep > 0 && total > bound) {
    total -= weight(listed[keep - 1]!);
    keep -= 1;
    if (total <= bound) {
      const fitted = withCharters(content, listed.slice(0, keep));
      json = JSON.stringify(fitted);
      total = Buffer.byteLength(json); // the estimate leaves out separators: check, and go on if needed
      if (total <= bound) return { content: fitted, json };
    }
  }
  const none = withCharters(content, []);
  return { content: none, json: JSON.stringify(none) };
}

function withCharters(content: HistoryContent, charters: HistoryContent['charters']): HistoryContent {
  const ids = new Set(charters.map((charter) => charter.id));
  return {
    ...content,
    charters,
    days: content.days.map((day) => ({ ...day, charters: Object.fromEntries(Object.entries(day.charters).filter(([id]) => ids.has(id))) })),
  };
}

/** The history file as the store holds it, or null when there is none or it cannot be read (logged): its incidents are then the ledger's alone. */
export function parsePublishedHistory(body: string | null, logger: Logger): GovernanceHistory | null {
  if (body === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    data = undefined;
  }
  const parsed = parseGovernanceHistory(data);
  if (parsed.success) return parsed.data;
  logger.warn('history_unreadable', { file: historyFileName, problem: 'the published history does not follow its contract', action: 'incidents are derived from the ledger alone' });
  return null;
}

/**
 * The ids a published snapshot lists as open (openIncidents) and its generatedAt; none when there is
 * no snapshot or it cannot be read. A snapshot without openIncidents (from a worker before them) says
 * nothing of what is open: no generatedAt, so it never ends what the history holds open.
 */
export function publishedOpenIncidents(body: string | null): PublishedOpen {
  try {
    const { openIncidents, generatedAt } = JSON.parse(body ?? 'null') as { openIncidents?: unknown; generatedAt?: unknown };
    if (!Array.isArray(openIncidents)) return { generatedAt: null, ids: [] };
    const ids = openIncidents.filter((id): id is string => typeof id === 'string');
    return { generatedAt: typeof generatedAt === 'string' && Number.isFinite(Date.parse(generatedAt)) ? generatedAt : null, ids };
  } catch {
    return { generatedAt: null, ids: [] };
  }
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** An instant a stored snapshot states (its generatedAt, its dataAsOf), or null when it has none that is one: none stored, or no snapshot of ours. */
export function publishedInstant(body: string | null, field: 'generatedAt' | 'dataAsOf'): string | null {
  try {
    const value = (JSON.parse(body ?? 'null') as Record<string, unknown> | null)?.[field];
    return typeof value === 'string' && isoInstant.test(value) && Number.isFinite(Date.parse(value)) ? value : null;
  } catch {
    return null;
  }
}

/** The published snapshot's dataAsOf (ms), or null: none published, or not a snapshot of ours. */
export function publishedDataAsOf(body: string | null): number | null {
  const dataAsOf = publishedInstant(body, 'dataAsOf');
  return dataAsOf === null ? null : Date.parse(dataAsOf);
}

/**
 * What the published files announced, recalled when the worker starts or leads anew: the history's
 * incidents, and the system's open ones the snapshot names that the history does not hold; one the
 * history holds open and the snapshot no longer does ended when the JSON Feed (`feed`) said it did,
 * if it did (shared/incidents.ts).
 */
export function announcedIn(history: string | null, snapshot: string | null, logger: Logger, feed: string | null = null) {
  const parsed = parsePublishedHistory(history, logger);
  const open = (parsed?.statusIncidents ?? []).flatMap((incident) => (incident.resolvedAt === null ? [incident.id] : []));
  return recalledIncidents(parsed, publishedOpenIncidents(snapshot), publishedResolutions(feed, open));
}

/**
 * A published file read back when the worker starts or leads anew, or null when there is none. A read
 * that fails (a bucket's 503) fails the tick with an error naming the file and the operation, and the
 * next tick reads again: taken as an unreadable file, it would have the history and feeds written
 * again without what only it announced (incidents the ledger no longer shows, their resolutions), and
 * what was published as final is never rewritten. The page shows the snapshot going stale meanwhile.
 */
export async function readPublishedFile(store: Pick<SnapshotStorePort, 'get'>, name: string, signal?: AbortSignal): Promise<string | null> {
  try {
    return await store.get(name, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = describeError(error).message;
    throw new Error(`${name} could not be read back (get: ${why}): what it announced must be recalled before the history and feeds are written again, so this tick publishes nothing and the next reads it again`, { cause: error });
  }
}

/**
 * What the published history, snapshot and JSON Feed announced (announcedIn), each read by
 * readPublishedFile: one that cannot be read fails the tick.
 */
export async function readAnnounced(store: Pick<SnapshotStorePort, 'get' | 'snapshotName'>, logger: Logger, signal?: AbortSignal) {
  const read = (name: string) => readPublishedFile(store, name, signal);
  return announcedIn(await read(historyFileName), await read(store.snapshotName), logger, await read(jsonFeedFileName));
}

// The schemas never change within one process: serialise them once.
const statusSchemaBody = json(governanceStatusJsonSchema());
const historySchemaBody = json(governanceHistoryJsonSchema());

/** The history file as published: fitted, validated, and its generatedAt moved only when its content changes. */
export type HistoryFile = { history: GovernanceHistory; historyBody: string };

/**
 * Keeps the history file between ticks: its generatedAt moves only when its content does, so an
 * unchanged file stays byte-identical and readers revalidating with an ETag get a 304; and a trim
 * to its bound is logged once per change, not every tick.
 */
export function createHistoryFile(logger: Logger) {
  let last: { json: string; file: HistoryFile } | null = null;
  let trimmedTo: number | null = null;
  return {
    fit(content: HistoryContent, priority: readonly string[], generatedAt: string): HistoryFile {
      const fitted = fitHistory(content, priority);
      const listed = fitted.content.charters.length;
      if (listed < content.charters.length && listed !== trimmedTo) {
        logger.warn('history_trimmed', { charters: content.charters.length, listed, boundBytes: limits.historyBytes });
      }
      trimmedTo = listed < content.charters.length ? listed : null;
      if (last?.json !== fitted.json) {
        const history = assertHistoryIsValid({ ...fitted.content, generatedAt });
        // compact: the history is the one large file (charters x 90 days)
        last = { json: fitted.json, file: { history, historyBody: `${JSON.stringify(history)}\n` } };
      }
      return last.file;
    },
    reset() {
      last = null;
    },
  };
}

export function sideFiles(built: { snapshot: GovernanceStatus } & HistoryFile, settings: SideFileSettings): Record<string, string> {
  const history = built.historyBody;
  const bytes = Buffer.byteLength(history);
  if (bytes > limits.historyBytes) throw new Error(`${historyFileName} would be ${bytes} bytes, over its bound of ${limits.historyBytes}: not written`);
  return {
    [badgeFileName]: `${JSON.stringify(governanceBadge(built.snapshot.status))}\n`,
    [badgeSvgFileName]: governanceBadgeSvg(built.snapshot.status),
    [schemaFileName]: statusSchemaBody,
    [historySchemaFileName]: historySchemaBody,
    [historyFileName]: history,
    ...(settings.feeds ? renderFeeds(built.history, settings.feeds) : {}),
    ...(settings.feeds ? { [statuspageFileName]: json(statuspageSummary({ snapshot: built.snapshot, history: built.history, page: statuspagePage(settings.feeds.pageUrl) })) } : {}),
    ...archiveSideFiles(settings.signer ?? null),
  };
}

export type PublishPlan = { files: string[]; off: Array<{ files: string[]; reason: string }> };

/**
 * What a publishing worker will write beside its snapshot (named by the destination), and why a
 * file is off: logged once at start, so that a missing feed is never a silent surprise.
 */
export function publishPlan(snapshotName: string, settings: SideFileSettings): PublishPlan {
  const always = [schemaFileName, historyFileName, historySchemaFileName, badgeFileName, badgeSvgFileName, archiveDaySchemaFileName, archiveIndexSchemaFileName, archiveRecentSchemaFileName];
  const feeds = [atomFeedFileName, jsonFeedFileName, statuspageFileName];
  const off: PublishPlan['off'] = [];
  if (!settings.feeds) off.push({ files: feeds, reason: 'STATUS_PAGE_URL is not set, and every feed entry (and summary.json) must link to the status page' });
  if (!settings.signer) off.push({ files: [signingKeyFileName], reason: 'SIGNING_KEY_FILE is not set: the snapshot and the archive are published unsigned' });
  return { files: [snapshotName, ...always, ...(settings.feeds ? feeds : []), ...(settings.signer ? [signingKeyFileName] : [])], off };
}
