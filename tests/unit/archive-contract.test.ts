// The bytes that are archived and signed (shared/archive-contract.ts), and what the history takes
// from them (shared/archive-history.ts).
import { describe, expect, it } from 'vitest';
import { archiveDaySchema, parseArchiveDay, parseArchiveIndex, serializeArchiveDay, serializeArchiveIndex } from '../../shared/archive-contract.ts';
import { archiveDayJsonSchema, archiveIndexJsonSchema } from '../../shared/archive-json-schema.ts';
import { archiveDifferences, incidentsTouching, mergeArchivedDays, toClosedDay } from '../../shared/archive-history.ts';
import type { HistoryDay, Incident } from '../../shared/contract.ts';
import { closedDay } from '../support/archive-record.ts';

describe('the bytes of an archived day', () => {
  it('are compact JSON in the contract\'s order, charters by id, incidents by start, with a final newline', () => {
    const day = closedDay('2026-11-03');
    const bytes = serializeArchiveDay({ ...day, charters: [...day.charters].reverse() }, 'a'.repeat(64));
    expect(bytes).toBe(
      '{"schemaVersion":1,"day":"2026-11-03","closedAt":"2026-11-04T00:10:00.000Z","prev":"' + 'a'.repeat(64) + '","spent":"1000003",' +
        '"charters":[{"id":"community","name":"Community","expected":24,"succeeded":24,"failed":0,"skipped":0,"missed":0},' +
        '{"id":"engineering","name":"Engineering","expected":96,"succeeded":94,"failed":1,"skipped":0,"missed":1}],' +
        '"incidents":[{"id":"engineering@2026-11-03T07:00:00.000Z","charterId":"engineering","kind":"failed","startedAt":"2026-11-03T07:00:00.000Z",' +
        '"resolvedAt":"2026-11-03T08:00:00.000Z","runs":2,"errorCodes":["insufficient_credits"]}]}\n',
    );
    expect(serializeArchiveDay(day, 'a'.repeat(64))).toBe(bytes);
    expect(parseArchiveDay(JSON.parse(bytes)).success).toBe(true);
  });

  it('keep a spend beyond 2^53 exact', () => {
    const bytes = serializeArchiveDay(closedDay('2026-11-03', { spent: 123456789012345678901n }), null);
    expect(bytes).toContain('"spent":"123456789012345678901"');
    expect(bytes).toContain('"prev":null');
  });

  it('the index lists every day with its hash; its head is the last one', () => {
    const entries = [{ day: '2026-11-02', sha256: 'b'.repeat(64) }, { day: '2026-11-03', sha256: 'c'.repeat(64) }];
    const index = JSON.parse(serializeArchiveIndex(entries, '2026-11-04T00:10:00.000Z'));
    expect(index).toEqual({ schemaVersion: 1, updatedAt: '2026-11-04T00:10:00.000Z', first: '2026-11-02', last: '2026-11-03', count: 2, head: 'c'.repeat(64), days: entries });
    expect(parseArchiveIndex(index).success).toBe(true);
    expect(() => serializeArchiveIndex([], '2026-11-04T00:10:00.000Z')).toThrow(/at least one day/);
  });

  it('the published JSON Schemas come from the contract', () => {
    const day = archiveDayJsonSchema();
    expect(day).toMatchObject({ $id: 'governance-archive-day.schema.json', required: expect.arrayContaining(['prev', 'charters', 'incidents', 'spent']) });
    expect((day.properties as Record<string, unknown>).prev).toEqual({ anyOf: [{ type: 'string', pattern: '^[0-9a-f]{64}$' }, { type: 'null' }] });
    expect(Object.keys(day.properties as object)).toEqual(Object.keys(archiveDaySchema.shape));
    expect(archiveIndexJsonSchema()).toMatchObject({ $id: 'governance-archive.schema.json', required: expect.arrayContaining(['head', 'days']) });
  });
});

