// The verify command's look at governance-history.json, which is not signed: read first (its range
// says which archived days to keep), judged once the record verified: the closed days the file
// shares with it must state the signed figures (the page shows the signed ones and names the days
// that differ; shared/archive-history.ts historyDiffersOn).
import type { ArchiveDay } from '../shared/archive-contract.ts';
import { archiveDayFileName } from '../shared/archive-files.ts';
import { historyDiffersOn } from '../shared/archive-history.ts';
import { historyFileName } from '../shared/constants.ts';
import { parseGovernanceHistory, type GovernanceHistory } from '../shared/contract.ts';

type Read = (name: string) => Promise<Uint8Array<ArrayBuffer> | null>;

/** governance-history.json as read before the record is checked: its range says which days to keep. */
export type HistoryFile = { kind: 'read'; history: GovernanceHistory } | { kind: 'said'; check: HistoryCheck };

/** The line to print, and the exit code it stands for: 0 nothing wrong, 1 a history that differs or is not one, 2 unreadable. */
export type HistoryCheck = { exit: 0 | 1 | 2; line: string };

/** Reads and parses the history file (within its bound, verify/sources.ts); what it is not is said later, once the record verified. */
export async function readHistoryFile(read: Read): Promise<HistoryFile> {
  let bytes: Uint8Array | null;
  try {
    bytes = await read(historyFileName);
  } catch (error) {
    return { kind: 'said', check: { exit: 2, line: `${historyFileName}: could not be read: ${(error as Error).message}` } };
  }
  if (bytes === null) return { kind: 'said', check: { exit: 0, line: `${historyFileName}: not published` } };
  let parsed;
  try {
    parsed = parseGovernanceHistory(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return { kind: 'said', check: { exit: 1, line: `${historyFileName}: NOT JSON` } };
  }
  if (!parsed.success) return { kind: 'said', check: { exit: 1, line: `${historyFileName}: does not match the contract` } };
  return { kind: 'read', history: parsed.data };
}

/**
 * A reader that keeps, of the archived days it reads, only those of the history's range (at most its
 * 90 days, each at most archiveDayBytes): the history's check needs no other, and a record of a
 * century must not be held in memory to the end.
 */
export function keepingDays(read: Read, file: HistoryFile) {
  const days = new Map<string, Uint8Array<ArrayBuffer>>();
  const range = file.kind === 'read' ? { from: file.history.from, to: file.history.to } : null;
  const wanted = (name: string) => {
    const day = /^governance-archive\/(\d{4}-\d\d-\d\d)\.json$/.exec(name)?.[1];
    return range !== null && day !== undefined && day >= range.from && day <= range.to;
  };
  return {
    read: async (name: string) => {
      const bytes = await read(name);
      if (bytes !== null && wanted(name)) days.set(name, bytes);
      return bytes;
    },
    /** how many files it holds */
    held: () => days.size,
    /** the verified days' figures, by the index's entries */
    archived: (entries: ReadonlyArray<{ day: string }>): ArchiveDay[] =>
      entries.flatMap(({ day }) => {
        const bytes = days.get(archiveDayFileName(day));
        return bytes ? [JSON.parse(new TextDecoder().decode(bytes)) as ArchiveDay] : [];
      }),
  };
}

/** What the history file says beside the verified record: nothing to compare, agreement, or the days it states otherwise. */
export function checkHistory(file: HistoryFile, archived: readonly ArchiveDay[]): HistoryCheck {
  if (file.kind === 'said') return file.check;
  const { compared, differing } = historyDiffersOn(file.history, archived);
  if (differing.length > 0) {
    const days = differing.length === 1 ? `1 archived day, ${differing[0]}` : `${differing.length} archived days, the latest ${differing.at(-1)}`;
    return { exit: 1, line: `${historyFileName}: DIFFERS from the signed record on ${days}: the file is not signed, and the worker's own never differs` };
  }
  if (compared.length === 0) return { exit: 0, line: `${historyFileName}: written ${file.history.generatedAt}, before every archived day of its range: nothing to compare (the file itself is not signed)` };
  return { exit: 0, line: `${historyFileName}: states the signed figures of the ${compared.length} archived days it was written after (the file itself is not signed)` };
}
