// A locale's template with elements in its placeholders ("since {time}, still open" with a <time>):
// the words around an element stay in the messages, in the locale's order.
import { Fragment, type ReactNode } from 'react';

export function FillNodes({ template, values }: { template: string; values: Record<string, ReactNode> }) {
  // split with a capture group: the odd parts are the placeholders' names
  return template.split(/\{(\w+)\}/).map((part, index) => (index % 2 === 1 ? <Fragment key={index}>{Object.hasOwn(values, part) ? values[part] : `{${part}}`}</Fragment> : part));
}
