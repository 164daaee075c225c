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

/** "about 12 hours left". Rounded down: a runway must never sound longer than it is. */
export function formatRunway(runwayHours: number | null): string {
  if (runwayHours === null) return 'no spend in the last 24 h';
  if (runwayHours <= 0) return 'no credits left';
  if (runwayHours < 1) return 'less than an hour left';
  if (runwayHours < 48) {
    const hours = Math.floor(runwayHours);
    return `about ${hours} ${hours === 1 ? 'hour' : 'hours'} left`;
  }
  return `about ${Math.floor(runwayHours / 24)} days left`;
}
