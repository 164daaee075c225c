// A chart's value scale: a round top a little above the largest bar (1, 2 or 5 times a power of
// ten), and figures short enough for an axis ("1.5 B"), in dollars when the rate is known.
import { numberFormat } from '../i18n/fill.ts';

/** The smallest 1, 2 or 5 × 10^n at or above `value`; 0 for nothing. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value * (1 - 1e-12))!;
  return step * power;
}

/** "0", "750", "1.5 K", "16 B": an axis label in the reader's grouping, never a long figure. */
export function formatCompact(value: number | bigint, locale = 'en'): string {
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value).replace(/(\d)([A-Za-z])/, '$1\u00a0$2');
}

/** An axis label: dollars when credits per dollar is known ("$1.6 K", "1,6 Tsd. $"), else credits ("16 B"). */
export function formatScale(credits: number, creditsPerUsd: number | undefined, locale = 'en'): string {
  if (!creditsPerUsd) return formatCompact(credits, locale);
  const usd = credits / creditsPerUsd;
  const options: Intl.NumberFormatOptions = usd > 0 && usd < 1 ? { minimumFractionDigits: 2 } : { notation: 'compact', maximumFractionDigits: 1 };
  return numberFormat(locale, { style: 'currency', currency: 'USD', ...options }).format(usd).replace(/(\d)([A-Za-z])/, '$1\u00a0$2');
}
