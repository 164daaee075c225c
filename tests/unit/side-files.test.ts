// The history file between ticks (worker/side-files.ts) and the published one read back at a start:
// its generatedAt moves only when its content does; its incidents stay within their bounds, the
// newest kept; a published history that cannot be read is said, and the ledger's incidents stand.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { limits, type GovernanceHistory, type StatusIncident } from '../../shared/contract.ts';
import { advanceStatusIncidents } from '../../shared/incidents.ts';
import { announcedIn, createHistoryFile, parsePublishedHistory, type HistoryContent } from '../../worker/side-files.ts';
import { recordingLogger } from '../support/archive-record.ts';

const minute = 60_000;
const start = Date.parse('2026-11-01T00:00:00.000Z');
const iso = (at: number) => new Date(at).toISOString();

/** Incidents of one charter, the newest first, one a minute from `start`. */
function incidents(count: number): GovernanceHistory['incidents'] {
  return Array.from({ length: count }, (_, index) => {
    const at = start + (count - index) * minute;
    return { id: `governance:a@${iso(at)}`, charterId: 'governance:a', kind: 'failed' as const, startedAt: iso(at), resolvedAt: iso(at + 30_000), runs: 2, errorCodes: [] };
  });
}

function content(incidentList = incidents(1), spent = '10'): HistoryContent {
  return {
    schemaVersion: 1,
    from: '2026-11-01',
    to: '2026-11-01',
    charters: [{ id: 'governance:a', name: 'A' }],
    days: [{ date: '2026-11-01', spent, charters: { 'governance:a': { expected: 2, succeeded: 0, failed: 2, skipped: 0, missed: 0 } } }],
    incidents: incidentList,
    statusIncidents: [],
  };
}

describe('the history file kept between ticks', () => {
  it('keeps its generatedAt and its bytes while its content is the same, and moves both when it changes', () => {
    const file = createHistoryFile(recordingLogger());
    const first = file.fit(content(), ['governance:a'], '2026-11-01T12:00:00.000Z');
    const same = file.fit(content(), ['governance:a'], '2026-11-01T12:01:00.000Z');
    expect(same.history.generatedAt).toBe('2026-11-01T12:00:00.000Z');
    expect(same.historyBody).toBe(first.historyBody);
    const changed = file.fit(content(incidents(1), '11'), ['governance:a'], '2026-11-01T12:02:00.000Z');
    expect(changed.history.generatedAt).toBe('2026-11-01T12:02:00.000Z');
    expect(changed.historyBody).not.toBe(first.historyBody);
  });

  it('holds the newest 500 charter incidents when there are more', () => {
    const all = incidents(limits.historyIncidents + 20);
    const fitted = createHistoryFile(recordingLogger()).fit(content(all), ['governance:a'], '2026-11-01T12:00:00.000Z');
    expect(limits.historyIncidents).toBe(500);
    expect(fitted.history.incidents).toEqual(all.slice(0, 500));
  });

  it('holds the newest 100 system incidents when there are more', () => {
    // 120 credit outages of the last days, each resolved, the newest first
    const previous: StatusIncident[] = Array.from({ length: 120 }, (_, index) => {
      const at = start + (120 - index) * 10 * minute;
      return { id: `status:credits_exhausted@${iso(at)}`, code: 'credits_exhausted', startedAt: iso(at), resolvedAt: iso(at + minute) };
    });
    const kept = advanceStatusIncidents(previous, new Set(), start + 2 * 24 * 60 * minute, start - 24 * 60 * minute);
    expect(limits.historyStatusIncidents).toBe(100);
    expect(kept).toEqual(previous.slice(0, 100));
  });
});

describe('the published history read back at a start', () => {
  it.each([
    ['not JSON', '{"schemaVersion":1,'],
    ['off its contract', JSON.stringify({ schemaVersion: 2, incidents: 'none' })],
  ])('%s: is said (history_unreadable), and what is recalled is the snapshot’s alone', (_, body) => {
    const logger = recordingLogger();
    expect(parsePublishedHistory(body, logger)).toBeNull();
    expect(logger.events('history_unreadable')).toMatchObject([{ level: 'warn', file: 'governance-history.json', action: 'incidents are derived from the ledger alone' }]);
    expect(announcedIn(body, null, recordingLogger())).toMatchObject({ incidents: [], statusIncidents: [] });
  });

  it('none at all is no problem, and says nothing', () => {
    const logger = recordingLogger();
    expect(parsePublishedHistory(null, logger)).toBeNull();
    expect(logger.events('history_unreadable')).toEqual([]);
  });

  it('a readable one gives back its incidents', () => {
    const body = JSON.stringify({ ...content(incidents(3)), generatedAt: '2026-11-01T12:00:00.000Z' });
    expect(announcedIn(body, null, recordingLogger()).incidents).toEqual(incidents(3));
  });
});

describe('what libraries print', () => {
  it('becomes a library_output line among the JSON lines, redacted, never plain text', () => {
    // in a process of its own: the capture replaces the console for good
    const script = [
      "import { captureLibraryOutput, createLogger } from './worker/logger.ts';",
      'captureLibraryOutput(createLogger());',
      "console.log('connecting to %s', 'postgres://reader:hunter2secret@db/cogni');",
      "console.error('plain');",
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    const lines = child.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toMatchObject([
      { level: 'warn', event: 'library_output', method: 'log', message: 'connecting to postgres://[redacted]@db/cogni' },
      { level: 'warn', event: 'library_output', method: 'error', message: 'plain' },
    ]);
    expect(child.stdout).not.toContain('hunter2secret');
    expect(child.stderr).toBe('');
  });
});
