// What every part of the island reads its words from: the page's messages (a prop of the island) and
// the time zone the reader chose for times (undefined: the reader's own).
import { createContext, useContext } from 'react';
import type { Messages } from './en.ts';

export type PageLocale = { m: Messages; timeZone: string | undefined };

// No default: the island always provides one, and a default would pull a locale's words into the bundle.
export const LocaleContext = createContext<PageLocale>(null!);

export const useLocale = (): PageLocale => useContext(LocaleContext);
