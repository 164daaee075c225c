// The page's locales: one static page each (Astro's i18n routing, astro.config.mjs), the first at
// the site's root, every other under its code (/de/). Adding one: see the README, "Languages".
import { de } from './de.ts';
import { en } from './en.ts';
import type { Messages } from './en.ts';

export const messagesByLocale = { en, de } satisfies Record<string, Messages>;

export type Locale = keyof typeof messagesByLocale;

export const locales = Object.keys(messagesByLocale) as Locale[];

export const defaultLocale: Locale = 'en';

/** The messages of Astro.currentLocale (undefined outside i18n routing: the default's). */
export const messagesFor = (locale: string | undefined): Messages => messagesByLocale[(locale ?? defaultLocale) as Locale] ?? messagesByLocale[defaultLocale];
