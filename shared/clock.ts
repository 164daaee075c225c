// Whose clock says what time it is: the database's. A tick takes its `now` from the transaction it
// reads in; the worker's own clock only decides when ticks fire, and is measured against the
// database's every tick. Pure.

/** The worker's clock minus the database's: positive when the worker is ahead. */
export function clockSkewMs(databaseNow: number, workerAt: number): number {
  return workerAt - databaseNow;
}

/**
 * Why the worker must not publish with this skew, or null. The file's times are the database's
 * whatever the skew (and /healthz judges a snapshot's staleness on them, corrected by the skew), but the worker's
 * clock still decides when ticks fire, what the logs say and whether S3 accepts a signed request (it
 * refuses past 15 minutes). Past the limit (5 minutes by default: more than the snapshot's
 * freshness window at the default schedule, and far beyond what NTP leaves) the clock is broken.
 */
export function skewProblem(skewMs: number, limitMs: number): string | null {
  if (Math.abs(skewMs) <= limitMs) return null;
  const seconds = Math.round(Math.abs(skewMs) / 1000);
  return `the worker's clock is ${seconds} s ${skewMs > 0 ? 'ahead of' : 'behind'} the database's, over the limit of ${Math.round(limitMs / 1000)} s (CLOCK_SKEW_LIMIT_SECONDS): fix its time synchronisation (NTP)`;
}

/** The worker's clock corrected by the last skew measured: the database's time, as near as the worker can tell. */
export function databaseTimeAt(workerNow: number, skewMs: number): number {
  return workerNow - skewMs;
}

/** What a database says of itself at the start of a read (pg_is_in_recovery and the standby's WAL functions). */
export type ReplicationReading = {
  now: number;
  replica: boolean;
  /** the primary's commit time of the last transaction the standby replayed (null: none since it started) */
  replayedMs: number | null;
  /** everything the standby received is replayed */
  caughtUp: boolean;
  /** a WAL receiver is connected to the primary (pg_stat_wal_receiver has a row) */
  receiving: boolean;
};

/**
 * How recent the data is (ms), or why that cannot be known. A primary's data is as of now; so is a
 * standby's that streams from its primary and has replayed all it received. Otherwise the standby
 * knows no later than its last replayed transaction: one behind on replay, and one cut off from its
 * primary, whose received WAL is all replayed while the primary goes on without it. Never after now
 * (two servers' clocks). A standby behind or cut off that has replayed nothing since it started cannot
 * tell how old its data is.
 */
export function dataAsOfMs(reading: ReplicationReading): number | string {
  const { now, replica, replayedMs, caughtUp, receiving } = reading;
  if (!replica || (caughtUp && receiving)) return now;
  if (replayedMs === null) {
    const why = receiving ? 'has WAL to replay' : 'receives nothing from its primary';
    return `the database is a hot standby that ${why} and has replayed no transaction since it started: how old its data is cannot be known; read from the primary, or wait until it replays`;
  }
  return Math.min(replayedMs, now);
}

/** Where a tick's data stands: its instant (dataAsOfMs) and the WAL position it was read at (null: not known). */
export type DataPosition = { dataAsOf: number; lsn: bigint | null };

/**
 * The instant a tick's data is as of, given the last tick's, or why it may not be published. Data
 * read at or past the last tick's WAL position holds all that tick saw, so it is as of that tick's
 * instant at least: a standby whose WAL arrived a moment before its replay, or whose replay is
 * paused, would otherwise read as of its last replayed transaction (hours back on an idle primary).
 * Data from before that position (another server, behind; a lagging standby promoted), or older when
 * no position is known, is not published: judged on it, runs already seen would be unseen, a resolved
 * incident open again and a balance of minutes ago new, in every output.
 */
export function dataSince(reading: DataPosition, last: DataPosition | null): number | string {
  if (last === null) return reading.dataAsOf;
  const bothKnown = reading.lsn !== null && last.lsn !== null;
  if (bothKnown ? reading.lsn! >= last.lsn! : reading.dataAsOf >= last.dataAsOf) return Math.max(reading.dataAsOf, last.dataAsOf);
  const iso = (ms: number) => new Date(ms).toISOString();
  const older = `it is as of ${iso(reading.dataAsOf)}, older than the last snapshot's (${iso(last.dataAsOf)})`;
  // a position without a WAL position against a reading with one: the published snapshot's (lastPosition)
  if (reading.lsn !== null && last.lsn === null) {
    return `the data read is older than what was published: ${older}, found at the destination without its WAL position, so this worker cannot tell whether the database holds that snapshot's data (a standby behind it, one whose replay is paused, or another server); published again once the data is as recent`;
  }
  const behind = bothKnown ? `its WAL position is behind the last snapshot's (${iso(last.dataAsOf)})` : older;
  return `the data read is older than what was published: ${behind}, so the database is a standby behind it (or another server); published again once it has caught up`;
}

