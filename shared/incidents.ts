// Incidents, told apart from blips. A streak of a charter's expected runs that did not succeed is an
// incident once it holds INCIDENT_AFTER_RUNS runs or has lasted longer than INCIDENT_AFTER_SECONDS,
// whichever comes first; a shorter one is a blip: counted in the days and runs24h, never an incident
// or a feed entry. The system's own incidents (no credits, no charter works) open and resolve as the
// ticks see them. A published incident is never taken back, only resolved. Pure.
import type { CharterState, GovernanceHistory, GovernanceStatus, Incident, Reason, StatusIncident, StatusIncidentCode } from './contract.ts';
import { limits, statusIncidentCodes } from './constants.ts';
import { incidentId, streakRuns, type ResolvedStreak, type StreakState } from './history.ts';
import { expectsRuns } from './reasons.ts';

export type IncidentRules = { incidentAfterRuns: number; incidentAfterMs: number };

/** The threshold: `runs` that did not succeed in a row, or a streak from `startedAt` lasting past `endAt`. */
export function crossesThreshold(runs: number, startedAt: number, endAt: number, rules: IncidentRules): boolean {
  return runs >= rules.incidentAfterRuns || endAt - startedAt > rules.incidentAfterMs;
}

/**
 * An open streak at `now`, judged on what is certain: the runs before its first fire not settled
 * yet, and its time up to that fire (had that run succeeded, the streak would have ended there) or
 * up to now. So a streak once judged an incident stays one whatever the unsettled runs turn out to
 * be: its id never appears and then disappears.
 */
export function openStreakIsIncident(state: StreakState, now: number, rules: IncidentRules): boolean {
  const { streak, unsettledAt } = state;
  if (streak === null) return false;
  return crossesThreshold(streak.settledRuns, streak.startedAt, Math.min(now, unsettledAt ?? Number.POSITIVE_INFINITY), rules);
}

/** A streak that a success ended, measured to the fire of that success. */
export function resolvedStreakIsIncident({ streak, endAt }: ResolvedStreak, rules: IncidentRules): boolean {
  return crossesThreshold(streakRuns(streak), streak.startedAt, endAt, rules);
}

/**
 * Incidents once published stay, under the id they were published with. Derived incidents come
 * first and win over what was announced under the same id, except a resolution: once published it
 * is final (a changed cron re-reads the open days' fires and would move it, or change its runs; a
 * charter removed and back would reopen it: what goes on past it is an incident of its own, keptAs).
 * An announced incident the ledger no longer shows under its id (a row written after its grace
 * answered its first fire with a success or a run still in progress) goes on as its charter's next
 * streak: the first derived incident or open streak (`going.streaks`, blips too) of that charter that
 * began after it, but no later than it was last announced open (`going.announcedAt`: a streak begun
 * since may follow a recovery no tick saw, a worker down or failing meanwhile), and was not announced
 * itself takes its id and start, and it ends when that streak does; the charter never recovered, so
 * neither does the incident. One no streak goes on (its charter was deleted, or late rows answered
 * every fire) is kept, and resolved at `now`, when the worker saw it end, if it was open: closed as
 * `charter_removed` when its charter is not among `going.charters` (those that exist), since it did
 * not recover.
 */
export function keepAnnounced(derived: readonly Incident[], announced: Iterable<Incident>, now: number, going: Going = { streaks: [], announcedAt: Number.NEGATIVE_INFINITY }): Incident[] {
  const earlier = [...announced];
  const announcedIds = new Set(earlier.map((incident) => incident.id));
  const resolvedAsAnnounced = new Map(earlier.filter((incident) => incident.resolvedAt !== null).map((incident) => [incident.id, incident]));
  const derivedIds = new Set(derived.map((incident) => incident.id));
  const kept = derived.flatMap((incident) => keptAs(incident, resolvedAsAnnounced.get(incident.id), announcedIds));
  const keptIds = new Set(kept.map((incident) => incident.id));
  const streaks = [...kept, ...going.streaks.filter((streak) => !derivedIds.has(streak.id))];
  const claimed = new Set<string>();
  for (const incident of earlier.sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    if (keptIds.has(incident.id)) continue;
    const next = continuation(incident, streaks, going.announcedAt, (id) => announcedIds.has(id) || claimed.has(id));
    if (next) claimed.add(next.id);
    if (next && incident.resolvedAt === null) kept.push({ ...next, id: incident.id, startedAt: incident.startedAt });
    else kept.push(incident.resolvedAt === null ? endedUnseen(incident, now, going.charters) : incident);
  }
  return kept.filter((incident) => !claimed.has(incident.id));
}

