// Credit figures in the page's locale. Amounts arrive as integer strings and stay bigints: a JS
// number would round balances past 2^53.
import { numberFormat, plural } from '../i18n/fill.ts';
import type { Messages } from '../i18n/en.ts';

/** "1,234,567,890 credits", "1.234.567.890 Credits". */
export function formatCredits(amount: string, m: Messages): string {
  return plural(m.locale, m.credits.amount, BigInt(amount));
}

/** "$12.34", "12,34 $": Intl formats the decimal string exactly, without passing through a float. */
export function formatUsd(decimal: `${number}` | string, locale?: string): string {
  return numberFormat(locale, { style: 'currency', currency: 'USD' }).format(decimal as `${number}`);
}

/**
 * "about 12 hours left", "about 3 weeks left", "more than a year left". Rounded down: a runway must
 * never sound longer than it is; beyond a year no figure would mean anything to a reader.
 */
export function formatRunway(runwayHours: number | null, m: Messages): string {
  const words = m.credits;
  if (runwayHours === null) return words.runwayNoSpend;
  if (runwayHours <= 0) return words.runwayNone;
  if (runwayHours < 1) return words.runwayUnderHour;
  const about = (value: number, forms: Messages['credits']['runwayHours']) => plural(m.locale, forms, Math.floor(value));
  if (runwayHours < 48) return about(runwayHours, words.runwayHours);
  const days = runwayHours / 24;
  if (days < 14) return about(days, words.runwayDays);
  if (days < 7 * 9) return about(days / 7, words.runwayWeeks);
  if (days < 365) return about(days / 30.4375, words.runwayMonths);
  return words.runwayYear;
}
