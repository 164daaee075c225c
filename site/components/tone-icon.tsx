// Small inline icons that pair with a word: shape tells the tone as well as colour does. Inside
// <Neutral value={true}> (stale data) every tone reads as neutral: the page stops vouching.
import { createContext, useContext } from 'react';
import type { Tone } from '../lib/describe-status.ts';

export const Neutral = createContext(false);

const paths: Record<Tone, string> = {
  good: 'M4.5 8.5l2.5 2.5 4.5-5.5',
  warn: 'M8 4v5M8 11.5v.5',
  bad: 'M5.5 5.5l5 5M10.5 5.5l-5 5',
  neutral: 'M4.5 8h7',
};

export function ToneIcon({ tone }: { tone: Tone }) {
  return (
    <svg className={`icon icon-${tone}`} viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="8" r="7.25" />
      <path d={paths[tone]} />
    </svg>
  );
}

/** A status word with its icon, coloured by tone (neutral while the data is stale). */
export function ToneLabel({ tone, label }: { tone: Tone; label: string }) {
  const shown = useContext(Neutral) ? 'neutral' : tone;
  return (
    <span className={`tone tone-${shown}`}>
      <ToneIcon tone={tone} /> {label}
    </span>
  );
}
