// The files published beside the snapshot: badges, both JSON Schemas, the history and the feeds.
// Each is written only when it is missing or differs from what is stored (one hash comparison per
// file and tick), so a deleted folder or bucket prefix is whole again on the next tick.
import { createHash } from 'node:crypto';
import {
  badgeFileName,
  badgeSvgFileName,
  historyFileName,
  historySchemaFileName,
  limits,
  schemaFileName,
  type GovernanceHistory,
  type GovernanceStatus,
} from '../shared/contract.ts';
import { governanceBadge, governanceBadgeSvg } from '../shared/badge.ts';
import { governanceHistoryJsonSchema, governanceStatusJsonSchema } from '../shared/json-schema.ts';
import type { SnapshotStorePort } from '../shared/ports.ts';
import { renderFeeds, type FeedLinks } from './feeds.ts';

export type SideFileSettings = {
  /** absolute URLs of the page and the feeds; null publishes no feeds (entries need a link to the page) */
  feeds: FeedLinks | null;
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const md5 = (body: string) => createHash('md5').update(body).digest('hex');
// The schemas never change within one process: serialise them once.
const statusSchemaBody = json(governanceStatusJsonSchema());
const historySchemaBody = json(governanceHistoryJsonSchema());

export function sideFiles(built: { snapshot: GovernanceStatus; history: GovernanceHistory }, settings: SideFileSettings): Record<string, string> {
  const history = json(built.history);
  const bytes = Buffer.byteLength(history);
  if (bytes > limits.historyBytes) throw new Error(`${historyFileName} would be ${bytes} bytes, over its bound of ${limits.historyBytes}: not written`);
  return {
    [badgeFileName]: `${JSON.stringify(governanceBadge(built.snapshot.status))}\n`,
    [badgeSvgFileName]: governanceBadgeSvg(built.snapshot.status),
    [schemaFileName]: statusSchemaBody,
    [historySchemaFileName]: historySchemaBody,
    [historyFileName]: history,
    ...(settings.feeds ? renderFeeds(built.history, settings.feeds) : {}),
  };
}

/** Writes every side file that is missing or changed; returns the names written. */
export async function publishSideFiles(
  store: SnapshotStorePort,
  built: { snapshot: GovernanceStatus; history: GovernanceHistory },
  settings: SideFileSettings,
  signal?: AbortSignal,
): Promise<string[]> {
  const written: string[] = [];
  for (const [name, body] of Object.entries(sideFiles(built, settings))) {
    if ((await store.contentHash(name, signal)) === md5(body)) continue;
    await store.put(name, body, signal);
    written.push(name);
  }
  return written;
}
