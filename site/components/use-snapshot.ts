// The island's live data: polls the snapshot for as long as the island is mounted, and fetches the
// history at the same time at first, then again only when site/lib/history-refresh.ts says it may
// have changed. Every answer corrects the page's clock by the server's (lib/clock.ts). Updates are
// transitions, so a large render yields to the reader instead of blocking the page.
import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { limits } from '../../shared/constants.ts';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import type { JsonSchema } from '../lib/check-schema.ts';
import { isOlderSnapshot, staleAtOf } from '../../shared/snapshot-trust.ts';
import { correctedNow, noteServerClock } from '../lib/clock.ts';
import { checkText, fetchChecked, type Checked, type FailureWords, type FetchOutcome } from '../lib/fetch-snapshot.ts';
import { markOf, shouldFetchHistory, type HistoryMark } from '../lib/history-refresh.ts';
import { startPolling } from '../lib/poll-snapshot.ts';
import { applyOutcome, initialFileState, overtakenSince, type FileState } from '../lib/snapshot-state.ts';

/** How long the first render waits for the history once the snapshot is in: together they draw the page once, without shifts. */
export const historyWaitMs = 1_500;

/** The contract's JSON Schemas of the two files (site/pages/index.astro makes them at build time). */
export type Schemas = { status: JsonSchema; history: JsonSchema };

/** `words`: the page's words for a failed fetch; they do not change while the page lives. */
export function useStatusFiles(statusUrl: string, historyUrl: string, { status: statusSchema, history: historySchema }: Schemas, words: FailureWords) {
  const [snapshot, setSnapshot] = useState<FileState<PublishedStatus>>(initialFileState);
  const [history, setHistory] = useState<FileState<GovernanceHistory>>(initialFileState);
  const [waitedForHistory, setWaitedForHistory] = useState(false);
  /** the snapshot's text as polled: its signature is over these bytes (use-record.ts) */
  const [statusText, setStatusText] = useState<string | null>(null);
  /** shows a snapshot's text in place of the one polled, when it may be (see below) */
  const adopt = useRef<(text: string) => boolean>(() => false);
  useEffect(() => {
    const lastStatus = { current: null as Checked | null };
    const lastHistory = { current: null as Checked | null };
    const settle = <T,>(set: (update: (state: FileState<T>) => FileState<T>) => void, outcome: FetchOutcome<T>) => {
      noteServerClock(outcome.clock ?? null);
      startTransition(() => set((previous) => applyOutcome(previous, outcome, correctedNow())));
    };
    /** the files shown: an older copy (a cache's, a leader's that woke from a freeze) never replaces one */
    const shown: { status: PublishedStatus | null; statusChecked: Checked | null; history: GovernanceHistory | null; statusSeenAt: number } = { status: null, statusChecked: null, history: null, statusSeenAt: 0 };
    const notOlder = <T extends { generatedAt: string }>(outcome: FetchOutcome<T>, than: T | null): FetchOutcome<T> =>
      outcome.ok && than !== null && isOlderSnapshot(outcome.data, than, correctedNow()) ? { ok: false, reason: words.older, clock: outcome.clock ?? null } : outcome;
    const loadHistory = () =>
      void fetchChecked<GovernanceHistory>(historyUrl, historySchema, limits.historyBytes, words, fetch, lastHistory).then((fetched) => {
        const outcome = notOlder(fetched, shown.history);
        if (outcome.ok) shown.history = outcome.data;
        settle(setHistory, outcome);
      });
    let mark: HistoryMark | null = null;
    let waiting: ReturnType<typeof setTimeout> | undefined;
    loadHistory();
    const take = (outcome: FetchOutcome<PublishedStatus>) => {
      settle(setSnapshot, outcome);
      if (!outcome.ok) return;
      if (outcome.data !== shown.status) shown.statusSeenAt = correctedNow();
      shown.status = outcome.data;
      shown.statusChecked = lastStatus.current;
      setStatusText(lastStatus.current?.text ?? null);
      if (mark !== null && !shouldFetchHistory(mark, outcome.data)) return;
      // The first history is on its way already: the first snapshot only marks what it was asked for.
      if (mark === null) waiting = setTimeout(() => setWaitedForHistory(true), historyWaitMs);
      else loadHistory();
      // Marked before the answer: a failed fetch is retried when the rule asks again, not on every poll.
      mark = markOf(outcome.data);
    };
    // a snapshot the record check fetched and verified (use-record.ts): shown if it passes what a polled one must
    adopt.current = (text) => {
      if (new TextEncoder().encode(text).length > limits.snapshotBytes) return false;
      const checked = { current: null as Checked | null };
      const outcome = notOlder(checkText<PublishedStatus>(text, statusSchema, words, checked), shown.status);
      if (!outcome.ok) return false;
      lastStatus.current = checked.current;
      take(outcome);
      return true;
    };
    const load = async () => {
      const asked = shown.status;
      const outcome = await fetchChecked<PublishedStatus>(statusUrl, statusSchema, limits.snapshotBytes, words, fetch, lastStatus);
      // not older than the one shown when it was asked, but than one adopted meanwhile: that one stays, and this is no failure
      if (!outcome.ok || !overtakenSince(outcome.data, asked, shown.status, correctedNow())) return notOlder(outcome, shown.status);
      lastStatus.current = shown.statusChecked;
      return { ok: true as const, data: shown.status!, clock: outcome.clock ?? null };
    };
    const stop = startPolling<PublishedStatus>({
      load,
      onOutcome: take,
      untilStale: () => (shown.status ? staleAtOf(shown.status, shown.statusSeenAt) - correctedNow() : null),
    });
    return () => {
      stop();
      clearTimeout(waiting);
      adopt.current = () => false;
    };
  }, [statusUrl, historyUrl, statusSchema, historySchema, words]);
  const historySettled = waitedForHistory || history.data !== null || history.failure !== null;
  const adoptSnapshot = useCallback((text: string) => adopt.current(text), []);
  return { snapshot, history, historySettled, statusText, adoptSnapshot };
}
