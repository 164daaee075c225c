import { describe, expect, it } from 'vitest';
import { charterDisplayName, cronIntervalMs, firesBetween, isValidTimeZone, nextRunOf, pauseLongerThan } from '../../shared/schedule.ts';

const at = (iso: string) => new Date(iso);
const next = (cron: string, tz: string, now: string) => nextRunOf(cron, tz, at(now)).nextRunAt?.toISOString();

describe('nextRunOf across DST in America/New_York', () => {
  // 2026: DST starts Sun 8 March 02:00 EST -> 03:00 EDT, ends Sun 1 November 02:00 EDT -> 01:00 EST.
  it('keeps 09:00 local when the clocks spring forward (UTC-5 -> UTC-4)', () => {
    expect(next('0 9 * * *', 'America/New_York', '2026-03-07T15:00:00.000Z')).toBe('2026-03-08T13:00:00.000Z');
    expect(next('0 9 * * *', 'America/New_York', '2026-03-06T15:00:00.000Z')).toBe('2026-03-07T14:00:00.000Z');
  });
  it('keeps 09:00 local when the clocks fall back (UTC-4 -> UTC-5)', () => {
    expect(next('0 9 * * *', 'America/New_York', '2026-10-31T14:00:00.000Z')).toBe('2026-11-01T14:00:00.000Z');
    expect(next('0 9 * * *', 'America/New_York', '2026-10-30T14:00:00.000Z')).toBe('2026-10-31T13:00:00.000Z');
  });
  it('skips a time that does not exist on the spring-forward day, as Temporal does: the next 02:30 is the day after', () => {
    expect(next('30 2 * * *', 'America/New_York', '2026-03-08T06:00:00.000Z')).toBe('2026-03-09T06:30:00.000Z');
  });
});

describe('nextRunOf across DST in Europe/Berlin', () => {
  // 2026: summer time starts Sun 29 March 02:00 CET -> 03:00 CEST, ends Sun 25 October 03:00 CEST -> 02:00 CET.
  it('keeps 06:00 local when the clocks spring forward (UTC+1 -> UTC+2)', () => {
    expect(next('0 6 * * *', 'Europe/Berlin', '2026-03-28T06:00:00.000Z')).toBe('2026-03-29T04:00:00.000Z');
  });
  it('keeps 06:00 local when the clocks fall back (UTC+2 -> UTC+1)', () => {
    expect(next('0 6 * * *', 'Europe/Berlin', '2026-10-24T05:00:00.000Z')).toBe('2026-10-25T05:00:00.000Z');
  });
  it('an hourly schedule fires every UTC hour through the repeated hour, 02:00 local twice', () => {
    const fires: string[] = [];
    let after = at('2026-10-24T23:30:00.000Z');
    for (let i = 0; i < 4; i += 1) {
      after = nextRunOf('0 * * * *', 'Europe/Berlin', after).nextRunAt!;
      fires.push(after.toISOString());
    }
    // 02:00 CEST, 02:00 CET (the repeated hour), 03:00 CET, 04:00 CET
    expect(fires).toEqual(['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z']);
  });
});

describe('nextRunOf in the repeated hour of America/New_York', () => {
  it('runs a 01:30 schedule twice on the fall-back night, at 01:30 EDT and 01:30 EST, as Temporal does', () => {
    expect(next('30 1 * * *', 'America/New_York', '2026-11-01T04:30:00.000Z')).toBe('2026-11-01T05:30:00.000Z');
    expect(next('30 1 * * *', 'America/New_York', '2026-11-01T05:30:00.000Z')).toBe('2026-11-01T06:30:00.000Z');
    expect(next('30 1 * * *', 'America/New_York', '2026-11-01T06:30:00.000Z')).toBe('2026-11-02T06:30:00.000Z');
  });
});

// Temporal's own cases for its schedules (temporalio/temporal, service/worker/scheduler/calendar_test.go,
// TestCalendarNextDST): the application's charters are Temporal schedules, so their fires are these.
describe('fires across DST as Temporal fires them (US/Pacific)', () => {
  const pacific = (iso: string) => firesBetween('33 33 2 * * *', 'US/Pacific', Date.parse(iso), Date.parse(iso) + 3 * 24 * 60 * 60 * 1000);
  const isos = (fires: number[]) => fires.map((fire) => new Date(fire).toISOString());
  it('spring forward: 13 March 2022 has no 02:33:33, so it does not fire that day', () => {
    // from 20:00 PST on 11 March: 02:33:33 PST on the 12th, then 02:33:33 PDT on the 14th
    expect(isos(pacific('2022-03-12T04:00:00.000Z'))).toEqual(['2022-03-12T10:33:33.000Z', '2022-03-14T09:33:33.000Z']);
  });
  it('fall back: 7 November 2021 has two 01:33:33s and two 01:44:33s, and fires at each', () => {
    const fires = firesBetween('33 33,44 1 * * *', 'US/Pacific', Date.parse('2021-11-07T07:15:15.000Z'), Date.parse('2021-11-08T09:40:00.000Z'));
    expect(isos(fires)).toEqual([
      '2021-11-07T08:33:33.000Z', // 01:33:33 PDT
      '2021-11-07T08:44:33.000Z',
      '2021-11-07T09:33:33.000Z', // 01:33:33 PST
      '2021-11-07T09:44:33.000Z',
      '2021-11-08T09:33:33.000Z',
    ]);
  });
  it('a fire after `from` in the second copy counts, though its first copy came before `from`', () => {
    const from = Date.parse('2021-11-07T09:00:00.000Z'); // 01:00 PST: the first 01:33:33 was half an hour ago
    expect(isos(firesBetween('33 33 1 * * *', 'US/Pacific', from, from + 60 * 60 * 1000))).toEqual(['2021-11-07T09:33:33.000Z']);
  });
});