/**
 * A derived incident as published. A published resolution is final; a streak the ledger shows going
 * on past it (its charter removed, then back, still failing) is an incident of its own, from that
 * resolution, open until the streak ends: a failing charter is never shown without an open incident,
 * and the feeds never take back the resolution they published.
 */
function keptAs(incident: Incident, published: Incident | undefined, announced: ReadonlySet<string>): Incident[] {
  if (published === undefined) return [incident];
  const from = published.resolvedAt!;
  const after: Incident = { ...incident, id: incidentId(incident.charterId, Date.parse(from)), startedAt: from, runs: Math.max(1, incident.runs - published.runs) };
  const goesOn = incident.resolvedAt === null || (incident.resolvedAt > from && announced.has(after.id));
  return goesOn ? [published, after] : [published];
}

/**
 * The charters' open streaks (blips too), when the announced incidents were last published as they
 * are, and the charters that exist (unknown when absent: none is taken for removed).
 */
export type Going = { streaks: readonly Incident[]; announcedAt: number; charters?: ReadonlySet<string> };

/** An open incident whose end no tick saw, resolved now: closed, not recovered, when its charter is gone. */
function endedUnseen(incident: Incident, now: number, charters: ReadonlySet<string> | undefined): Incident {
  const removed = charters !== undefined && !charters.has(incident.charterId);
  return { ...incident, resolvedAt: new Date(now).toISOString(), ...(removed && { resolution: 'charter_removed' as const }) };
}

/**
 * The streak an announced incident goes on as: its charter's first that began after it, not announced
 * itself; for one still open, begun by the time it was last announced; for one already resolved, the
 * streak whose end it published (the same resolution instant).
 */
function continuation(incident: Incident, streaks: readonly Incident[], announcedAt: number, taken: (id: string) => boolean): Incident | undefined {
  return streaks
    .filter((streak) => streak.charterId === incident.charterId && streak.startedAt > incident.startedAt && !taken(streak.id))
    .filter((streak) => (incident.resolvedAt === null ? Date.parse(streak.startedAt) <= announcedAt : streak.resolvedAt === incident.resolvedAt))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
}

/** What keeps a status incident open: a credit outage that got worse (runway critical, then no credits) holds the milder one too. */
const holdsOn: Record<StatusIncidentCode, readonly StatusIncidentCode[]> = {
  credits_exhausted: ['credits_exhausted'],
  runway_critical: ['runway_critical', 'credits_exhausted'],
  all_charters_down: ['all_charters_down'],
};

/**
 * The system-wide conditions of one tick: its reasons credits_exhausted and runway_critical as they
 * are (the balance is only known at the tick), and all_charters_down only when every charter it
 * speaks of is in an incident or stuck: a coincidence of blips is never a system incident.
 */
export function statusConditions(
  reasons: readonly Pick<Reason, 'code'>[],
  charters: readonly { id: string; enabled: boolean; state: CharterState }[],
  inIncident: ReadonlySet<string>,
): Set<StatusIncidentCode> {
  const codes = new Set(reasons.map((reason) => reason.code));
  const holding = new Set<StatusIncidentCode>();
  if (codes.has('credits_exhausted')) holding.add('credits_exhausted');
  if (codes.has('runway_critical')) holding.add('runway_critical');
  const expecting = charters.filter(expectsRuns);
  if (codes.has('all_charters_down') && expecting.every((charter) => charter.state === 'stuck' || inIncident.has(charter.id))) holding.add('all_charters_down');
  return holding;
}

export function statusIncidentId(code: StatusIncidentCode, startedAt: number): string {
  return `status:${code}@${new Date(startedAt).toISOString()}`;
}

/** The code and start a system incident's id names (`status:<code>@<ISO start>`), or null for any other id. */
export function parseStatusIncidentId(id: string): { code: StatusIncidentCode; startedAt: string } | null {
  const match = /^status:([a-z_]+)@(.+)$/.exec(id);
  const code = statusIncidentCodes.find((known) => known === match?.[1]);
  const startedAt = Date.parse(match?.[2] ?? '');
  return code && !Number.isNaN(startedAt) && new Date(startedAt).toISOString() === match![2] ? { code, startedAt: match![2]! } : null;
}

/** What a published snapshot says of the incidents: those open at its generatedAt. */
export type PublishedOpen = { generatedAt: string | null; ids: readonly string[] };

/**
 * What a worker that starts (or leads anew) recalls as announced: the published history's incidents,
 * and the system's open incidents the published snapshot names that the history does not hold. No
 * table records those: a history deleted, unreadable or behind (its write failed while the snapshot's
 * did not) must not take them back, nor have them opened again under a new id. Nor may a history
 * behind bring back one the newer snapshot no longer names open: it ended by then, and is resolved
 * when the feeds said it was (`resolutions`, by id: a published resolution is final), else at that
 * snapshot's instant (the latest it can have ended), not reopened. A charter's incident is
 * left to the ledger (and a snapshot names those of its listed charters only). `announcedAt`: when
 * the open ones were last published open: the snapshot's instant when it is newer and names every one
 * of them (the history's generatedAt moves only when its content does), else the history's.
 */
