import { CronExpression, CronExpressionParser } from 'cron-parser';
import { describe, expect, it, vi } from 'vitest';
import { fireAfter, firesBetween, nextRunOf } from '../../shared/schedule.ts';
import { keptZoneFormats, zoneFires, zoneFormatsKept } from '../../shared/zone-fires.ts';

const dayMs = 24 * 60 * 60 * 1000;
const ms = (iso: string) => Date.parse(iso);

/**
 * Temporal's answer, instant by instant: an instant fires when its wall time matches the cron (every
 * cron here fires on whole minutes). What firesBetween must equal, however it counts.
 */
function everyInstant(cron: string, tz: string, from: number, to: number): number[] {
  const expression = CronExpressionParser.parse(cron, { tz });
  const fires: number[] = [];
  for (let at = Math.ceil(from / 60_000) * 60_000; at < to; at += 60_000) if (expression.includesDate(new Date(at))) fires.push(at);
  return fires;
}

/** cron-parser's own walk, fire by fire. Where it gives up (it throws), nothing follows. */
function walked(cron: string, tz: string, from: number, to: number): number[] {
  const expression = CronExpressionParser.parse(cron, { currentDate: new Date(from - 1), tz });
  const fires: number[] = [];
  for (;;) {
    let fire: number;
    try {
      fire = expression.next().getTime();
    } catch {
      return fires;
    }
    if (fire >= to) return fires;
    fires.push(fire);
  }
}

const crons = ['*/7 * * * *', '30 2 * * *', '0 */5 * * *', '15 1,2,3 * * *', '0 30 23 * * *'];

// Spans of days with a change of offset inside, starting and ending mid-day.
const spans: Array<{ tz: string; from: string; to: string; why: string; crons?: string[] }> = [
  { tz: 'America/New_York', from: '2026-03-04T17:23:00.000Z', to: '2026-03-13T05:00:00.000Z', why: 'spring forward, 8 March' },
  { tz: 'America/New_York', from: '2026-10-28T00:00:00.000Z', to: '2026-11-05T12:34:56.000Z', why: 'fall back, 1 November' },
  { tz: 'Europe/Berlin', from: '2026-03-25T11:00:00.000Z', to: '2026-04-02T00:00:00.000Z', why: 'summer time, 29 March' },
  // cron-parser gives up (its loop limit) on '0 */5 * * *' at this change: the fires go on all the same
  { tz: 'Australia/Lord_Howe', from: '2026-04-02T00:00:00.000Z', to: '2026-04-07T00:00:00.000Z', why: 'a half-hour shift back, 5 April', crons: ['*/7 * * * *', '0 */5 * * *', '45 1 * * *', '15 1,2 * * *'] },
  { tz: 'Australia/Lord_Howe', from: '2026-10-01T00:00:00.000Z', to: '2026-10-07T00:00:00.000Z', why: 'a half-hour shift on, 4 October', crons: ['*/7 * * * *', '15 2 * * *', '45 2 * * *'] },
  // the repeated hour ends at midnight UTC: its second copies are the last fires of a UTC day
  { tz: 'Asia/Jerusalem', from: '2026-10-20T00:00:00.000Z', to: '2026-10-29T00:00:00.000Z', why: 'fall back at 23:00 UTC, 24 October' },
  { tz: 'Pacific/Apia', from: '2011-12-26T00:00:00.000Z', to: '2012-01-03T00:00:00.000Z', why: 'a skipped day, 30 December 2011' },
  { tz: 'Asia/Kolkata', from: '2026-03-01T03:00:00.000Z', to: '2026-03-09T03:00:00.000Z', why: 'no change at all' },
];

