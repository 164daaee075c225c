// Attack: charters' fires near every change of offset of every time zone, against Temporal's own rule
// (an instant fires when its wall time matches the cron: temporalio/temporal,
// service/worker/scheduler/calendar.go). For random zones, crons and spans that start within 30 hours
// before a change of offset in 2025 or 2026, firesBetween and nextRunOf must give exactly the
// instants whose wall time matches, found minute by minute. No database, no server; seeded, so a
// mismatch is reproducible. Usage: npx node tests/attacks/dst-fires.ts [cases] (default 1500)
import { CronExpressionParser } from 'cron-parser';
import { firesBetween, nextRunOf } from '../../shared/schedule.ts';

const crons = ['*/7 * * * *', '30 2 * * *', '0 */5 * * *', '15 1,2,3 * * *', '0 30 23 * * *', '45 1 * * *', '*/20 0-3 * * *', '0 0 * * *', '30 2 * * 0', '0 2 8 3 *', '10 */2 * * *', '5 4 * * 1-5', '0 0,12 * * *'];
const [hour, day] = [3_600_000, 86_400_000];
const cases = Number(process.argv[2] ?? 1500);
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** The hours in 2025 and 2026 at whose end the zone's offset differs. */
function changesOf(timezone: string): number[] {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
  const offset = (at: number) => format.format(at).split(' ').pop();
  const changes: number[] = [];
  for (let at = Date.parse('2025-01-01T00:00:00Z'); at < Date.parse('2027-01-01T00:00:00Z'); at += hour) if (offset(at) !== offset(at + hour)) changes.push(at);
  return changes;
}

/** Temporal's rule, minute by minute (every cron above fires on whole minutes). */
function everyInstant(cron: string, timezone: string, from: number, to: number): number[] {
  const expression = CronExpressionParser.parse(cron, { tz: timezone });
  const fires: number[] = [];
  for (let at = Math.ceil(from / 60_000) * 60_000; at < to; at += 60_000) if (expression.includesDate(new Date(at))) fires.push(at);
  return fires;
}

const iso = (at: number | undefined) => (at === undefined ? 'none' : new Date(at).toISOString());
const changing = Intl.supportedValuesOf('timeZone').map((timezone) => ({ timezone, changes: changesOf(timezone) })).filter(({ changes }) => changes.length > 0);
let mismatches = 0;
for (let n = 0; n < cases; n += 1) {
  const { timezone, changes } = pick(changing);
  const cron = pick(crons);
  const from = pick(changes) - Math.floor(random() * 30 * 3600) * 1000 + Math.floor(random() * 1000);
  const to = from + Math.floor(random() * (random() < 0.3 ? 10 : 2) * day);
  const want = everyInstant(cron, timezone, from, to);
  const got = firesBetween(cron, timezone, from, to);
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    mismatches += 1;
    console.log(`firesBetween ${timezone} "${cron}" ${iso(from)}..${iso(to)}: extra ${got.filter((at) => !want.includes(at)).map(iso)}, lacking ${want.filter((at) => !got.includes(at)).map(iso)}`);
  }
  const next = nextRunOf(cron, timezone, new Date(from)).nextRunAt?.getTime();
  if (want.length > 0 && want[0] !== from && next !== want[0]) {
    mismatches += 1;
    console.log(`nextRunOf ${timezone} "${cron}" after ${iso(from)}: ${iso(next)}, Temporal ${iso(want[0])}`);
  }
}
console.log(`${cases} cases in ${changing.length} zones that change their offset`);
console.log(`## mismatches: ${mismatches}`);
