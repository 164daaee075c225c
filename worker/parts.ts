// What a process has started, stopped newest first: each stop awaited, a failure logged, the rest
// stopped still. The worker (main.ts) and the demo (scripts/start.ts) shut down through it.
import type { Logger } from '../shared/ports.ts';

export type Part = { name: string; stop: () => Promise<unknown> | void };

/** Stops every part, newest first, emptying the list (a part added while stopping is stopped too). */
export async function stopAll(parts: Part[], logger: Logger): Promise<void> {
  for (let part = parts.pop(); part; part = parts.pop()) {
    try {
      await part.stop();
    } catch (error) {
      logger.warn('stop_failed', { part: part.name, error });
    }
  }
}
