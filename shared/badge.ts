// A shields.io endpoint badge (https://shields.io/badges/endpoint-badge) for READMEs and dashboards.
import type { OverallStatus } from './contract.ts';

const colours: Record<OverallStatus, string> = { healthy: 'brightgreen', degraded: 'yellow', failing: 'red' };

export function governanceBadge(status: OverallStatus) {
  return { schemaVersion: 1, label: 'governance', message: status, color: colours[status] } as const;
}
