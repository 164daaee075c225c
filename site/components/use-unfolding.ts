// The page's parts render one per task when the data first arrives, after the headline: a phone's
// main thread is then never blocked for the whole page at once (a task over 50 ms delays whatever
// the reader taps, and Lighthouse's total blocking time counts each one). The later sections are
// below the first screen, so nothing the reader sees moves. Once all are shown they stay shown, and
// later data renders them together as before.
import { useEffect, useState } from 'react';

/** How many of `count` parts to render now: none at first, then one more after each commit, until all are. */
export function useUnfolding(count: number): number {
  const [shown, setShown] = useState(0);
  useEffect(() => {
    if (shown >= count) return;
    const next = setTimeout(() => setShown((current) => current + 1), 0);
    return () => clearTimeout(next);
  }, [shown, count]);
  return Math.min(shown, count);
}
