// What a component shows of the clock: `select` turns the time into what it displays (a string, a
// boolean), and the component re-renders on a tick only when that changes. Not useSyncExternalStore:
// a tick that lands while React renders a large update in a transition (the first data, on a slow
// phone) would make it throw that render away and redo it all at once, in one long task; a plain
// update of the few components whose words changed does not.
import { useEffect, useReducer, useRef } from 'react';
import { clockTime, subscribeClock } from '../lib/clock.ts';

export function useClock<T>(select: (now: number) => T): T {
  const value = select(clockTime());
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  const latest = useRef({ select, value });
  latest.current = { select, value };
  useEffect(
    () =>
      subscribeClock(() => {
        const { select, value } = latest.current;
        if (!Object.is(select(clockTime()), value)) rerender();
      }),
    [],
  );
  return value;
}