describe('firesBetween over days, against every instant whose wall time matches', () => {
  for (const { tz, from, to, why, crons: these = crons } of spans) {
    it(`${tz} (${why})`, () => {
      for (const cron of these) {
        expect(firesBetween(cron, tz, ms(from), ms(to)), cron).toEqual(everyInstant(cron, tz, ms(from), ms(to)));
      }
    });
  }

  it('starts the first day at `from`: where cron-parser gives up earlier that day, the fires after `from` still count', () => {
    // '0 */5 * * *' makes cron-parser throw at Lord Howe's change, 15:00 UTC on 4 April; `from` is after it
    const [from, to] = [ms('2026-04-04T20:00:00.000Z'), ms('2026-04-09T20:00:00.000Z')];
    const all = everyInstant('0 */5 * * *', 'Australia/Lord_Howe', from, to);
    expect(all.length).toBeGreaterThan(20);
    expect(firesBetween('0 */5 * * *', 'Australia/Lord_Howe', from, to)).toEqual(all);
  });

  it('keeps to the earliest `limit` fires, and includes a fire at `from` itself', () => {
    const from = ms('2026-03-07T00:00:00.000Z');
    const all = everyInstant('*/10 * * * *', 'America/New_York', from, from + 5 * dayMs);
    expect(all[0]).toBe(from);
    expect(firesBetween('*/10 * * * *', 'America/New_York', from, from + 5 * dayMs, 500)).toEqual(all.slice(0, 500));
  });

  it('counts schedules whose day fields list every value (1-31 or 1-30,L, 0-6, JAN-DEC) as every day, across a change too', () => {
    for (const cron of ['0 9 1-31 * *', '0 9 1-30,L * *', '30 2 * * 0-6', '*/20 1-3 * JAN-DEC SUN-SAT', '0 0 1-31 * 0-6']) {
      expect(firesBetween(cron, 'Europe/Berlin', ms('2026-02-20T00:00:00.000Z'), ms('2026-04-10T00:00:00.000Z')), cron).toEqual(
        everyInstant(cron, 'Europe/Berlin', ms('2026-02-20T00:00:00.000Z'), ms('2026-04-10T00:00:00.000Z')),
      );
    }
  }, 20_000); // a brute force over every minute of seven weeks, for each cron

  it("counts '*#2' (every weekday's second in the month: seven days in a row) and '1-29,L' (not the 30th) fire by fire, not as every day", () => {
    for (const cron of ['0 9 * * *#2', '0 9 ? * *#1']) {
      const fires = firesBetween(cron, 'UTC', ms('2026-01-01T00:00:00.000Z'), ms('2026-02-01T00:00:00.000Z'));
      expect(fires, cron).toHaveLength(7);
      expect(fires, cron).toEqual(everyInstant(cron, 'UTC', ms('2026-01-01T00:00:00.000Z'), ms('2026-02-01T00:00:00.000Z')));
    }
    const [from, to] = [ms('2026-01-26T00:00:00.000Z'), ms('2026-03-03T00:00:00.000Z')];
    expect(firesBetween('0 9 1-29,L * *', 'UTC', from, to)).toEqual(everyInstant('0 9 1-29,L * *', 'UTC', from, to)); // 30 January is left out
  });

  it('counts schedules that single out days (weekdays, a day of the month) fire by fire, across a change too', () => {
    for (const cron of ['0 9 * * 1-5', '0 0 L * *', '0 12 1,15 * *', '0 6 * 3 *', '30 2 * * 0']) {
      expect(firesBetween(cron, 'Europe/Berlin', ms('2026-02-20T00:00:00.000Z'), ms('2026-04-10T00:00:00.000Z')), cron).toEqual(
        everyInstant(cron, 'Europe/Berlin', ms('2026-02-20T00:00:00.000Z'), ms('2026-04-10T00:00:00.000Z')),
      );
    }
  }, 20_000); // a brute force over every minute of seven weeks, for each cron
});

