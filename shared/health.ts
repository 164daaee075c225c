// The headline status: one word that says whether the governance system works.
import type { Charter, CreditHealth, OverallStatus } from './contract.ts';

const dayMs = 24 * 60 * 60 * 1000;

export function overallStatus(health: CreditHealth, charters: readonly Charter[], now: Date): OverallStatus {
  const enabled = charters.filter((charter) => charter.enabled);
  const since = now.getTime() - dayMs;
  const finishedToday = enabled
    .map((charter) => charter.lastRun)
    .filter((run) => run !== null && Date.parse(run.scheduledFor) >= since);
  const allFailingToday = finishedToday.length > 0 && finishedToday.every((run) => run?.status === 'error');
  if (health === 'red' || allFailingToday) return 'failing';

  const anyLastRunFailed = enabled.some((charter) => charter.lastRun?.status === 'error');
  const anyScheduleBroken = charters.some((charter) => charter.scheduleError !== null);
  if (health === 'yellow' || anyLastRunFailed || anyScheduleBroken) return 'degraded';
  return 'healthy';
}
