// Credit figures. Amounts arrive as integer strings and stay bigints: a JS number would round
// balances past 2^53.

/** "1,234,567,890 credits" in the reader's grouping. */
export function formatCredits(amount: string, locale?: string): string {
  return `${BigInt(amount).toLocaleString(locale)} credits`;
}

/** "$12.34": Intl formats the decimal string exactly, without passing through a float. */
export function formatUsd(decimal: `${number}` | string, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' }).format(decimal as `${number}`);
}

/**
 * "about 12 hours left", "about 3 weeks left", "more than a year left". Rounded down: a runway must
 * never sound longer than it is; beyond a year no figure would mean anything to a reader.
 */
export function formatRunway(runwayHours: number | null): string {
  if (runwayHours === null) return 'no spend in the last 24 h';
  if (runwayHours <= 0) return 'no credits left';
  if (runwayHours < 1) return 'less than an hour left';
  const unit = (value: number, one: string) => `about ${value.toLocaleString('en')} ${one}${value === 1 ? '' : 's'} left`;
  if (runwayHours < 48) return unit(Math.floor(runwayHours), 'hour');
  const days = runwayHours / 24;
  if (days < 14) return unit(Math.floor(days), 'day');
  if (days < 7 * 9) return unit(Math.floor(days / 7), 'week');
  if (days < 365) return unit(Math.floor(days / 30.4375), 'month');
  return 'more than a year left';
}