describe('between the history and the archive', () => {
  const incident = (startedAt: string, resolvedAt: string | null): Incident => ({ id: `x@${startedAt}`, charterId: 'x', kind: 'failed', startedAt, resolvedAt, runs: 2, errorCodes: [] });

  it('an incident touches the days it was open on, edges included', () => {
    const list = [
      incident('2026-11-02T23:00:00.000Z', '2026-11-03T00:00:00.000Z'),
      incident('2026-11-02T22:00:00.000Z', '2026-11-02T23:59:59.999Z'),
      incident('2026-11-03T23:59:59.999Z', null),
      incident('2026-11-04T00:00:00.000Z', null),
      incident('2026-10-01T00:00:00.000Z', null),
    ];
    expect(incidentsTouching(list, '2026-11-03').map((found) => found.startedAt)).toEqual([
      '2026-11-02T23:00:00.000Z',
      '2026-11-03T23:59:59.999Z',
      '2026-10-01T00:00:00.000Z',
    ]);
  });

  it('a closed day from the keeper: names by id (a deleted charter under its id), its incidents', () => {
    const day = toClosedDay({
      date: '2026-11-03',
      closedAt: new Date('2026-11-04T00:10:00.000Z'),
      spent: 5n,
      counts: new Map([['eng', { expected: 1, succeeded: 1, failed: 0, skipped: 0, missed: 0 }], ['gone', { expected: 1, succeeded: 0, failed: 1, skipped: 0, missed: 0 }]]),
      names: new Map([['eng', 'Engineering']]),
      incidents: [incident('2026-11-03T01:00:00.000Z', null), incident('2026-11-05T01:00:00.000Z', null)],
    });
    expect(day.charters.map((charter) => charter.name)).toEqual(['Engineering', 'gone']);
    expect(day.incidents).toHaveLength(1);
    expect(day.closedAt).toBe('2026-11-04T00:10:00.000Z');
  });

  it('the differences between a count and the archive: spend and each count of each charter', () => {
    const counted = closedDay('2026-11-03');
    const archived = archiveDaySchema.parse(JSON.parse(serializeArchiveDay(counted, null)));
    expect(archiveDifferences(counted, archived)).toEqual([]);
    const pruned = { ...counted, spent: 0n, charters: counted.charters.filter((charter) => charter.id !== 'community') };
    expect(archiveDifferences(pruned, archived)).toEqual([
      { charterId: null, field: 'spent', archived: '1000003', counted: '0' },
      ...['expected', 'succeeded'].map((field) => ({ charterId: 'community', field, archived: 24, counted: null })),
      ...['failed', 'skipped', 'missed'].map((field) => ({ charterId: 'community', field, archived: 0, counted: null })),
    ]);
  });

  it('the history shows the archived figures of its range, and gains the days the ledger lost', () => {
    const archived = ['2026-11-01', '2026-11-02', '2026-11-03'].map((date) => archiveDaySchema.parse(JSON.parse(serializeArchiveDay(closedDay(date), null))));
    const history: HistoryDay[] = [
      { date: '2026-11-02', spent: '0', charters: {} },
      { date: '2026-11-03', spent: '7', charters: { engineering: { expected: 1, succeeded: 1, failed: 0, skipped: 0, missed: 0 } } },
      { date: '2026-11-04', spent: '9', charters: {} },
    ];
    const merged = mergeArchivedDays(history, archived, { from: '2026-11-02', to: '2026-11-04', charterIds: new Set(['engineering']) });
    expect(merged.map((day) => day.date)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04']);
    expect(merged[0]).toEqual({ date: '2026-11-02', spent: '1000002', charters: { engineering: { expected: 96, succeeded: 92, failed: 3, skipped: 0, missed: 1 } } });
    expect(merged[1]!.charters.engineering!.expected).toBe(96);
    expect(merged[2]).toBe(history[2]);
  });
});
