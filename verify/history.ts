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

/** The line to print, and the exit code it stands for: 0 nothing wrong, 1 a history that differs or is not one, 2 unreadable. */
export type HistoryCheck = { exit: 0 | 1 | 2; line: string };

/** What the history file says beside the verified record: nothing to compare, agreement, or the days it states otherwise. */
export async function checkHistory(read: Read, archived: readonly ArchiveDay[]): Promise<HistoryCheck> {
  let bytes: Uint8Array | null;
  try {
    bytes = await read(historyFileName);
  } catch (error) {
    return { exit: 2, line: `${historyFileName}: could not be read: ${(error as Error).message}` };
  }
  if (bytes === null) return { exit: 0, line: `${historyFileName}: not published` };
  let parsed;
  try {
    parsed = parseGovernanceHistory(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return { exit: 1, line: `${historyFileName}: NOT JSON` };
  }
  if (!parsed.success) return { exit: 1, line: `${historyFileName}: does not match the contract` };
  const { compared, differing } = historyDiffersOn(parsed.data, archived);
  if (differing.length > 0) {
    const days = differing.length === 1 ? `1 archived day, ${differing[0]}` : `${differing.length} archived days, the latest ${differing.at(-1)}`;
    return { exit: 1, line: `${historyFileName}: DIFFERS from the signed record on ${days}: the file is not signed, and the worker's own never differs` };
  }
  if (compared.length === 0) return { exit: 0, line: `${historyFileName}: written ${parsed.data.generatedAt}, before every archived day of its range: nothing to compare (the file itself is not signed)` };
  return { exit: 0, line: `${historyFileName}: states the signed figures of the ${compared.length} archived days it was written after (the file itself is not signed)` };
}
