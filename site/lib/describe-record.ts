// The record's line in words and tone (site/lib/verify-record.ts says what it is). Every English
// string is in `words`, with {placeholders}.
import { signingKeyFileName } from '../../shared/archive-files.ts';
import type { Tone } from './describe-status.ts';
import type { RecordState } from './verify-record.ts';

const words = {
  checking: 'Checking the signed record…',
  none: 'No day archived yet.',
  unavailable: 'The record could not be checked: {reason}.',
  unsigned: 'Not signed: the record of {days} days carries no signature to check.',
  verified: 'Signed by key {key}…: {days} days, chain intact.',
  verifiedPart: 'Signed by key {key}…: {days} days, chain intact (the last {checked} checked here).',
  brokenDay: 'The published record does not verify: {day} {why}.',
  brokenFile: 'The published record does not verify: {file} {why}.',
  keyMismatch: 'The published record does not verify: it is signed by another key than the one this page was built with.',
  why: {
    missing: 'is missing',
    not_json: 'was altered',
    invalid: 'was altered',
    signature: 'was altered',
    chain: 'was altered',
    unknown_key: 'is signed by an unknown key',
  },
  whyFile: {
    missing: 'is missing',
    not_json: 'is not readable',
    invalid: 'is not readable',
    signature: 'does not carry a valid signature',
    chain: 'does not continue the chain',
    unknown_key: 'is signed by an unknown key',
  },
};

const fill = (template: string, values: Record<string, string | number>) => template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));

export function describeRecord(state: RecordState): { tone: Tone; text: string } {
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
      return { tone: 'good', text: fill(state.checkedDays < state.days ? words.verifiedPart : words.verified, values) };
    }
    case 'broken':
      if (state.failure === 'unknown_key' && state.file === signingKeyFileName) return { tone: 'bad', text: words.keyMismatch };
      return {
        tone: 'bad',
        text: state.day === null ? fill(words.brokenFile, { file: state.file, why: words.whyFile[state.failure] }) : fill(words.brokenDay, { day: state.day, why: words.why[state.failure] }),
      };
  }
}
