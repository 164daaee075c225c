// What the worker remembers of each charter's rows older than the window (worker/charter-memory.ts):
// kept up to date from the ticks' windows, it must always equal what the database would answer for
// the rows before the window start (readEarlierRuns), which a restarted worker reads instead.
import { describe, expect, it } from 'vitest';
import type { EarlierFacts, RunRecord } from '../../shared/charter-state.ts';
import type { RunStatus } from '../../shared/contract.ts';
import { createCharterMemory, foldRun } from '../../worker/charter-memory.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const t0 = Date.parse('2026-11-01T00:00:00.000Z');

const run = (at: number, status: RunStatus, runId = `run-${at}`): RunRecord => ({
  runId,
  status,
  scheduledFor: at,
  startedAt: at + 2_000,
  completedAt: status === 'pending' || status === 'running' ? null : at + 40_000,
  code: status === 'error' ? 'insufficient_credits' : null,
});

/** What the database says of the rows before `before`: first run, latest finished, latest success. */
function factsBefore(rows: readonly RunRecord[], before: number): EarlierFacts {
  const older = rows.filter((row) => row.scheduledFor < before).sort((a, b) => a.scheduledFor - b.scheduledFor);
  const finished = older.filter((row) => row.status !== 'pending' && row.status !== 'running');
  return {
    firstRunAt: older[0]?.scheduledFor ?? null,
    lastFinished: finished.at(-1) ?? null,
    lastSuccess: finished.filter((row) => row.status === 'success').at(-1) ?? null,
  };
}

const windowOf = (rows: readonly RunRecord[], at: number) => rows.filter((row) => row.scheduledFor >= at - day && row.scheduledFor <= at);

/** A memory loaded at `start` from the database, then moved every `step` to `end`, as ticks do; and the last tick's time. */
function tick(ledger: ReadonlyMap<string, readonly RunRecord[]>, start: number, end: number, step: number) {
  const memory = createCharterMemory();
  memory.load(new Map([...ledger].map(([id, rows]) => [id, factsBefore(rows, start - day)])));
  const charters = new Set(ledger.keys());
  let last = start;
  for (let at = start; at <= end; at += step) {
    memory.advance(at - day, new Map([...ledger].map(([id, rows]) => [id, windowOf(rows, at)])), charters);
    last = at;
  }
  return { memory, last };
}

describe('foldRun', () => {
  it('keeps the earliest first run and the latest finished run and success, whatever the order', () => {
    const rows = [run(t0 + 3 * hour, 'error'), run(t0, 'success'), run(t0 + 2 * hour, 'success'), run(t0 + 4 * hour, 'running'), run(t0 + hour, 'skipped')];
    const folded = rows.reduce(foldRun, { firstRunAt: null, lastFinished: null, lastSuccess: null });
    expect(folded).toEqual(factsBefore(rows, Number.POSITIVE_INFINITY));
  });

  it('is idempotent: a row seen twice changes nothing, and a newer version of the same run wins', () => {
    const running = run(t0, 'running', 'same');
    const done = run(t0, 'success', 'same');
    const once = foldRun(foldRun({ firstRunAt: null, lastFinished: null, lastSuccess: null }, running), done);
    expect(foldRun(once, done)).toEqual(once);
    expect(once).toEqual({ firstRunAt: t0, lastFinished: done, lastSuccess: done });
    // A run recorded as failed and then, in a later read, as succeeded (the same slot): the later read wins.
    const failed = run(t0, 'error', 'same');
    expect(foldRun(foldRun({ firstRunAt: null, lastFinished: null, lastSuccess: null }, failed), done).lastFinished).toEqual(done);
  });
});

