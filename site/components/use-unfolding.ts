// The page's parts render a few at a time when the data first arrives, after the headline: a task
// renders parts until it has spent a few milliseconds, then yields, so a phone's main thread is never
// blocked for the whole page at once (a task over 50 ms delays whatever the reader taps, and
// Lighthouse's total blocking time counts each one), while a fast machine draws it all in one or two
// frames. The later sections are below the first screen, so nothing the reader sees moves. Once all
// are shown they stay shown, and later data renders them together as before.
import { useLayoutEffect, useRef, useState } from 'react';

/** What a task may spend on parts before it yields: a quarter of a phone's 50 ms on a fast machine. */
const budgetMs = 8;

/** How many of `count` parts to render now: none at first, then more after each commit, until all are. */
export function useUnfolding(count: number): number {
  const [shown, setShown] = useState(0);
  const taskStart = useRef(Number.NEGATIVE_INFINITY);
  useLayoutEffect(() => {
    if (shown >= count) return;
    const more = () => setShown((current) => current + 1);
    if (performance.now() - taskStart.current < budgetMs) return more();
    const next = setTimeout(() => {
      taskStart.current = performance.now();
      more();
    }, 0);
    return () => clearTimeout(next);
  }, [shown, count]);
  return Math.min(shown, count);
}
