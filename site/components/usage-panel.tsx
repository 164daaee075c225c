// What the treasury paid for: credits, requests and tokens by charter and by model, over the last 24
// hours or the last 7 or 30 closed days. The period is a native radio group (the arrow keys move
// within it, at no cost in script); the totals are said in words; one click away (the page stays
// short on a phone), each charter and model says its figures in words under a CSS bar of its share
// of the credits, above a scale from 0 to the total. Text throughout: no separate alternative needed.
// Every English word is in `words` (the page's strings move to per-locale messages).
import { memo, useState } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { formatCompact } from '../lib/chart-scale.ts';
import { plural } from '../lib/describe-runs.ts';
import { describeUsage, fill, usageWindows, type UsageRow, type UsageWindow } from '../lib/describe-usage.ts';

export const words = {
  title: 'Usage',
  period: 'Period',
  windows: { 1: '1 day', 7: '7 days', 30: '30 days' },
  day: 'The last 24 hours: {totals}.',
  days: 'The {days} closed days (UTC) {from} to {to}: {totals}.',
  partial: ' Usage is known for {known} of these days.',
  totals: '{0} credits, {1}, {2} tokens in and {3} out',
  request: 'request',
  loading: 'The history is still loading.',
  unavailable: {
    no_table: 'Usage is not available: the database has no charge details.',
    no_permission: 'Usage is not available: the worker may not read the charge details.',
  },
  breakdown: 'By charter and by model',
  /** each grouping's title, and the name of its receipts of none */
  groups: [
    ['By charter', "No charter's run"],
    ['By model', 'Not a model call'],
  ],
  row: '{name}: {totals}',
  scale: '{0} credits',
  other: 'The rest',
  costPerRun: 'Cost per run (median)',
  failedCost: 'Failed runs cost {credits} in the last 24 h.',
};

/**
 * A grouping's rows, most credits first: each row's figures in words under a bar of its share of the
 * credits. The rows of a grouping add up to the total, so the scale runs from 0 to the total.
 */
function Rows({ index, rows, top }: { index: number; rows: UsageRow[]; top: bigint }) {
  const [title, none] = words.groups[index]!;
  return (
    <figure className="usage-rows">
      <figcaption>{title}</figcaption>
      <ul>
        {rows.map((row, at) => (
          <li key={at}>
            <span className="usage-bar" style={{ width: `${Math.min(1, Math.max(0, Number(row.figures[0]) / Number(top) || 0)) * 100}%` }} />
            {fill(words.row, { name: row.other ? words.other : (row.name ?? none), totals: said(row.figures) })}
          </li>
        ))}
      </ul>
      <p className="usage-scale" aria-hidden="true">
        <span>0</span>
        <span>{fill(words.scale, [formatCompact(top)])}</span>
      </p>
    </figure>
  );
}

/** "252 M credits, 42 requests, 8.4 M tokens in and 1.1 M out" */
const said = (figures: bigint[]) => fill(words.totals, figures.map((value, at) => (at === 1 ? plural(Number(value), words.request) : formatCompact(value))));

type Props = { snapshot: PublishedStatus; history: GovernanceHistory | null };

export const UsagePanel = memo(function UsagePanel({ snapshot, history }: Props) {
  const [days, setDays] = useState<UsageWindow>(1);
  const { usage } = snapshot;
  if (usage && !usage.available) return <p data-testid="usage">{words.unavailable[usage.reason]}</p>;
  const view = describeUsage(snapshot, history, days);
  const totals = view && said(view.total);
  return (
    <>
      <fieldset className="choice" onChange={(event) => setDays(Number((event.target as unknown as HTMLInputElement).value) as UsageWindow)}>
        <legend>{words.period}</legend>
        {usageWindows.map((value) => (
          <label key={value}>
            <input type="radio" name="usage-days" value={value} defaultChecked={value === 1} /> {words.windows[value]}
          </label>
        ))}
      </fieldset>
      <p data-testid="usage">
        {view ? fill(days === 1 ? words.day : words.days, { ...view, totals }) + (view.known < view.days ? fill(words.partial, view) : '') : words.loading}
      </p>
      {view?.total.some((value) => value > 0n) && (
        <details className="usage-tables">
          <summary>{words.breakdown}</summary>
          <Rows index={0} rows={view.charters} top={view.total[0]!} />
          <Rows index={1} rows={view.models} top={view.total[0]!} />
        </details>
      )}
    </>
  );
});