// Near a change the walk is minute by minute. What a tick asks there (the fire cache's next minute,
// the next run) must stay a few hundred checks of the cron, not one per second the cron names in
// every minute of the hours around the change: a row's cron with seconds ('* * 3 * * 0', every second
// of 03:00 on Sundays) made that 14,400 checks a call, about 80 ms, every tick for a day.
describe('the work of a walk near a change', () => {
  const [tz, at] = ['America/New_York', ms('2025-11-02T04:00:00.000Z')]; // midnight, the night the clocks fall back
  const checksOf = (walk: () => unknown) => {
    const spy = vi.spyOn(CronExpression.prototype, 'includesDate');
    try {
      walk();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  };
  it.each(['* * 3 * * 0', '*/10 * 1 * * *', '0 3 * * 0', '*/5 * * * *'])('%s: a minute of fires, and the next run, in a few hundred checks', (cron) => {
    expect(checksOf(() => firesBetween(cron, tz, at, at + 60_000))).toBeLessThan(300);
    expect(checksOf(() => nextRunOf(cron, tz, new Date(at)))).toBeLessThan(300);
  });
  it('gives the same fires: every second the cron names, in both copies of the repeated hour', () => {
    const fires = firesBetween('*/20 59 1 * * *', tz, at, at + 6 * 60 * 60 * 1000);
    expect(fires.map((fire) => new Date(fire).toISOString())).toEqual([
      '2025-11-02T05:59:00.000Z', '2025-11-02T05:59:20.000Z', '2025-11-02T05:59:40.000Z', // 01:59 EDT
      '2025-11-02T06:59:00.000Z', '2025-11-02T06:59:20.000Z', '2025-11-02T06:59:40.000Z', // 01:59 EST
    ]);
  });
});

describe('the time zones a walk keeps a format for', () => {
  it('stay bounded however many spellings of a zone the rows hold (Intl takes any casing)', () => {
    const letters = [...'americanewyork'];
    for (let variant = 0; variant < keptZoneFormats + 50; variant += 1) {
      const cased = letters.map((letter, index) => ((variant >> index) & 1 ? letter.toUpperCase() : letter)).join('');
      const spelled = `${cased.slice(0, 7)}/${cased.slice(7, 10)}_${cased.slice(10)}`;
      firesBetween('0 2 * * *', spelled, Date.parse('2026-11-01T04:00:00.000Z'), Date.parse('2026-11-01T08:00:00.000Z'));
    }
    expect(zoneFormatsKept()).toBeLessThanOrEqual(keptZoneFormats);
    expect(zoneFormatsKept()).toBeGreaterThan(keptZoneFormats / 2);
  });
});

// Temporal never fires a wall time the clocks skip: a cron that names only such times never fires,
// though cron-parser gives one every year, each walked minute by minute near its change.
describe('a cron whose every fire falls in a wall time the clocks skip', () => {
  const parsesOf = <T>(walk: () => T): { result: T; parses: number } => {
    let parses = 0;
    const original = CronExpressionParser.parse.bind(CronExpressionParser);
    const spy = vi.spyOn(CronExpressionParser, 'parse').mockImplementation((...args) => {
      parses += 1;
      if (parses > 200) throw new Error('walked on past 200 parses');
      return original(...args);
    });
    try {
      return { result: walk(), parses };
    } finally {
      spy.mockRestore();
    }
  };
  it("has no fires in a span, and the walk ends at the span's end", () => {
    // 02:30 on the last Sunday of March, the night Berlin and London move their clocks on
    const span = parsesOf(() => firesBetween('30 2 * 3 0L', 'Europe/Berlin', ms('2026-03-25T00:00:00.000Z'), ms('2026-04-01T00:00:00.000Z')));
    expect(span.result).toEqual([]);
    expect(span.result).toEqual(everyInstant('30 2 * 3 0L', 'Europe/Berlin', ms('2026-03-25T00:00:00.000Z'), ms('2026-04-01T00:00:00.000Z')));
    expect(span.parses).toBeLessThan(10);
    expect(parsesOf(() => firesBetween('30 1 * 3 0L', 'Europe/London', ms('2026-01-01T00:00:00.000Z'), ms('2027-01-01T00:00:00.000Z'))).result).toEqual([]);
  });
  it('is found to fire no more once, not at every tick: the next call and the fires after it take no walk', () => {
    const at = new Date('2026-12-06T00:00:00.000Z');
    const first = parsesOf(() => nextRunOf('45 2 * 3 0L', 'Europe/Berlin', at));
    expect(first.result).toEqual({ nextRunAt: null, scheduleError: 'invalid_cron' });
    expect(first.parses).toBeGreaterThan(0);
    expect(parsesOf(() => nextRunOf('45 2 * 3 0L', 'Europe/Berlin', new Date(at.getTime() + 60_000)))).toEqual({ result: first.result, parses: 0 });
    expect(parsesOf(() => firesBetween('45 2 * 3 0L', 'Europe/Berlin', at.getTime() + 1, at.getTime() + 400 * dayMs))).toEqual({ result: [], parses: 0 });
    // before that instant it is walked as ever; in another zone it is another schedule
    expect(parsesOf(() => firesBetween('45 2 * 3 0L', 'Europe/Berlin', at.getTime() - dayMs, at.getTime())).parses).toBeGreaterThan(0);
    expect(nextRunOf('45 2 * 3 0L', 'UTC', at)).toEqual({ nextRunAt: new Date('2027-03-28T02:45:00.000Z'), scheduleError: null });
  });

  it('may fire again where a country changed its rules: years without a fire in the past prove nothing', () => {
    // 02:30 on April's first Sunday was skipped in Mexico City until 2022, when it dropped summer time
    const cron = '30 2 * 4 0#1';
    const [from, to] = [ms('2015-01-01T00:00:00.000Z'), ms('2025-01-01T00:00:00.000Z')];
    const expression = CronExpressionParser.parse(cron, { tz: 'America/Mexico_City' });
    const matching: number[] = []; // every half hour of every April of the span whose wall time matches
    for (let year = 2015; year < 2025; year += 1) {
      for (let at = Date.UTC(year, 3, 1); at < Date.UTC(year, 4, 2); at += 30 * 60_000) if (expression.includesDate(new Date(at))) matching.push(at);
    }
    expect(matching).toEqual([ms('2023-04-02T08:30:00.000Z'), ms('2024-04-07T08:30:00.000Z')]);
    expect(firesBetween(cron, 'America/Mexico_City', from, to)).toEqual(matching);
    expect(fireAfter(cron, 'America/Mexico_City', from)).toBe(matching[0]);
  });

  it('has no next run: it is found never to fire within a few years, not walked to the end of time', () => {
    // the second Sunday of March at 02:30, the hour New York skips
    const next = parsesOf(() => nextRunOf('30 2 * 3 0#2', 'America/New_York', new Date('2026-01-01T00:00:00.000Z')));
    expect(next.result).toEqual({ nextRunAt: null, scheduleError: 'invalid_cron' });
    expect(next.parses).toBeLessThan(20);
  });
});

describe('a walk cron-parser gives up on again and again', () => {
  it('ends (no fire ever again) once years of changes have passed with no fire, instead of walking on for ever', () => {
    // a zone that moves its clocks every half year, and a schedule cron-parser cannot walk and no minute matches
    const halfYear = 183 * dayMs;
    const offsetAt = (at: number) => (Math.floor(at / halfYear) % 2) * 60 * 60 * 1000;
    const zone = { offsetAt, steadyNear: (at: number) => offsetAt(at - 6 * 60 * 60 * 1000) === offsetAt(at + 12 * 60 * 60 * 1000) };
    let parsed = 0;
    const neverWalks = {
      next: () => {
        throw new Error('Invalid expression, loop limit exceeded');
      },
      includesDate: () => false,
      fields: { second: { values: [0] }, minute: { values: [0] }, hour: { values: [0] } },
    } as unknown as CronExpression;
    const parse = () => {
      parsed += 1;
      if (parsed > 100) throw new Error('walked on past 100 restarts');
      return neverWalks;
    };
    expect(zoneFires(parse, zone, ms('2026-01-01T00:00:00.000Z')).next()).toEqual({ done: true, value: true });
  });
});
