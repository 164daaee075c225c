// The island's live data: polls the snapshot for as long as the island is mounted, and fetches the
// history after it, again only when site/lib/history-refresh.ts says the history may have changed.
import { useEffect, useState } from 'react';
import historySchema from 'virtual:governance-history-schema';
import statusSchema from 'virtual:governance-status-schema';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { fetchChecked } from '../lib/fetch-snapshot.ts';
import { markOf, shouldFetchHistory, type HistoryMark } from '../lib/history-refresh.ts';
import { startPolling } from '../lib/poll-snapshot.ts';
import { applyOutcome, initialFileState, type FileState } from '../lib/snapshot-state.ts';

export function useStatusFiles(statusUrl: string, historyUrl: string) {
  const [snapshot, setSnapshot] = useState<FileState<PublishedStatus>>(initialFileState);
  const [history, setHistory] = useState<FileState<GovernanceHistory>>(initialFileState);
  useEffect(() => {
    let mark: HistoryMark | null = null;
    return startPolling<PublishedStatus>({
      load: () => fetchChecked(statusUrl, statusSchema),
      onOutcome: (outcome) => {
        setSnapshot((previous) => applyOutcome(previous, outcome, Date.now()));
        if (!outcome.ok || !shouldFetchHistory(mark, outcome.data)) return;
        // Marked before the answer: a failed fetch is retried when the rule asks again, not on every poll.
        mark = markOf(outcome.data);
        void fetchChecked<GovernanceHistory>(historyUrl, historySchema).then((result) =>
          setHistory((previous) => applyOutcome(previous, result, Date.now())),
        );
      },
    });
  }, [statusUrl, historyUrl]);
  return { snapshot, history };
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