/**
 * Where the last snapshot's data stood, for a tick's dataSince: the worker's own last tick's, or the
 * instant of the snapshot found published (`publishedMs`, its dataAsOf; no WAL position is published)
 * when that is later: a worker that starts holds no position of its own, one that leads anew after
 * another's snapshot only an older one, and onto a standby behind it either would publish older data once. A published
 * instant after the database's now is no data this server can be behind (a clock ahead, or a file not
 * a worker's): it would hold every tick back until then, so it is not taken.
 */
export function lastPosition(own: DataPosition | null, publishedMs: number | null, databaseNow: number): DataPosition | null {
  if (publishedMs === null || publishedMs > databaseNow || (own !== null && own.dataAsOf >= publishedMs)) return own;
  return { dataAsOf: publishedMs, lsn: null };
}

/** How far the data lags behind the tick's instant (0 on a primary, or a standby with nothing to replay). */
export function dataBehindMs(clock: { now: number; dataAsOf: number }): number {
  return Math.max(0, clock.now - clock.dataAsOf);
}

/** How far the data lags when that is more than the grace (the data_behind reason), else null. */
export function dataBehindBeyond(clock: { now: number; dataAsOf: number }, graceMs: number): number | null {
  const behind = dataBehindMs(clock);
  return behind > graceMs ? behind : null;
}

/** "40 seconds", "11 minutes", "2 hours", "3 days": a lag in words, rounded down. */
export function describeLag(ms: number): string {
  // under a minute (a grace below 60 s, MISSED_RUN_GRACE_SECONDS) "0 minutes behind" would be false
  if (ms < 60_000) {
    const seconds = Math.floor(ms / 1000);
    return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  }
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.floor(hours / 24)} days`;
}

/** A reading of both of the worker's clocks: the wall clock (Date.now) and the monotonic one (performance.now). */
export type ClockReading = { wallMs: number; monotonicMs: number };

/**
 * How far the wall clock was stepped back between two readings (NTP correcting it, a VM resumed),
 * measured against the monotonic clock, which no step moves; 0 when it kept pace or went forward.
 * A scheduler that plans its next fire by the wall clock waits that much longer for it.
 */
export function clockSteppedBackMs(before: ClockReading, after: ClockReading): number {
  return Math.max(0, after.monotonicMs - before.monotonicMs - (after.wallMs - before.wallMs));
}

/**
 * A reader's now that no step back of its wall clock moves back: the wall clock, but at least as far
 * on from the previous reading as the monotonic clock went (a clock set back hours while a page is
 * open must not make stale data fresh again). A step forward, or a sleep the monotonic clock did not
 * count, is taken as it comes: it can only make data read older. `previous`: the last result and the
 * monotonic reading it came with, or null.
 */
export function steadyNow(previous: { nowMs: number; monotonicMs: number } | null, reading: ClockReading): number {
  if (previous === null) return reading.wallMs;
  return Math.max(reading.wallMs, previous.nowMs + (reading.monotonicMs - previous.monotonicMs));
}

/** A fire of the schedule: the slot it fired for (wall clock) and when it fired (monotonic clock), in ms. */
export type Fire = { slotMs: number; monotonicMs: number };

/**
 * Whether a fire repeats the one before it: the same slot again within one interval, as a scheduler
 * planned again after a step back of its wall clock fires it (a step back by more than an interval
 * fires each earlier slot again once a real interval, which are ticks the schedule is owed).
 */
export function repeatsFire(last: Fire | null, next: Fire, intervalMs: number): boolean {
  return last !== null && next.slotMs === last.slotMs && next.monotonicMs - last.monotonicMs < intervalMs;
}

/** How far after the database's now a published snapshot may be and still be another replica's (they all read that clock). */
export const futureToleranceMs = 60_000;

/**
 * Whether a published snapshot was made after the database's now, by more than futureToleranceMs: no
 * replica made it (a database clock that jumped ahead for a tick, a file put there by hand). Obeyed as
 * "newer", it would stop every write, and read as fresh until its staleAfter, however far ahead.
 */
export function isFromTheFuture(generatedAtMs: number, databaseNowMs: number): boolean {
  return generatedAtMs > databaseNowMs + futureToleranceMs;
}
