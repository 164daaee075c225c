// The record's line in the page's words and a tone (site/lib/verify-record.ts says what it is).
import { signingKeyFileName } from '../../shared/archive-files.ts';
import type { Messages } from '../i18n/en.ts';
import { fill, plural } from '../i18n/fill.ts';
import type { Tone } from './describe-status.ts';
import { formatDay } from './format-time.ts';
import type { RecordState } from './verify-record.ts';


/** `historyDiffers`: the closed days the unsigned history file states otherwise than the verified record (site/lib/signed-history.ts). */
export function describeRecord(state: RecordState, m: Messages, historyDiffers: readonly string[] = []): { tone: Tone; text: string } {
  const words = m.record;
  switch (state.kind) {
    case 'checking':
    case 'none':
      return { tone: 'neutral', text: words[state.kind] };
    case 'unavailable':
      return { tone: 'neutral', text: fill(words.unavailable, state) };
    case 'unsigned':
      return { tone: 'neutral', text: fill(words.unsigned, state) };
    case 'verified': {
      const values = { key: state.keyId.slice(0, 8), days: state.days, checked: state.checkedDays };
      const text = fill(state.checkedDays < state.days ? words.verifiedPart : words.verified, values);
      const latest = historyDiffers.at(-1);
      if (latest === undefined) return { tone: 'good', text };
      return { tone: 'warn', text: `${text} ${plural(m.locale, words.historyDiffers, historyDiffers.length, { day: formatDay(latest, m) })}` };
    }
    case 'broken':
      if (state.failure === 'unknown_key' && state.file === signingKeyFileName) return { tone: 'bad', text: words.keyMismatch };
      return {
        tone: 'bad',
        text: state.day === null ? fill(words.brokenFile, { file: state.file, why: words.whyFile[state.failure] }) : fill(words.brokenDay, { day: state.day, why: words.why[state.failure] }),
      };
  }
}
