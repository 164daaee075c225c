// What the worker remembers between ticks: for each charter, the facts of its rows older than the
// 24-hour window (its first run, its latest finished run, its latest success), so that no tick has
// to read further back than the window.
//
// Why that is correct: those facts are a fold (first = min, latest = max by scheduled_for) over the
// rows older than the window. They are read once from the database for the rows before some instant,
// and every row newer than that instant is then seen by a tick while it is inside the window (the
// scheduler writes a run at its slot, and ticks come minutes apart, not a day); when the window moves
// on, the rows it leaves are folded in. Folding is idempotent, so a row seen twice changes nothing.
// What it misses, until the next start: a row written or changed after it left the window (a run
// that finishes more than 24 hours after its slot, a backfill). A restarted or newly elected worker
// starts with nothing and pays one read of the earlier facts (worker/history-keeper.ts), where the
// latest success walks back through a whole failure streak: once, not every minute.
import type { EarlierFacts, RunRecord } from '../shared/charter-state.ts';

const finished = new Set(['success', 'error', 'skipped', 'cancelled']);
const empty: EarlierFacts = { firstRunAt: null, lastFinished: null, lastSuccess: null };

/** `facts` with `run` (older than the window) folded in. */
export function foldRun(facts: EarlierFacts, run: RunRecord): EarlierFacts {
  const later = (current: RunRecord | null) => current === null || run.scheduledFor >= current.scheduledFor;
  return {
    firstRunAt: facts.firstRunAt === null ? run.scheduledFor : Math.min(facts.firstRunAt, run.scheduledFor),
    lastFinished: finished.has(run.status) && later(facts.lastFinished) ? run : facts.lastFinished,
    lastSuccess: run.status === 'success' && later(facts.lastSuccess) ? run : facts.lastSuccess,
  };
}

export function createCharterMemory() {
  let facts = new Map<string, EarlierFacts>();
  let loaded = false;
  /** the previous tick's window rows per charter: folded in once the window has left them */
  let previous = new Map<string, readonly RunRecord[]>();

  const fold = (scheduleId: string, runs: readonly RunRecord[], before: number) => {
    let current = facts.get(scheduleId) ?? empty;
    for (const run of runs) if (run.scheduledFor < before) current = foldRun(current, run);
    facts.set(scheduleId, current);
  };

  return {
    get loaded() {
      return loaded;
    },
    /** Starts over from facts read from the database (rows before some instant). */
    load(earlier: ReadonlyMap<string, EarlierFacts>) {
      facts = new Map(earlier);
      previous = new Map();
      loaded = true;
    },
    /** Folds in rows read while loading (the history's days), those older than `before` only. */
    foldRows: fold,
    /**
     * Moves the window to start at `windowStart`: rows of the last tick and of this one that are
     * now older than it are folded in, and charters that no longer exist are forgotten.
     */
    advance(windowStart: number, current: ReadonlyMap<string, readonly RunRecord[]>, charters: ReadonlySet<string>) {
      for (const [scheduleId, runs] of previous) if (charters.has(scheduleId)) fold(scheduleId, runs, windowStart);
      for (const [scheduleId, runs] of current) if (charters.has(scheduleId)) fold(scheduleId, runs, windowStart);
      for (const scheduleId of facts.keys()) if (!charters.has(scheduleId)) facts.delete(scheduleId);
      previous = new Map(current);
    },
    earlier(scheduleId: string): EarlierFacts {
      return facts.get(scheduleId) ?? empty;
    },
    reset() {
      facts = new Map();
      previous = new Map();
      loaded = false;
    },
  };
}

export type CharterMemory = ReturnType<typeof createCharterMemory>;