// cron-parser gives up (its loop limit) on a weekly, or yearly, 03:00 from as far as its fire lies
// before Lord Howe's half-hour shift back (02:00 → 01:30 on the first Sunday of April): such a
// schedule is valid and fires at 03:00 (+10:30) that Sunday, and every Sunday after.
describe('a schedule whose next fire lies days after a change that cron-parser cannot cross (Australia/Lord_Howe)', () => {
  it('nextRunOf gives the fire, not invalid_cron, from six days before it', () => {
    expect(nextRunOf('0 3 * * 0', 'Australia/Lord_Howe', at('2025-03-31T11:01:30.000Z'))).toEqual({ nextRunAt: at('2025-04-05T16:30:00.000Z'), scheduleError: null });
    expect(next('0 2 * * 0#1', 'Australia/Lord_Howe', '2025-03-28T23:48:12.000Z')).toBe('2025-04-05T15:30:00.000Z');
    expect(next('0 3 6 4 *', 'Australia/Lord_Howe', '2024-10-01T00:00:00.000Z')).toBe('2025-04-05T16:30:00.000Z');
  }, 30_000); // a guard against a hang, not a speed goal: each walk takes about half a second alone, and timed out at 5 s on a loaded machine
  it('firesBetween goes on past it, every Sunday', () => {
    const fires = firesBetween('0 3 * * 0', 'Australia/Lord_Howe', Date.parse('2026-03-17T00:00:00.000Z'), Date.parse('2026-04-20T00:00:00.000Z'));
    expect(fires.map((fire) => new Date(fire).toISOString())).toEqual([
      '2026-03-21T16:00:00.000Z', // 03:00 +11
      '2026-03-28T16:00:00.000Z',
      '2026-04-04T16:30:00.000Z', // 03:00 +10:30, the Sunday of the shift
      '2026-04-11T16:30:00.000Z',
      '2026-04-18T16:30:00.000Z',
    ]);
  });
});

describe('nextRunOf with malformed schedules', () => {
  const now = '2026-11-21T12:00:00.000Z';
  it.each(['', '   ', 'not a cron', '61 * * * *', '0 9 31 2 *', '0 9 * * 1-5 extra'])('reports %j as invalid_cron', (cron) => {
    expect(nextRunOf(cron, 'UTC', at(now))).toEqual({ nextRunAt: null, scheduleError: 'invalid_cron' });
  });
  it.each(['Mars/Olympus', '', 'Europe/Atlantis'])('reports %j as invalid_timezone', (tz) => {
    expect(nextRunOf('0 9 * * *', tz, at(now))).toEqual({ nextRunAt: null, scheduleError: 'invalid_timezone' });
  });
  it('returns the first fire strictly after now', () => {
    expect(next('0 12 * * *', 'UTC', now)).toBe('2026-11-22T12:00:00.000Z');
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and rejects the unknown', () => {
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Nowhere/Special')).toBe(false);
  });
});

describe('cronIntervalMs', () => {
  const now = at('2026-11-21T12:00:30.000Z');
  it('measures the gap between the next two fires', () => {
    expect(cronIntervalMs('* * * * *', now)).toBe(60_000);
    expect(cronIntervalMs('*/5 * * * * *', now)).toBe(5_000);
    expect(cronIntervalMs('0 * * * *', now)).toBe(3_600_000);
  });
  it('throws on an expression that does not parse', () => {
    expect(() => cronIntervalMs('nope', now)).toThrow();
  });
});

describe('pauseLongerThan, read from the hours, minutes and seconds', () => {
  const hourMs = 60 * 60 * 1000;
  // The rule by its definition, over the fires themselves: `from` when the next fire is over an hour
  // away, else the first fire after it that the next follows over an hour later.
  const walked = (cron: string, from: number): number | null => {
    const fires = firesBetween(cron, 'UTC', from + 1, from + 3 * 24 * hourMs);
    if (fires[0]! - from > hourMs) return from;
    const start = fires.findIndex((fire, index) => index + 1 < fires.length && fires[index + 1]! - fire > hourMs);
    return start === -1 ? null : fires[start]!;
  };
  const crons = ['* * * * *', '0 * * * *', '*/5 9-17 * * *', '0 0 * * *', '0 */2 * * *', '59 0-11,13-23 * * *', '0 0-5,13,22 * * *', '30 15 1-22 * * *', '0,30 */3 * * *', '0 0 0,23 * * *'];
  const instants = ['2026-12-07T00:00:00.000Z', '2026-12-07T09:00:00.000Z', '2026-12-07T11:59:30.250Z', '2026-12-07T12:00:00.000Z', '2026-12-07T17:55:00.000Z', '2026-12-07T22:30:00.000Z', '2026-12-07T23:59:59.999Z'];
  it.each(crons)('%s: as the fires say, from any instant', (cron) => {
    for (const instant of instants) {
      const from = Date.parse(instant);
      expect(pauseLongerThan(cron, new Date(from), hourMs)?.getTime() ?? null, instant).toBe(walked(cron, from));
    }
  });
  it('finds none in a schedule that fires at least hourly', () => {
    for (const cron of ['* * * * * *', '0 * * * *', '59 0-11,12-23 * * *']) expect(pauseLongerThan(cron, new Date('2026-12-07T12:00:00Z'), hourMs)).toBeNull();
  });
});

describe('charterDisplayName', () => {
  it('drops the governance: prefix and capitalises', () => {
    expect(charterDisplayName('governance:community')).toBe('Community');
    expect(charterDisplayName('governance:engineering')).toBe('Engineering');
    expect(charterDisplayName('sustainability')).toBe('Sustainability');
    expect(charterDisplayName('governance:')).toBe('');
  });
});
