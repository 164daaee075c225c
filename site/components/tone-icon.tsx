// Small inline icons that pair with a word: shape tells the tone as well as colour does (the shapes
// are drawn by global.css, in the text's colour). Inside <Neutral value={true}> (stale data) every
// tone reads as neutral: the page stops vouching.
import { createContext, useContext } from 'react';
import type { Tone } from '../lib/describe-status.ts';

export const Neutral = createContext(false);

export const ToneIcon = ({ tone }: { tone: Tone }) => <span className={`icon icon-${tone}`} aria-hidden="true" />;

/** A status word with its icon, coloured by tone (neutral while the data is stale). */
export function ToneLabel({ tone, label }: { tone: Tone; label: string }) {
  return (
    <span className={`tone tone-${useContext(Neutral) ? 'neutral' : tone}`}>
      <ToneIcon tone={tone} /> {label}
    </span>
  );
}
