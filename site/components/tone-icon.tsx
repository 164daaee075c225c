// Small inline icons that pair with a word: shape tells the tone as well as colour does.
import type { Tone } from '../lib/describe-status.ts';

const paths: Record<Tone, string> = {
  good: 'M3.5 8.5l3 3 6-7',
  warn: 'M8 4v5M8 11.5v.5',
  bad: 'M4.5 4.5l7 7M11.5 4.5l-7 7',
  neutral: 'M4.5 8h7',
};

export function ToneIcon({ tone }: { tone: Tone }) {
  return (
    <svg className={`icon icon-${tone}`} viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <circle cx="8" cy="8" r="7.25" />
      <path d={paths[tone]} />
    </svg>
  );
}

/** A status word with its icon, coloured by tone. */
export function ToneLabel({ tone, label }: { tone: Tone; label: string }) {
  return (
    <span className={`tone tone-${tone}`}>
      <ToneIcon tone={tone} /> {label}
    </span>
  );
}
