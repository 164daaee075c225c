// The island's live data: polls the snapshot URL for as long as the island is mounted.
import { useEffect, useState } from 'react';
import contractSchema from 'virtual:governance-status-schema';
import { fetchSnapshot } from '../lib/fetch-snapshot.ts';
import { startPolling } from '../lib/poll-snapshot.ts';
import { applyOutcome, initialSnapshotState, type SnapshotState } from '../lib/snapshot-state.ts';

export function useSnapshot(url: string): SnapshotState {
  const [state, setState] = useState(initialSnapshotState);
  useEffect(
    () =>
      startPolling({
        load: () => fetchSnapshot(url, contractSchema),
        onOutcome: (outcome) => setState((previous) => applyOutcome(previous, outcome, Date.now())),
      }),
    [url],
  );
  return state;
}

/** The reader's clock, re-read every second so countdowns and "N ago" stay true; null until mounted,
 *  so the static HTML and the first client render agree. */
export function useNow(intervalMs = 1000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
