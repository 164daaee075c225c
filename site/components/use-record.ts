// The record's state for the page (site/lib/verify-record.ts checkPolledRecord): the bundle fetched
// once, the days verified with the first snapshot, then each new snapshot's signature and the index
// checked again (and all of it with the bundle fetched again when that breaks).
import { useEffect, useRef, useState } from 'react';
import type { RecentBundle } from '../../shared/archive-bundle.ts';
import { correctedNow } from '../lib/clock.ts';
import { checkPolledRecord, type RecordMemory, type RecordSource, type RecordState } from '../lib/verify-record.ts';

/** The record's state, and the bundle's days once they verified (the longer uptime is counted from them). */
/**
 * `adoptSnapshot`: shows a snapshot the check fetched and verified in place of the one polled (a newer
 * one published between the poll and the check: use-snapshot.ts); true when it does, and the record
 * is then checked for it, the state shown so far kept meanwhile.
 */
export function useRecord(
  statusUrl: string,
  pinnedKey: unknown,
  snapshotText: string | null,
  adoptSnapshot: (text: string) => boolean = () => false,
): { state: RecordState; days: RecentBundle['days'] | null } {
  const [state, setState] = useState<RecordState>({ kind: 'checking' });
  const [days, setDays] = useState<RecentBundle['days'] | null>(null);
  const memory = useRef<RecordMemory>({ bundle: null, checkedDays: null });
  /** the text last adopted: its own check adopts none in turn (a chain at a schedule faster than a check) */
  const adopted = useRef<string | null>(null);
  useEffect(() => {
    if (snapshotText === null) return;
    let live = true;
    const status = new URL(statusUrl, location.href);
    const source: RecordSource = { url: (name) => new URL(name, status).href, snapshotName: status.pathname.split('/').pop()!, fetch };
    void (async () => {
      const next = await checkPolledRecord(source, memory.current, { snapshotText, pinnedKey, now: correctedNow() });
      if (!live) return;
      const newer = next.state.kind === 'unavailable' && snapshotText !== adopted.current ? next.state.newer : undefined;
      if (newer !== undefined && adoptSnapshot(newer)) return void (adopted.current = newer);
      if (next.days !== null) setDays(next.days);
      setState(next.state);
    })();
    return () => {
      live = false;
    };
  }, [statusUrl, pinnedKey, snapshotText, adoptSnapshot]);
  return { state, days: state.kind === 'verified' || state.kind === 'unsigned' ? days : null };
}
