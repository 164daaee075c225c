// Cleaning the charters' schedule rows (worker/judge-charters.ts): ids that cleaning makes alike stay
// unique, by the suffix rule (`~2`, `~3`, ...), and cost a constant number of cleanings each however
// many are alike. publicText is spied on (it runs as itself) to count the cleanings.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { limits } from '../../shared/contract.ts';
import type { ScheduleFacts } from '../../shared/ports.ts';
import * as redact from '../../shared/redact.ts';
import { cleanCharterRows } from '../../worker/judge-charters.ts';

vi.mock('../../shared/redact.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../shared/redact.ts')>();
  return { ...actual, publicText: vi.fn(actual.publicText) };
});
const publicText = vi.mocked(redact.publicText);
afterEach(() => publicText.mockClear());

const now = Date.parse('2026-12-05T12:00:00Z');
const schedule = (temporalScheduleId: string, index: number): ScheduleFacts => ({
  scheduleId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  temporalScheduleId,
  cron: '0 * * * *',
  timezone: 'UTC',
  enabled: true,
  updatedAt: null,
  lastRunAt: null,
  slotsBeforeChange: [],
});
const idsOf = (temporalIds: readonly string[]) => cleanCharterRows(temporalIds.map(schedule), now).map((row) => row.id);

describe('cleanCharterRows ids', () => {
  it('keeps a unique id as it is cleaned, and gives one taken the first free ~2, ~3, ... of its shorter cut', () => {
    expect(idsOf(['governance:a', 'governance:b'])).toEqual(['governance:a', 'governance:b']);
    // a zero-width space is cleaned away: two rows alike once cleaned
    expect(idsOf(['governance:a', 'governance:\u200ba', 'governance:a\u200b'])).toEqual(['governance:a', 'governance:a~2', 'governance:a~3']);
    // a row whose own id looks like a suffixed one keeps it; the suffix skips it
    expect(idsOf(['x', 'x', 'x~3', 'x', 'x'])).toEqual(['x', 'x~2', 'x~3', 'x~4', 'x~5']);
    expect(idsOf(['x~2', 'x', 'x'])).toEqual(['x~2', 'x', 'x~3']);
    // the rows come oldest first: a later schedule's id that cleans to a taken one is the one renamed,
    // whether the older one was written plain or not
    expect(idsOf(['governance:engineering', 'governance:engineering\u200b'])).toEqual(['governance:engineering', 'governance:engineering~2']);
    expect(idsOf(['governance:eng ', 'governance:eng'])).toEqual(['governance:eng', 'governance:eng~2']);
    // an id cleaned to nothing is renamed too, and a name is never empty
    const rows = cleanCharterRows(['', 'governance:', 'governance:\u200b\u202e', 'governance:~2'].map(schedule), now);
    expect(rows.map((row) => row.id)).toEqual(['~2', 'governance:', 'governance:~2', 'governance:~2~2']);
    expect(rows.map((row) => row.name)).toEqual(['~2', 'governance:', '~2', '~2~2']);
    // the suffix goes on the cut to idLength - 6, so the id stays within idLength
    const long = 'governance:'.padEnd(150, 'z');
    const [first, second] = idsOf([long, long]);
    expect(first).toBe(redact.publicText(long, limits.idLength));
    expect(second).toBe(`${redact.publicText(long, limits.idLength - 6)}~2`);
  });

  it('cleans each of 1,000 ids alike in their first 100 characters a constant number of times, not once per id taken before it', () => {
    // the attacker's rows: 'governance:' || repeat('community-of-zurich-', 6) || i
    const temporalIds = Array.from({ length: 1_000 }, (_, index) => `governance:${'community-of-zurich-'.repeat(6)}${index + 1}`);
    const ids = idsOf(temporalIds);
    const idCleanings = publicText.mock.calls.filter(([text]) => text.startsWith('governance:community-of-zurich-')).length;
    expect(idCleanings).toBeLessThanOrEqual(2 * temporalIds.length); // each id at most twice: as it is, and its shorter cut
    const cut = redact.publicText(temporalIds[0]!, limits.idLength - 6);
    expect(ids).toEqual([redact.publicText(temporalIds[0]!, limits.idLength), ...temporalIds.slice(1).map((_, index) => `${cut}~${index + 2}`)]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(limits.idLength);
  }, 60_000); // 1,000 rows' crons and names are cleaned and parsed too: room on a busy machine, not a claim about speed
});
