// The contract of usage (issue 19): what the treasury paid for in the last 24 hours, by charter, model
// and agent, and per closed day in the history; and the bases of the per-charter forecast. zod/mini,
// like shared/contract.ts, which takes these schemas in: `usage` in governance-status.json,
// `forecast.charters`, and `usage` on each day of governance-history.json.
import * as z from 'zod/mini';
import { limits, usageLimits } from './constants.ts';

const instant = z.iso.datetime({ precision: 3 });
/** a bigint (credits, tokens) as an integer string: it never passes through a JS number */
const integer = z.string().check(z.regex(/^-?(0|[1-9][0-9]*)$/));
const count = z.int().check(z.gte(0));
const text = (max: number) => z.string().check(z.maxLength(max));
/** US dollars as a decimal string, 2 to 9 places (nano-dollars), exact: "0.50", "0.000123456" */
export const usdPattern = /^-?(0|[1-9][0-9]*)\.[0-9]{2,9}$/;
const usd = z.string().check(z.regex(usdPattern));

/** The sums over a group of receipts. Tokens are those of the receipts' details (0 where unknown). */
const figures = z.object({
  credits: integer,
  /** receipts */
  requests: count,
  tokensIn: integer,
  tokensOut: integer,
  /** sum of response_cost_usd over the receipts that carry it; null when none does */
  usd: z.nullable(usd),
  /** how many receipts carry a USD cost: usd covers these, not necessarily all */
  usdRequests: count,
});

const charterUsage = z.extend(figures, {
  charterId: text(limits.idLength),
  name: text(limits.nameLength),
  /** its runs of the window that left receipts */
  runs: count,
  /** the median of those runs' credits (the upper one of an even count's middle two, rounded up) */
  medianCreditsPerRun: z.nullable(integer),
  /** its runs of the window that failed (status error) and left receipts, and what they cost */
  failedRuns: count,
  failedCredits: integer,
});

const availableUsage = z.object({
  available: z.literal(true),
  /** the receipts of [from, to): the last 24 hours */
  from: instant,
  to: instant,
  total: figures,
  /** what runs that failed cost, all charters */
  failedCredits: integer,
  /** the charters that spent most, most first */
  charters: z.array(charterUsage).check(z.maxLength(usageLimits.charters)),
  /** the charters left out of `charters`, summed; null when none was */
  chartersOther: z.nullable(figures),
  /** receipts of no charter's run in the window (manual adjustments, promos, other runs); null when none */
  unattributed: z.nullable(figures),
  /** by model, most first; model null: receipts without details (not an LLM charge) */
  models: z.array(z.extend(figures, { model: z.nullable(text(limits.nameLength)) })).check(z.maxLength(usageLimits.models)),
  modelsOther: z.nullable(figures),
  /** by agent (the details' graph_id), most first; agent null: receipts without details */
  agents: z.array(z.extend(figures, { agent: z.nullable(text(limits.nameLength)) })).check(z.maxLength(usageLimits.agents)),
  agentsOther: z.nullable(figures),
});

export const usageUnavailableReasons = ['no_table', 'no_permission'] as const;

/** `available: false` when llm_charge_details is missing or not readable by the worker's role. */
export const usageSchema = z.discriminatedUnion('available', [
  availableUsage,
  z.object({ available: z.literal(false), reason: z.enum(usageUnavailableReasons) }),
]);

/** A day's figures, compact: [credits, requests, tokensIn, tokensOut, usd | null]. */
const dayFigures = z.tuple([integer, count, integer, integer, z.nullable(usd)]);
const keyed = (key: z.ZodMiniType, max: number) =>
  z.array(z.tuple([key, integer, count, integer, integer, z.nullable(usd)])).check(z.maxLength(max));

/** One closed UTC day's usage: [key, credits, requests, tokensIn, tokensOut, usd | null] entries, most credits first. */
export const dayUsageSchema = z.object({
  total: dayFigures,
  /** by charter id; null: receipts of no charter's run that day */
  charters: keyed(z.nullable(text(limits.idLength)), usageLimits.dayCharters),
  chartersOther: z.nullable(dayFigures),
  /** by model; null: receipts without details */
  models: keyed(z.nullable(text(limits.nameLength)), usageLimits.dayModels),
  modelsOther: z.nullable(dayFigures),
});

export const forecastBases = ['own', 'average', 'none'] as const;

/**
 * What the forecast took each enabled charter's run to cost: `own`, the median of its runs of the
 * last 24 hours; `average`, the average run of all charters (it has no costed run of its own);
 * `none`, neither is known, and its runs are left out of the walk.
 */
export const forecastChartersSchema = z
  .array(z.object({ charterId: text(limits.idLength), creditsPerRun: z.nullable(integer), basis: z.enum(forecastBases) }))
  .check(z.maxLength(limits.charters));

export type Usage = z.infer<typeof usageSchema>;
export type AvailableUsage = z.infer<typeof availableUsage>;
export type UsageFiguresJson = z.infer<typeof figures>;
export type CharterUsage = z.infer<typeof charterUsage>;
export type DayUsage = z.infer<typeof dayUsageSchema>;
export type DayFigures = z.infer<typeof dayFigures>;
export type ForecastBasis = (typeof forecastBases)[number];
export type ForecastCharter = z.infer<typeof forecastChartersSchema>[number];