describe('charter memory', () => {
  it('moves the last success forward as a success leaves the window', () => {
    const rows = [run(t0, 'success'), run(t0 + 6 * hour, 'success'), run(t0 + 12 * hour, 'error')];
    const memory = createCharterMemory();
    memory.load(new Map([['a', factsBefore(rows, t0 + hour)]]));
    expect(memory.earlier('a').lastSuccess).toEqual(rows[0]);
    for (const at of [t0 + 25 * hour, t0 + 30 * hour + minute, t0 + 37 * hour]) memory.advance(at - day, new Map([['a', windowOf(rows, at)]]), new Set(['a']));
    expect(memory.earlier('a')).toEqual({ firstRunAt: t0, lastFinished: rows[2], lastSuccess: rows[1] });
  });

  it('keeps a success from before a weeks-long failure streak, and moves on when the charter succeeds again', () => {
    // One run a minute: successes, then 30 days of failures, then successes again.
    const streakStart = t0 + day;
    const recovered = streakStart + 30 * day;
    const rows = Array.from({ length: (32 * day) / minute }, (_, index) => {
      const at = t0 + index * minute;
      return run(at, at >= streakStart && at < recovered ? 'error' : 'success');
    });
    const ledger = new Map([['treasury', rows]]);
    // Loaded in the middle of the streak: the last success is the one before it.
    const { memory: during } = tick(ledger, streakStart + 10 * day, streakStart + 10 * day + 3 * hour, 10 * minute);
    expect(during.earlier('treasury').lastSuccess?.scheduledFor).toBe(streakStart - minute);
    expect(during.earlier('treasury').lastFinished?.status).toBe('error');
    // Ticking past the recovery until it has left the window: the success before the streak is replaced.
    const { memory: after, last } = tick(ledger, recovered + 20 * hour, recovered + 26 * hour, 7 * minute);
    expect(after.earlier('treasury')).toEqual(factsBefore(rows, last - day));
    expect(after.earlier('treasury').lastSuccess!.scheduledFor).toBeGreaterThanOrEqual(recovered);
  });

  it('equals a fresh read from the database at every tick (what a restarted worker loads)', () => {
    // Three charters over four days, with gaps, every status, and ticks that do not divide the hour.
    const statuses: RunStatus[] = ['success', 'error', 'success', 'skipped', 'success', 'cancelled', 'error', 'error'];
    const ledger = new Map<string, RunRecord[]>([
      ['hourly', Array.from({ length: 96 }, (_, i) => run(t0 + i * hour, statuses[i % statuses.length]!))],
      ['sparse', [run(t0 + 5 * hour, 'success'), run(t0 + 40 * hour, 'error'), run(t0 + 70 * hour, 'success')]],
      ['quarterly', Array.from({ length: 384 }, (_, i) => run(t0 + i * 15 * minute, i % 5 === 0 ? 'error' : 'success'))],
    ]);
    const memory = createCharterMemory();
    const start = t0 + 26 * hour;
    memory.load(new Map([...ledger].map(([id, rows]) => [id, factsBefore(rows, start - day)])));
    let end = start;
    for (let at = start; at <= t0 + 4 * day; at += 13 * minute) {
      memory.advance(at - day, new Map([...ledger].map(([id, rows]) => [id, windowOf(rows, at)])), new Set(ledger.keys()));
      for (const [id, rows] of ledger) expect(memory.earlier(id), `${id} at +${(at - t0) / minute} min`).toEqual(factsBefore(rows, at - day));
      end = at;
    }
    // A restart: a new memory knows nothing until it is loaded, and then knows the same.
    const restarted = createCharterMemory();
    expect(restarted.loaded).toBe(false);
    expect(restarted.earlier('hourly')).toEqual({ firstRunAt: null, lastFinished: null, lastSuccess: null });
    restarted.load(new Map([...ledger].map(([id, rows]) => [id, factsBefore(rows, end - day)])));
    expect(restarted.loaded).toBe(true);
    for (const id of ledger.keys()) expect(restarted.earlier(id)).toEqual(memory.earlier(id));
  });

  it("folds a run that left the window between two ticks from the previous tick's rows, in its latest version", () => {
    const memory = createCharterMemory();
    memory.load(new Map([['a', { firstRunAt: t0 - day, lastFinished: null, lastSuccess: null }]]));
    const first = run(t0, 'running', 'r1');
    memory.advance(t0 - hour, new Map([['a', [first]]]), new Set(['a']));
    expect(memory.earlier('a').lastFinished).toBeNull(); // still in the window
    // The run finished, then its slot left the window before the next tick: the next window lacks it.
    memory.advance(t0 + minute, new Map([['a', []]]), new Set(['a']));
    expect(memory.earlier('a')).toEqual({ firstRunAt: t0 - day, lastFinished: null, lastSuccess: null });
    // Seen finished while the window still held it, it is folded in that version.
    const second = run(t0 + hour, 'running', 'r2');
    memory.advance(t0, new Map([['a', [second]]]), new Set(['a']));
    memory.advance(t0, new Map([['a', [{ ...second, status: 'success', completedAt: second.scheduledFor + 40_000 }]]]), new Set(['a']));
    memory.advance(t0 + 2 * hour, new Map([['a', []]]), new Set(['a']));
    expect(memory.earlier('a').lastSuccess).toMatchObject({ runId: 'r2', status: 'success' });
  });

  it('forgets a deleted charter, and keeps a paused and re-enabled one (a schedule row is listed while disabled)', () => {
    const rows = [run(t0, 'success'), run(t0 + hour, 'error')];
    const memory = createCharterMemory();
    memory.load(new Map([
      ['kept', factsBefore(rows, t0 + 2 * hour)],
      ['deleted', factsBefore(rows, t0 + 2 * hour)],
    ]));
    // Disabled or not, the schedule row stays in the tick's charters; a deleted one is gone from them.
    memory.advance(t0 + 3 * hour, new Map(), new Set(['kept']));
    expect(memory.earlier('kept')).toEqual(factsBefore(rows, t0 + 2 * hour));
    expect(memory.earlier('deleted')).toEqual({ firstRunAt: null, lastFinished: null, lastSuccess: null });
    // Its rows of the previous tick are not folded back in once it is gone.
    memory.advance(t0 + 3 * hour, new Map([['deleted', rows]]), new Set(['kept']));
    memory.advance(t0 + 4 * hour, new Map(), new Set(['kept']));
    expect(memory.earlier('deleted').firstRunAt).toBeNull();
  });

  it('folds only the rows older than the window start when the history is rebuilt', () => {
    const memory = createCharterMemory();
    memory.load(new Map());
    memory.foldRows('a', [run(t0, 'success'), run(t0 + 2 * day, 'error')], t0 + day);
    expect(memory.earlier('a')).toEqual({ firstRunAt: t0, lastFinished: run(t0, 'success'), lastSuccess: run(t0, 'success') });
  });

  it('forgets everything on reset', () => {
    const memory = createCharterMemory();
    memory.load(new Map([['a', { firstRunAt: t0, lastFinished: null, lastSuccess: null }]]));
    memory.reset();
    expect(memory.loaded).toBe(false);
    expect(memory.earlier('a').firstRunAt).toBeNull();
  });
});
