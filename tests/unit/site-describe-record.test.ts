// The record's line in words and tone (site/lib/describe-record.ts).
import { describe, expect, it } from 'vitest';
import { de } from '../../site/i18n/de.ts';
import { en } from '../../site/i18n/en.ts';
import { describeRecord } from '../../site/lib/describe-record.ts';

const snapshot = { generatedAt: '2026-11-03T10:00:00.000Z', freshUntil: '2026-11-03T10:03:00.000Z' };

describe('the record line', () => {
  it('says who signed how many days, in a good tone, and how many were checked here when not all', () => {
    expect(describeRecord({ kind: 'verified', keyId: 'ab12cd34ef56', days: 412, checkedDays: 412, snapshot }, en)).toEqual({ tone: 'good', text: 'Signed by key ab12cd34…: 412 days, chain intact.' });
    expect(describeRecord({ kind: 'verified', keyId: 'ab12cd34ef56', days: 412, checkedDays: 365, snapshot }, en).text).toBe('Signed by key ab12cd34…: 412 days, chain intact (the last 365 checked here).');
    expect(describeRecord({ kind: 'verified', keyId: 'ab12cd34ef56', days: 412, checkedDays: 412, snapshot }, de).text).toBe('Signiert mit Schlüssel ab12cd34…: 412 Tage, Kette intakt.');
  });

  it('says an unsigned record is not signed, in a neutral tone, and never verified', () => {
    const line = describeRecord({ kind: 'unsigned', days: 30 }, en);
    expect(line.tone).toBe('neutral');
    expect(line.text).toMatch(/^Not signed/);
    expect(line.text).not.toMatch(/verif/i);
  });

  it('names the day that does not verify, in a failing tone', () => {
    expect(describeRecord({ kind: 'broken', failure: 'signature', file: 'governance-archive/2026-11-03.json', day: '2026-11-03' }, en)).toEqual({
      tone: 'bad',
      text: 'The published record does not verify: 2026-11-03 was altered.',
    });
    expect(describeRecord({ kind: 'broken', failure: 'missing', file: 'governance-archive/2026-11-03.json', day: '2026-11-03' }, en).text).toMatch(/2026-11-03 is missing/);
    expect(describeRecord({ kind: 'broken', failure: 'signature', file: 'governance-status.json', day: null }, en).text).toMatch(/governance-status.json does not carry a valid signature/);
  });

  it('says a key other than the pinned one plainly', () => {
    expect(describeRecord({ kind: 'broken', failure: 'unknown_key', file: 'governance-signing-key.json', day: null }, en)).toEqual({
      tone: 'bad',
      text: 'The published record does not verify: it is signed by another key than the one this page was built with.',
    });
  });

  it('is neutral while checking, without a record, and when it cannot be fetched', () => {
    for (const state of [{ kind: 'checking' }, { kind: 'none' }, { kind: 'unavailable', reason: 'x could not be fetched' }] as const) expect(describeRecord(state, en).tone).toBe('neutral');
    expect(describeRecord({ kind: 'unavailable', reason: 'x could not be fetched' }, en).text).toBe('The record could not be checked: x could not be fetched.');
  });
});
