// Each charter's uptime over the signed record's days (site/lib/record-uptime.ts), by shared/uptime.ts.
import { describe, expect, it } from 'vitest';
import { en } from '../../site/i18n/en.ts';
import { describeRecordUptime, recordUptimes } from '../../site/lib/record-uptime.ts';

const day = (charters: Array<{ id: string; expected: number; succeeded: number; failed: number; skipped: number; missed: number }>) => ({ bytes: `${JSON.stringify({ schemaVersion: 1, charters })}\n` });
const counts = (succeeded: number, failed: number, missed = 0) => ({ expected: succeeded + failed + missed, succeeded, failed, skipped: 0, missed });

describe('uptime over the signed record', () => {
  it('counts each charter over every day it appears in, failed and missed runs against', () => {
    const days = [
      ...Array.from({ length: 364 }, () => day([{ id: 'a', ...counts(96, 0) }, { id: 'b', ...counts(0, 0) }])),
      day([{ id: 'a', ...counts(90, 4, 2) }]),
    ];
    const uptimes = recordUptimes(days);
    expect(uptimes.get('a')).toEqual({ uptime: { succeeded: 364 * 96 + 90, judged: 365 * 96 }, days: 365 });
    expect(uptimes.get('b')).toEqual({ uptime: null, days: 365 });
    expect(describeRecordUptime(uptimes.get('a')!, en)).toBe('99.9\u00a0% of expected runs succeeded in the last 365 closed days (the signed record).');
    expect(describeRecordUptime(uptimes.get('b')!, en)).toBe('No expected runs in the 365 closed days of the signed record.');
  });

  it('says over how many days when the record is shorter than a year, and nothing when it is within the 90 days', () => {
    expect(describeRecordUptime({ uptime: { succeeded: 992, judged: 1000 }, days: 200 }, en)).toBe('99.2\u00a0% of expected runs succeeded in the 200 closed days of the signed record.');
    expect(describeRecordUptime({ uptime: { succeeded: 992, judged: 1000 }, days: 90 }, en)).toBeNull();
  });
});
