// The polling loop: fetch now, then again after computePollDelay (sooner when the snapshot shown
// would go stale first); nothing while the tab is hidden,
// and an immediate fetch when it is shown again. Timers and the document are injectable for tests.
import type { FetchOutcome } from './fetch-snapshot.ts';
import { computePollDelay } from './poll-delay.ts';

export interface VisibilitySource {
  readonly hidden: boolean;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export interface PollOptions<T> {
  load: () => Promise<FetchOutcome<T>>;
  onOutcome: (outcome: FetchOutcome<T>) => void;
  visibility?: VisibilitySource;
  /** how long the snapshot shown still reads as current, after an outcome (poll-delay.ts) */
  untilStale?: () => number | null;
}

/** Starts polling at once; returns a function that stops it for good. */
export function startPolling<T>({ load, onOutcome, visibility = document, untilStale = () => null }: PollOptions<T>): () => void {
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let stopped = false;

  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && !visibility.hidden) timer = setTimeout(poll, computePollDelay(failures, untilStale()));
  };
  const poll = async () => {
    // A visibility flip during a slow fetch must not start a second one.
    if (inFlight || stopped) return;
    inFlight = true;
    clearTimeout(timer);
    const outcome = await load();
    inFlight = false;
    if (stopped) return;
    failures = outcome.ok ? 0 : failures + 1;
    onOutcome(outcome);
    schedule();
  };
  const onVisibilityChange = () => {
    if (visibility.hidden) clearTimeout(timer);
    else void poll();
  };

  visibility.addEventListener('visibilitychange', onVisibilityChange);
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    visibility.removeEventListener('visibilitychange', onVisibilityChange);
  };
}
