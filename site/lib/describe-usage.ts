// What the treasury paid for, as the usage panel shows it: one day (the snapshot's last 24 hours) or
// the sum of the history's last 7 or 30 closed UTC days, by charter and by model. Credits, tokens and
// requests stay bigints from the JSON to the words on screen: sums of receipts near 2^63 stay exact.
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import type { UsageFiguresJson } from '../../shared/usage-contract.ts';

export const usageWindows = [1, 7, 30] as const;
export type UsageWindow = (typeof usageWindows)[number];

/** [credits, requests, tokens in, tokens out] */
export type Figures = bigint[];
/** A charter or a model; name null: receipts of none (no charter's run, no model); `other`: the rest summed. */
export type UsageRow = { name: string | null; other: boolean; figures: Figures };

export type UsageView = {
  /** 1 (the last 24 hours), or how many closed days the history has of the 7 or 30 asked for */
  days: number;
  /** 7 or 30 days: the first and last closed UTC day, both included */
  from?: string;
  to?: string;
  /** of the days, how many carry usage (1 for the last 24 hours) */
  known: number;
  total: Figures;
  charters: UsageRow[];
  models: UsageRow[];
};

/** Sums by key: a charter id or model name; null for none, undefined for the rest of a capped list. */
type Sums = Map<string | null | undefined, Figures>;
type Entries = ReadonlyArray<readonly unknown[]>;

export const addFigures = (a: Figures, b: Figures) => a.map((value, index) => value + b[index]!);
/** The figures of a day's tuple (credits, requests, tokens in, tokens out, usd), or of the 24 hours' object. */
const figuresOf = (figures: readonly unknown[]) => figures.slice(0, 4).map((value) => BigInt(value as string));
const tuple = (json: UsageFiguresJson) => [json.credits, json.requests, json.tokensIn, json.tokensOut];

/** Most credits first; the rest summed last. */
export const byCredits = (a: UsageRow, b: UsageRow) => Number(a.other) - Number(b.other) || Number(b.figures[0]! - a.figures[0]!);

/** Adds entries [key, ...figures] and a capped list's rest (key undefined) to the sums. */
function sum(sums: Sums, entries: Entries, other: readonly unknown[] | null) {
  for (const [key, ...figures] of [...entries, ...(other ? [[undefined, ...other]] : [])]) {
    sums.set(key as string, addFigures(sums.get(key as string) ?? [0n, 0n, 0n, 0n], figuresOf(figures)));
  }
}

const rowsOf = (sums: Sums, names?: ReadonlyMap<string, string>): UsageRow[] =>
  [...sums].map(([key, figures]) => ({ name: key == null ? null : (names?.get(key) ?? key), other: key === undefined, figures })).sort(byCredits);

/** The last 24 hours in the shape of a history's day (charters by name, which it carries): the two paths are one. */
function asDay(usage: Extract<PublishedStatus['usage'], { available: true }>) {
  const unattributed = usage.unattributed ? [[null, ...tuple(usage.unattributed)]] : [];
  return {
    total: tuple(usage.total),
    charters: [...usage.charters.map((charter) => [charter.name, ...tuple(charter)]), ...unattributed],
    chartersOther: usage.chartersOther && tuple(usage.chartersOther),
    models: usage.models.map((model) => [model.model, ...tuple(model)]),
    modelsOther: usage.modelsOther && tuple(usage.modelsOther),
  };
}

/**
 * What the panel shows for a window: the last 24 hours from the snapshot; 7 or 30 days from the
 * history, the closed days before its last (which is today, still open). Null while the history is
 * not in; the snapshot's `usage` must be available.
 */
export function describeUsage(snapshot: PublishedStatus, history: GovernanceHistory | null, days: UsageWindow): UsageView | null {
  const usage = snapshot.usage;
  if (!usage?.available || (days > 1 && !history)) return null;
  const names = new Map(history?.charters.map((charter) => [charter.id, charter.name]));
  // the closed days: the history's last day is today, still open
  const closed = history?.days.filter((day) => day.date < history.to).slice(-days) ?? [];
  const chosen = days === 1 ? [asDay(usage)] : closed.flatMap((day) => day.usage ?? []);
  const charters: Sums = new Map();
  const models: Sums = new Map();
  let total: Figures = [0n, 0n, 0n, 0n];
  for (const day of chosen) {
    total = addFigures(total, figuresOf(day.total));
    sum(charters, day.charters, day.chartersOther);
    sum(models, day.models, day.modelsOther);
  }
  return { days: days === 1 ? 1 : closed.length, from: closed[0]?.date, to: closed.at(-1)?.date, known: chosen.length, total, charters: rowsOf(charters, names), models: rowsOf(models) };
}

/** A charter's cost per run in the last 24 hours (the median of its runs), in credits, when known. */
export const costPerRun = ({ usage }: PublishedStatus, charterId: string | undefined) =>
  usage?.available ? usage.charters.find((charter) => charter.charterId === charterId)?.medianCreditsPerRun : null;
