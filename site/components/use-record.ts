// The record's state for the page (site/lib/verify-record.ts): the bundle fetched once, the days
// verified with the first snapshot, then each new snapshot's signature and the index checked again
// (and all of it with the bundle fetched again when that breaks: recheckRecord).
import { useEffect, useRef, useState } from 'react';
import type { RecentBundle } from '../../shared/archive-bundle.ts';
import { correctedNow } from '../lib/clock.ts';
import { checkRecord, loadBundle, recheckRecord, type RecordSource, type RecordState } from '../lib/verify-record.ts';

/** The record's state, and the bundle's days once they verified (the longer uptime is counted from them). */
export function useRecord(statusUrl: string, pinnedKey: unknown, snapshotText: string | null): { state: RecordState; days: RecentBundle['days'] | null } {
  const [state, setState] = useState<RecordState>({ kind: 'checking' });
  const [days, setDays] = useState<RecentBundle['days'] | null>(null);
  const bundle = useRef<Promise<RecentBundle | null | 'invalid'> | null>(null);
  /** the days checked by the first verification; later ones check only the index and the snapshot */
  const checkedDays = useRef<number | null>(null);
  useEffect(() => {
    if (snapshotText === null) return;
    let live = true;
    const status = new URL(statusUrl, location.href);
    const source: RecordSource = { url: (name) => new URL(name, status).href, snapshotName: status.pathname.split('/').pop()!, fetch };
    void (async () => {
      let next: RecordState;
      try {
        let loaded = await (bundle.current ??= loadBundle(source));
        const options = { snapshotText, pinnedKey, now: correctedNow() };
        let checkedAll = checkedDays.current === null || typeof loaded !== 'object' || loaded === null;
        if (checkedAll) next = await checkRecord(source, { ...options, bundle: loaded });
        else {
          const again = await recheckRecord(source, { ...options, bundle: loaded as RecentBundle });
          next = again.state;
          if (again.reloaded !== undefined) [bundle.current, loaded, checkedAll, checkedDays.current] = [Promise.resolve(again.reloaded), again.reloaded, true, null];
        }
        if (next.kind === 'verified') next = { ...next, checkedDays: (checkedDays.current ??= next.checkedDays) };
        if (live && checkedAll && typeof loaded === 'object' && loaded && (next.kind === 'verified' || next.kind === 'unsigned')) setDays(loaded.days);
      } catch (error) {
        bundle.current = null; // tried again with the next snapshot
        next = { kind: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
      }
      if (live) setState(next);
    })();
    return () => {
      live = false;
    };
  }, [statusUrl, pinnedKey, snapshotText]);
  return { state, days: state.kind === 'verified' || state.kind === 'unsigned' ? days : null };
}
