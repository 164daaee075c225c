// The record: every closed UTC day is archived once (worker/archive.ts: written once, chained,
// signed), and the history shows the archive's figures for the days it holds, so a day whose ledger
// rows are gone or pruned keeps what it was closed with. It reads nothing from the database.
import type { ArchiveDay, ClosedDay } from '../shared/archive-contract.ts';
import { toClosedDay } from '../shared/archive-history.ts';
import type { DayCounts, Incident } from '../shared/contract.ts';
import { withinMs } from '../shared/ports.ts';
import type { Archivist } from './archive.ts';

export type ClosedHistoryDay = { date: string; spent: bigint; counts: ReadonlyMap<string, DayCounts> };
export type ArchiveContext = { now: Date; names: ReadonlyMap<string, string>; incidents: readonly Incident[] };
/** What a tick hands the archive: the keeper's closed days and what names and dates them. */
export type ArchiveWork = { days: readonly ClosedHistoryDay[]; context: ArchiveContext };

/** How long the first snapshot of a process or a leadership waits for the archive's days (archivedWithin). */
export const archiveReadBeforeSnapshotMs = 5_000;

/** What the record knows between ticks; the steps below take it. */
type RecordState = {
  newArchivist: () => Archivist;
  indexExists: (signal?: AbortSignal) => Promise<boolean>;
  archivist: Archivist;
  /** the database's instant of the tick that archives: the archivist's clock */
  now: Date;
  /** the last closed day given to the archive with success */
  keptThrough: string | null;
  /** what the archive holds of the days given: the figures the history shows for them */
  archived: ArchiveDay[];
  /** why the last call could not archive (the store failed, the archive is broken), or null; a call cut short by the tick's time says nothing */
  problem: string | null;
  /** the archive was asked for its days once since the start or the last reset (archivedWithin) */
  asked: boolean;
};

/**
 * `newArchivist` makes an archivist on the given clock (the database's instant of the tick that
 * archives); `indexExists` tells whether the archive's index is still stored: one that was deleted
 * (a wiped folder or prefix) is written again from the days the history holds, a tick later.
 */
export function createArchiveRecord(newArchivist: (clock: () => Date) => Archivist, indexExists: (signal?: AbortSignal) => Promise<boolean>) {
  // an archivist reads its clock only when it archives: by then `state` is there
  const fresh = () => newArchivist(() => state.now);
  const state: RecordState = { newArchivist: fresh, indexExists, archivist: fresh(), now: new Date(0), keptThrough: null, archived: [], problem: null, asked: false };
  return {
    /** Archives the closed days not archived yet and returns the archived figures of the days given; a failing store is tried again next tick. */
    keep: (days: readonly ClosedHistoryDay[], context: ArchiveContext, signal?: AbortSignal): Promise<ArchiveDay[]> => keep(state, days, context, signal),
    /** keep(), within `ms` (what is left of the tick): one cut short goes on at the next tick. */
    async keepWithin(work: ArchiveWork, ms: number, signal?: AbortSignal): Promise<void> {
      if (ms <= 0) return;
      const bounded = withinMs(signal, ms);
      await keep(state, work.days, work.context, bounded).catch(() => {}); // the archivist logs what failed
    },
    /** Why the archive could not take the closed days at the last call, or null (named in the next snapshot's filesBehind). */
    problem: (): string | null => state.problem,
    /** The archive's figures of the days from `from` to `to`, for the history (see archivedWithin below). */
    archivedWithin: (from: string, to: string, signal?: AbortSignal): Promise<readonly ArchiveDay[]> => archivedWithin(state, from, to, signal),
    /** A replica that stops leading reads the archive again when it leads again. */
    reset() {
      Object.assign(state, { archivist: fresh(), keptThrough: null, archived: [], problem: null, asked: false });
    },
  };
}

/** See keep() above: when a day has closed since the last call, or the index is gone. */
async function keep(state: RecordState, days: readonly ClosedHistoryDay[], context: ArchiveContext, signal?: AbortSignal): Promise<ArchiveDay[]> {
  const last = days.at(-1)?.date ?? null;
  if (last === null) return state.archived;
  if (last === state.keptThrough && (await state.indexExists(signal))) return state.archived;
  if (last === state.keptThrough) state.archivist = state.newArchivist(); // gone: read and write it anew
  state.now = context.now;
  const closed: ClosedDay[] = days.map((day) => toClosedDay({ ...day, closedAt: context.now, names: context.names, incidents: context.incidents }));
  const outcome = await state.archivist.archive(closed, signal);
  if (!signal?.aborted) state.problem = outcome.problem;
  state.archived = await state.archivist.reconcile(closed, signal);
  if (outcome.problem === null) state.keptThrough = last;
  return state.archived;
}

/**
 * What the archive holds of the days last given. Before the first keep() of a process or a
 * leadership, the archived days from `from` to `to` are read once, so its first history shows them
 * too (else it published the ledger's recount for a tick, which differs from the signed days wherever
 * rows were deleted or pruned). Best effort: a store that fails leaves them to keep(), after the
 * snapshot is out.
 */
async function archivedWithin(state: RecordState, from: string, to: string, signal?: AbortSignal): Promise<readonly ArchiveDay[]> {
  if (state.asked || state.keptThrough !== null) return state.archived;
  state.asked = true;
  // a store that hangs must not hold the snapshot back: past the bound, the days are left to keep()
  const bounded = withinMs(signal, archiveReadBeforeSnapshotMs);
  state.archived = await state.archivist.archivedDays(from, to, bounded).catch(() => {
    state.asked = signal?.aborted !== true; // a tick cut short publishes nothing: the next one asks again
    return state.archived;
  });
  return state.archived;
}

export type ArchiveRecord = ReturnType<typeof createArchiveRecord>;
