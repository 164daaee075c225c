import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FetchOutcome } from '../../site/lib/fetch-snapshot.ts';
import { startPolling } from '../../site/lib/poll-snapshot.ts';

class FakeDocument extends EventTarget {
  hidden = false;
  setHidden(hidden: boolean) {
    this.hidden = hidden;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

const failure: FetchOutcome = { ok: false, reason: 'the server answered 500' };
const success: FetchOutcome = { ok: true, data: {} };

function startWith(outcomes: () => FetchOutcome) {
  const visibility = new FakeDocument();
  const loads: number[] = [];
  const stop = startPolling({
    load: async () => {
      loads.push(Date.now());
      return outcomes();
    },
    onOutcome: () => {},
    visibility,
  });
  return { visibility, loads, stop };
}

describe('startPolling', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 0 }));
  afterEach(() => void vi.useRealTimers());

  it('fetches before the snapshot shown goes stale when that comes before 30 s, and at 30 s once it has', async () => {
    const visibility = new FakeDocument();
    const loads: number[] = [];
    // each answer is current for 15 s from when it arrives, until the worker stops at 40 s
    let staleAt = 0;
    const stop = startPolling({
      load: async () => (loads.push(Date.now()), success),
      onOutcome: () => void (staleAt = Date.now() < 40_000 ? Date.now() + 15_000 : staleAt),
      untilStale: () => staleAt - Date.now(),
      visibility,
    });
    await vi.advanceTimersByTimeAsync(100_000);
    // after the worker stops: twice more as its last snapshot goes stale (2 s apart), then every 30 s
    expect(loads).toEqual([0, 12_000, 24_000, 36_000, 48_000, 50_000, 52_000, 82_000]);
    stop();
  });

  it('fetches at once, then every 30 s', async () => {
    const { loads, stop } = startWith(() => success);
    await vi.advanceTimersByTimeAsync(95_000);
    expect(loads).toEqual([0, 30_000, 60_000, 90_000]);
    stop();
  });

  it('backs off on repeated failures up to 5 min, and returns to 30 s after a success', async () => {
    let calls = 0;
    const { loads, stop } = startWith(() => (++calls <= 7 ? failure : success));
    await vi.advanceTimersByTimeAsync(1_700_000);
    const gaps = loads.slice(1).map((at, index) => at - loads[index]!);
    expect(gaps.slice(0, 9)).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000, 30_000, 30_000]);
    stop();
  });

  it('pauses while the tab is hidden and fetches at once when it is shown again', async () => {
    const { visibility, loads, stop } = startWith(() => success);
    await vi.advanceTimersByTimeAsync(10_000);
    visibility.setHidden(true);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(loads).toEqual([0]);
    visibility.setHidden(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(loads).toEqual([0, 610_000]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(loads).toEqual([0, 610_000, 640_000]);
    stop();
  });

  it('never runs two fetches at once', async () => {
    const visibility = new FakeDocument();
    let release = () => {};
    let started = 0;
    const stop = startPolling({
      load: () => {
        started++;
        return new Promise<FetchOutcome>((done) => (release = () => done(success)));
      },
      onOutcome: () => {},
      visibility,
    });
    visibility.setHidden(true);
    visibility.setHidden(false);
    expect(started).toBe(1);
    release();
    stop();
  });

  it('stops for good: no timer, no visibility listener, no late outcome', async () => {
    const visibility = new FakeDocument();
    const outcomes: FetchOutcome[] = [];
    const stop = startPolling({ load: async () => success, onOutcome: (o) => outcomes.push(o), visibility });
    stop();
    await vi.advanceTimersByTimeAsync(120_000);
    visibility.setHidden(true);
    visibility.setHidden(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
