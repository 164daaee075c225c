// The verify command's look at governance-history.json, which is not signed: once the record
// verified, the closed days the file shares with it must state the signed figures (the page shows
// the signed ones and names the days that differ; shared/archive-history.ts historyDiffersOn).
import type { ArchiveDay } from '../shared/archive-contract.ts';
import { archiveDayFileName } from '../shared/archive-files.ts';
import { historyDiffersOn } from '../shared/archive-history.ts';
import { historyFileName } from '../shared/constants.ts';
import { parseGovernanceHistory } from '../shared/contract.ts';

type Read = (name: string) => Promise<Uint8Array<ArrayBuffer> | null>;

/** A reader that keeps the archived days it read, for the history's check once the record verified. */
export function keepingDays(read: Read) {
  const days = new Map<string, Uint8Array<ArrayBuffer>>();
  return {
    read: async (name: string) => {
      const bytes = await read(name);
      if (bytes !== null) days.set(name, bytes);
      return bytes;
    },
    /** the verified days' figures, by the index's entries */
    archived: (entries: ReadonlyArray<{ day: string }>): ArchiveDay[] =>
      entries.flatMap(({ day }) => {
        const bytes = days.get(archiveDayFileName(day));
        return bytes ? [JSON.parse(new TextDecoder().decode(bytes)) as ArchiveDay] : [];
      }),
  };
}

export type HistoryCheck = { ok: boolean; line: string };

/** What the history file says beside the verified record: nothing to compare, agreement, or the days it states otherwise. */
export async function checkHistory(read: Read, archived: readonly ArchiveDay[]): Promise<HistoryCheck> {
  const bytes = await read(historyFileName);
  if (bytes === null) return { ok: true, line: `${historyFileName}: not published` };
  let parsed;
  try {
    parsed = parseGovernanceHistory(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return { ok: false, line: `${historyFileName}: NOT JSON` };
  }
  if (!parsed.success) return { ok: false, line: `${historyFileName}: does not match the contract` };
  const differing = historyDiffersOn(parsed.data, archived);
  if (differing.length === 0) return { ok: true, line: `${historyFileName}: states the signed figures of every archived day it holds (the file itself is not signed)` };
  const days = differing.length === 1 ? `1 archived day, ${differing[0]}` : `${differing.length} archived days, the latest ${differing.at(-1)}`;
  return { ok: false, line: `${historyFileName}: DIFFERS from the signed record on ${days}: the file is not signed, and the worker's own never differs` };
}
