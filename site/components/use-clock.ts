// What a component shows of the clock: `select` turns the time into what it displays (a string, a
// boolean), and React re-renders the component only when that changes. The server render and the
// first client render see time 0, so they agree; the first tick follows at once.
import { useSyncExternalStore } from 'react';
import { clockTime, subscribeClock } from '../lib/clock.ts';

export function useClock<T>(select: (now: number) => T, serverValue: T): T {
  return useSyncExternalStore(
    subscribeClock,
    () => select(clockTime()),
    () => serverValue,
  );
}
