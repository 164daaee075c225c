// Raw text is cut in SQL (a hostile row can hold megabytes) at many times what the public file shows,
// and one character past what is kept, so the worker sees where a cut fell: the cut word is then
// dropped (shared/redact.ts cutAtWord), never cleaned half. A cut in SQL alone could leave a secret
// padded out to the cut without the end its pattern needs (a URL's password without its @), and
// cleaning would squeeze the padding away and publish the rest.
import { cutAtWord } from '../../shared/redact.ts';

export const rawTextLimit = 8192;

/** The SQL that reads a text column (or expression) cut for the worker. */
export const rawTextSql = (expression: string) => `left(${expression}, ${rawTextLimit + 1})`;

/** A text read through rawTextSql, its cut word dropped. */
export function rawText<T extends string | null>(text: T): T {
  return (text === null ? text : cutAtWord(text, rawTextLimit)) as T;
}
