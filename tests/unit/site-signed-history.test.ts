// The history's closed days as the verified record signed them (site/lib/signed-history.ts): a
// rewritten governance-history.json beside a valid record, and the honest races that are no rewrite.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GovernanceHistory } from '../../shared/contract.ts';
import { de } from '../../site/i18n/de.ts';
import { en } from '../../site/i18n/en.ts';
import { describeRecord } from '../../site/lib/describe-record.ts';
import { signHistory } from '../../site/lib/signed-history.ts';

const readHistory = () => JSON.parse(readFileSync(new URL('../fixtures/history/healthy.json', import.meta.url), 'utf8')) as GovernanceHistory;
const record = JSON.parse(readFileSync(new URL('../fixtures/record/healthy.json', import.meta.url), 'utf8')) as Record<string, string>;
const signedDays = (JSON.parse(record['governance-archive/recent.json']!) as { days: Array<{ day: string; bytes: string }> }).days;
const dayOf = (history: GovernanceHistory, date: string) => history.days.find((day) => day.date === date)!;

describe('the history as the signed record has it', () => {
  it('leaves an honest history as it is, and names no day', () => {
    const history = readHistory();
    const signed = signHistory(history, signedDays);
    expect(signed.differing).toEqual([]);
    expect(signed.history).toEqual(history);
  });

  it('shows the signed counts and spend of a day the file rewrote, and names each such day', () => {
    const history = readHistory();
    Object.assign(dayOf(history, '2026-11-02').charters['governance:engineering']!, { succeeded: 96, failed: 0 });
    dayOf(history, '2026-10-03').spent = '1';
    // a charter's failing day left out of the file: "no data" is no answer to a signed failure either
    delete dayOf(history, '2026-09-12').charters['governance:sustainability'];
    const signed = signHistory(history, signedDays);
    expect(signed.differing).toEqual(['2026-09-12', '2026-10-03', '2026-11-02']);
    expect(dayOf(signed.history, '2026-11-02').charters['governance:engineering']).toEqual({ expected: 96, succeeded: 88, failed: 8, skipped: 0, missed: 0 });
    expect(dayOf(signed.history, '2026-10-03').spent).toBe(dayOf(readHistory(), '2026-10-03').spent);
    expect(dayOf(signed.history, '2026-09-12').charters['governance:sustainability']).toMatchObject({ succeeded: 3, missed: 1 });
    // today is no archived day: the file's, as it stands
    expect(signed.history.days.at(-1)).toEqual(history.days.at(-1));
  });

  it('names no day the file held still open (a bundle newer than the file), yet shows the signed figures', () => {
    const history = readHistory();
    history.generatedAt = '2026-11-20T23:59:00.000Z';
    Object.assign(dayOf(history, '2026-11-20').charters['governance:engineering']!, { expected: 95, succeeded: 95 });
    const signed = signHistory(history, signedDays);
    expect(signed.differing).toEqual([]);
    expect(dayOf(signed.history, '2026-11-20').charters['governance:engineering']).toMatchObject({ expected: 96, succeeded: 96 });
  });

  it('compares only the charters the file lists (a history fitted to its bound leaves some out)', () => {
    const history = readHistory();
    history.charters = history.charters.filter((charter) => charter.id !== 'governance:govern');
    for (const day of history.days) delete day.charters['governance:govern'];
    expect(signHistory(history, signedDays).differing).toEqual([]);
  });
});

describe('the record line beside a history that differs', () => {
  const snapshot = { generatedAt: '2026-11-03T10:00:00.000Z', freshUntil: '2026-11-03T10:03:00.000Z' };
  const verified = { kind: 'verified', keyId: 'ab12cd34ef56', days: 89, checkedDays: 89, snapshot } as const;

  it('says the record verified, and that the file differs from it, in a warning tone', () => {
    expect(describeRecord(verified, en, ['2026-10-03', '2026-11-02'])).toEqual({
      tone: 'warn',
      text: 'Signed by key ab12cd34…: 89 days, chain intact. governance-history.json differs from it on 2 days, the latest 2026-11-02: the days shown are the signed ones.',
    });
    expect(describeRecord(verified, en, ['2026-11-02']).text).toMatch(/ on 1 day, 2026-11-02: /);
    expect(describeRecord(verified, de, ['2026-11-02']).text).toMatch(/weicht an 1 Tag davon ab, am /);
    expect(describeRecord(verified, en, [])).toEqual({ tone: 'good', text: 'Signed by key ab12cd34…: 89 days, chain intact.' });
  });
});
