// How a paused or re-synced schedule counts: the one rule for which of a charter's cron fires were
// due. The application bumps a schedule's updated_at for much more than a new cron (its governance
// sync upserts every schedule on each deploy; a pause, a resume, an edit of the input), so
// updated_at alone cannot say what was due before it. The charter's latest runs before it can:
//
//   09:00 ok   10:00 ok   11:00 ok   (nothing)   12:20 updated_at   13:00 ok ...
//   └── runs on consecutive fires of today's cron: due ──┘└ quiet ┘└───── due ─────
//
// Fires up to the latest of those runs were due (an outage between them stays an outage); between
// that run and the change nothing is known (a pause looks like a stopped scheduler), so those fires
// count only when a run answered them; after the change everything is due. When the runs before do
// not follow today's cron (another cadence, or fewer than two runs), the quiet span reaches back
// to the beginning. A paused charter is due by its cron up to its latest run before the pause.
// Pure: the schedule row and its latest slots in, the window out.

/** A run start writes last_run_at and updated_at in one statement: within this, it is no change. */
export const runStartWriteMs = 60_000;

export type ScheduleRow = {
  enabled: boolean;
  /** the cron and the time zone both parse */
  cronParses: boolean;
  updatedAt: number | null;
  lastRunAt: number | null;
  /** scheduled_for of its latest runs before updated_at, in any order (at most a handful) */
  slotsBeforeChange: readonly number[];
};

export type DueRule = {
  /** fires come from the cron (else from the runs' own slots: nothing can be missed) */
  byCron: boolean;
  /** no fire after this is due (a paused charter: its latest run before the pause) */
  dueUntil: number;
  /** unanswered fires strictly inside (from, until) do not count; null: all count */
  quiet: { from: number; until: number } | null;
};

/** updated_at, unless it is the application recording a run start (within a minute after last_run_at, and the grace). */
export function changedAtOf(row: Pick<ScheduleRow, 'updatedAt' | 'lastRunAt'>, graceMs: number): number | null {
  const { updatedAt, lastRunAt } = row;
  if (updatedAt === null) return null;
  if (lastRunAt !== null && updatedAt >= lastRunAt && updatedAt - lastRunAt <= Math.min(runStartWriteMs, graceMs)) return null;
  return updatedAt;
}

/** Whether runs sit on fires of this cron, most of them on consecutive ones (a gap is an outage, not another cron). */
export function followedCron(slots: readonly number[], fireAfter: (at: number) => number | null): boolean {
  const ascending = [...slots].sort((a, b) => a - b);
  if (ascending.length < 2) return false;
  let consecutive = 0;
  for (const [index, slot] of ascending.entries()) {
    if (fireAfter(slot - 1) !== slot) return false; // not a fire of this cron
    if (index > 0 && fireAfter(ascending[index - 1]!) === slot) consecutive += 1;
  }
  return consecutive * 2 >= ascending.length - 1;
}

/** The rule for one charter; `fireAfter` is its cron's first fire after an instant (used only when the cron parses). */
export function dueRuleOf(row: ScheduleRow, fireAfter: (at: number) => number | null, graceMs: number): DueRule {
  const changedAt = changedAtOf(row, graceMs);
  const latestSlot = row.slotsBeforeChange.length > 0 ? Math.max(...row.slotsBeforeChange) : null;
  const dueUntil = row.enabled ? Number.POSITIVE_INFINITY : (latestSlot ?? Number.NEGATIVE_INFINITY);
  const byCron = row.cronParses && dueUntil > Number.NEGATIVE_INFINITY;
  if (!byCron || changedAt === null) return { byCron, dueUntil, quiet: null };
  const followed = followedCron(row.slotsBeforeChange, fireAfter);
  return { byCron, dueUntil, quiet: { from: followed ? latestSlot! : Number.NEGATIVE_INFINITY, until: changedAt } };
}

/** Whether a fire at `at` counts as expected: answered fires always do; unanswered ones outside the quiet span. */
export function countsAsExpected(rule: Pick<DueRule, 'quiet'>, at: number, answered: boolean): boolean {
  return answered || rule.quiet === null || at <= rule.quiet.from || at >= rule.quiet.until;
}

/**
 * The fires due in a span: the cron's (up to dueUntil) and the runs' own slots, ascending, unique;
 * without a usable cron only the runs' slots. `cronFires` are the cron's fires of the span.
 */
export function dueFires(rule: DueRule, cronFires: readonly number[], slots: readonly number[]): readonly number[] {
  if (!rule.byCron) return [...new Set(slots)].sort((a, b) => a - b);
  if (rule.dueUntil === Number.POSITIVE_INFINITY) return cronFires;
  const due = cronFires.filter((fire) => fire <= rule.dueUntil);
  return [...new Set([...due, ...slots])].sort((a, b) => a - b);
}
