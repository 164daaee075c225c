// Values into a locale's words: named placeholders ("{count} runs"), plurals chosen by the page's
// locale, numbers in its grouping. The words are data (props), so no function can be among them.

export type Plural = { one: string; other: string };

/** "{count} of {total}" with { count: 3, total: 4 }: "3 of 4"; a placeholder without a value stays as written. */
export function fill(template: string, values: Record<string, string | number | bigint>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}

// Building an Intl object costs far more than using one (the page's first costs a phone tens of
// milliseconds), and a page formats hundreds of figures and times: each is built once per locale and options.
const built = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

function once<T extends Intl.NumberFormat | Intl.DateTimeFormat>(kind: string, locale: string | undefined, options: object, build: () => T): T {
  const key = `${kind} ${locale} ${JSON.stringify(options)}`;
  let format = built.get(key) as T | undefined;
  if (!format) built.set(key, (format = build()));
  return format;
}

/** Intl.NumberFormat(locale, options), built once for each pair. */
export const numberFormat = (locale: string | undefined, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat =>
  once('number', locale, options, () => new Intl.NumberFormat(locale, options));

/** Intl.DateTimeFormat(locale, options), built once for each pair. */
export const dateTimeFormat = (locale: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat =>
  once('date', locale, options, () => new Intl.DateTimeFormat(locale, options));

/** "1,240" in English, "1.240" in German; bigints exactly. */
export function formatNumber(locale: string, value: number | bigint): string {
  return numberFormat(locale).format(value);
}

/** The pair's form for `count` by the locale's plural rules, with {count} in the locale's grouping. */
export function plural(locale: string, forms: Plural, count: number | bigint, values: Record<string, string | number> = {}): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  // PluralRules takes numbers: a bigint past 2^53 loses digits there, never its form; the figure shown is exact.
  return fill(rules.select(Number(count)) === 'one' ? forms.one : forms.other, { ...values, count: formatNumber(locale, count) });
}