export function recalledIncidents(
  history: Pick<GovernanceHistory, 'incidents' | 'statusIncidents' | 'generatedAt'> | null,
  snapshot: PublishedOpen,
  resolutions: ReadonlyMap<string, string> = new Map(),
): Recalled {
  const newer = snapshot.generatedAt !== null && Date.parse(snapshot.generatedAt) > Date.parse(history?.generatedAt ?? '');
  const ended = (incident: StatusIncident) => newer && incident.resolvedAt === null && !snapshot.ids.includes(incident.id);
  const endOf = (incident: StatusIncident) => {
    const said = resolutions.get(incident.id);
    const at = Date.parse(said ?? '');
    return at >= Date.parse(incident.startedAt) && at <= Date.parse(snapshot.generatedAt!) ? new Date(at).toISOString() : snapshot.generatedAt;
  };
  const known = (history?.statusIncidents ?? []).map((incident) => (ended(incident) ? { ...incident, resolvedAt: endOf(incident) } : incident));
  const ids = new Set(known.map((incident) => incident.id));
  const named = snapshot.ids.flatMap((id) => {
    const parsed = ids.has(id) ? null : parseStatusIncidentId(id);
    return parsed ? [{ id, code: parsed.code, startedAt: parsed.startedAt, resolvedAt: null }] : [];
  });
  const incidents = history?.incidents ?? [];
  const vouched = newer && incidents.every((incident) => incident.resolvedAt !== null || snapshot.ids.includes(incident.id));
  return { incidents, statusIncidents: [...known, ...named], announcedAt: (vouched ? snapshot.generatedAt : history?.generatedAt) ?? null };
}

/** What a worker recalls as announced, and when its open incidents were last published open (null: nothing says). */
export type Recalled = Pick<GovernanceHistory, 'incidents' | 'statusIncidents'> & { announcedAt?: string | null };

/**
 * Moves the system's incidents to `now`: an open one whose condition no longer holds is resolved at
 * now; a condition that holds without an open incident opens one at now. Those resolved before
 * `horizon` are dropped; the newest are kept, newest first.
 */
export function advanceStatusIncidents(previous: readonly StatusIncident[], holding: ReadonlySet<StatusIncidentCode>, now: number, horizon: number): StatusIncident[] {
  const at = new Date(now).toISOString();
  const next = previous.map((incident) => (incident.resolvedAt === null && !holdsOn[incident.code].some((code) => holding.has(code)) ? { ...incident, resolvedAt: at } : incident));
  for (const code of statusIncidentCodes) {
    if (holding.has(code) && !next.some((incident) => incident.code === code && incident.resolvedAt === null)) {
      next.push({ id: statusIncidentId(code, now), code, startedAt: at, resolvedAt: null });
    }
  }
  return next
    .filter((incident) => incident.resolvedAt === null || Date.parse(incident.resolvedAt) >= horizon)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.code.localeCompare(b.code))
    .slice(0, limits.historyStatusIncidents);
}

/** The system's incidents in words, for the feeds and the page: what happened, and what ended it. */
export const statusIncidentWords: Record<StatusIncidentCode, { opened: string; resolved: string }> = {
  credits_exhausted: { opened: 'The system account ran out of credits: scheduled runs cannot be paid for', resolved: 'Credits restored' },
  runway_critical: { opened: 'The system account’s credits were about to run out (less than 6 hours left)', resolved: 'Credits last more than 6 hours again' },
  all_charters_down: { opened: 'No charter works: every charter that should run is failing, missing, skipping or stuck', resolved: 'Charters work again' },
};

/**
 * The system's open incidents (no credits, all charters down) lead the snapshot's openIncidents: they
 * are the most severe. Their reasons say since when: the start of the incident.
 */
export function withStatusIncidents(snapshot: GovernanceStatus, statusIncidents: readonly StatusIncident[]): GovernanceStatus {
  const open = statusIncidents.filter((incident) => incident.resolvedAt === null);
  if (open.length === 0) return snapshot;
  const since = new Map<string, string>(open.map((incident) => [incident.code, incident.startedAt]));
  return {
    ...snapshot,
    reasons: snapshot.reasons.map((reason) => (reason.since === null && since.has(reason.code) ? { ...reason, since: since.get(reason.code)! } : reason)),
    openIncidents: [...open.map((incident) => incident.id), ...snapshot.openIncidents].slice(0, limits.openIncidents),
  };
}
