// What the worker remembers of usage between ticks: the 24-hour window's receipt groups per minute,
// so that a tick reads the details (about ten buffers per receipt: their key and their policy's
// probes) only of the minutes it does not know yet, not of the whole day again.
//
// Why that is correct: the window's usage is a sum over minutes. A tick reads again every minute from
// `marginMs` before the previous read on (a receipt commits after its created_at: within the margin
// it is seen), the window's partial first minute, and every whole hour whose remembered credits differ
// from the spend that the previous tick read for that hour in the same transaction as its usage: the
// spend is read whole every tick, so a receipt that arrives late into an older hour, or leaves it,
// shows there, and that hour is read again, one tick later. What this cannot see is a change that
// keeps an hour's credits (details written after their receipt, a receipt of 0 credits): a full read
// every `refreshMs` bounds how long that lasts. A change in what the details allow reads them all again
// (one tick later: until then a usage that was unavailable stays so).
import type { MinuteUsageRow, UsageDetails, UsageFacts, UsageRow } from '../shared/ports.ts';
import { addTo, type WindowUsage } from '../shared/usage.ts';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const floorTo = (at: number, unit: number) => Math.floor(at / unit) * unit;
const ceilTo = (at: number, unit: number) => Math.ceil(at / unit) * unit;

export type UsageMemoryOptions = { marginMs: number; refreshMs: number };
export const defaultUsageMemoryOptions: UsageMemoryOptions = { marginMs: 10 * minuteMs, refreshMs: 6 * hourMs };

export type UsageRange = { from: number; to: number };

export type UsageMemoryState = {
  details: UsageDetails | null;
  /** minute start → that minute's receipt groups */
  minutes: ReadonlyMap<number, readonly MinuteUsageRow[]>;
  /** the `now` of the latest read, and of the latest full one */
  readAt: number | null;
  fullAt: number | null;
  /** the latest read's spend per hour start, read in the same transaction as its usage */
  spendByHour: ReadonlyMap<number, bigint>;
};

export const emptyUsageMemory: UsageMemoryState = { details: null, minutes: new Map(), readAt: null, fullAt: null, spendByHour: new Map() };

/** Sorted, overlapping or touching ranges joined. */
function merged(ranges: UsageRange[]): UsageRange[] {
  const out: UsageRange[] = [];
  for (const range of ranges.filter((candidate) => candidate.from < candidate.to).sort((a, b) => a.from - b.from)) {
    const last = out.at(-1);
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else out.push({ ...range });
  }
  return out;
}

const creditsIn = (state: UsageMemoryState, hour: number) => {
  let sum = 0n;
  for (let minute = hour; minute < hour + hourMs; minute += minuteMs) for (const row of state.minutes.get(minute) ?? []) sum += row.credits;
  return sum;
};

/** The ranges of created_at the tick at `now` reads, its window being [windowFrom, now); one range when it reads all. */
export function planUsageRead(state: UsageMemoryState, now: number, windowFrom: number, options = defaultUsageMemoryOptions): { ranges: UsageRange[]; full: boolean } {
  const { readAt, fullAt } = state;
  if (readAt === null || fullAt === null || now < readAt || readAt - options.marginMs < windowFrom || now - fullAt >= options.refreshMs) {
    return { ranges: [{ from: windowFrom, to: now }], full: true };
  }
  const edgeEnd = Math.min(ceilTo(windowFrom, minuteMs), now);
  const freshFrom = Math.max(floorTo(readAt - options.marginMs, minuteMs), edgeEnd);
  const ranges: UsageRange[] = [{ from: windowFrom, to: edgeEnd }, { from: freshFrom, to: now }];
  for (let hour = ceilTo(windowFrom, hourMs); hour + hourMs <= freshFrom; hour += hourMs) {
    if (creditsIn(state, hour) !== (state.spendByHour.get(hour) ?? 0n)) ranges.push({ from: hour, to: hour + hourMs });
  }
  return { ranges: merged(ranges), full: false };
}

/** The state after the tick's read of `ranges` (its facts' usage and spend per hour) is folded in. */
export function foldUsageRead(
  state: UsageMemoryState,
  read: { now: number; windowFrom: number; ranges: readonly UsageRange[]; full: boolean; usage: UsageFacts; spendByHour: ReadonlyArray<{ hourStart: Date; credits: bigint }> },
): UsageMemoryState {
  const minutes = new Map(read.full ? [] : state.minutes);
  const oldest = floorTo(read.windowFrom, minuteMs);
  for (const minute of minutes.keys()) {
    const replaced = read.ranges.some((range) => minute + minuteMs > range.from && minute < range.to);
    if (minute < oldest || replaced) minutes.delete(minute);
  }
  for (const row of read.usage.rows) {
    const minute = row.minute.getTime();
    minutes.set(minute, [...(minutes.get(minute) ?? []), row]);
  }
  // What the details allow changed (a grant, a new table): the minutes kept were read otherwise, so
  // the next tick reads them all, and until then the usage stays unavailable if it was.
  const changed = state.details !== null && state.details !== read.usage.details;
  return {
    details: changed && !read.full && read.usage.details === 'available' ? state.details : read.usage.details,
    minutes,
    readAt: read.now,
    fullAt: read.full ? read.now : changed ? null : state.fullAt,
    spendByHour: new Map(read.spendByHour.map((hour) => [hour.hourStart.getTime(), hour.credits])),
  };
}

/** The whole window's receipt groups, by run, model and agent, summed over the remembered minutes. */
export function windowUsageOf(state: UsageMemoryState): WindowUsage {
  const groups = new Map<string, UsageRow>();
  for (const rows of state.minutes.values()) {
    for (const { minute: _, ...row } of rows) {
      const key = `${row.runId}\u0000${row.model ?? '\u0001'}\u0000${row.agent ?? '\u0001'}`;
      const sum = groups.get(key);
      if (!sum) {
        groups.set(key, { ...row });
        continue;
      }
      addTo(sum, row);
    }
  }
  return { details: state.details ?? 'available', rows: [...groups.values()] };
}

/** The memory as the tick uses it: what to read, then what it read folded in, and the window's usage. */
export function createUsageMemory(options = defaultUsageMemoryOptions) {
  let state = emptyUsageMemory;
  let planned: { now: number; windowFrom: number; ranges: UsageRange[]; full: boolean } | null = null;
  return {
    /** GovernanceQuery.usageRanges for the tick at `now` whose window is [windowFrom, now) */
    rangesFor(now: number, windowFrom: number): Array<{ from: Date; to: Date }> {
      planned = { now, windowFrom, ...planUsageRead(state, now, windowFrom, options) };
      return planned.ranges.map((range) => ({ from: new Date(range.from), to: new Date(range.to) }));
    },
    /** The tick's facts (read with the ranges rangesFor gave) folded in: the whole window's usage. */
    apply(facts: { usage: UsageFacts; spendByHour: ReadonlyArray<{ hourStart: Date; credits: bigint }> }): WindowUsage {
      if (planned === null) throw new Error('usage memory: apply() without rangesFor() for this tick');
      state = foldUsageRead(state, { ...planned, usage: facts.usage, spendByHour: facts.spendByHour });
      planned = null;
      return windowUsageOf(state);
    },
    /** A failed tick, or a replica that stops leading: the next tick reads everything. */
    forget(): void {
      state = emptyUsageMemory;
      planned = null;
    },
  };
}
