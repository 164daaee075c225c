// What the treasury paid for: credits, requests and tokens by charter and by model, over the last 24
// hours or the last 7 or 30 closed days. The period is a native radio group (the arrow keys move
// within it, at no cost in script); the totals are said in words; one click away (the page stays
// short on a phone), each charter and model says its figures in words under a CSS bar of its share
// of the credits, above a scale from 0 to the total. Text throughout: no separate alternative needed.
// Its words are the page's messages (site/i18n/, `usage`).
import { memo, useState } from 'react';
import type { GovernanceHistory, PublishedStatus } from '../../shared/contract.ts';
import { useLocale } from '../i18n/context.ts';
import type { Messages } from '../i18n/en.ts';
import { fill, plural } from '../i18n/fill.ts';
import { formatCompact } from '../lib/chart-scale.ts';
import { describeUsage, usageWindows, type UsageRow, type UsageWindow } from '../lib/describe-usage.ts';


/**
 * A grouping's rows, most credits first: each row's figures in words under a bar of its share of the
 * credits. The rows of a grouping add up to the total, so the scale runs from 0 to the total.
 */
function Rows({ group, rows, top }: { group: 'charters' | 'models'; rows: UsageRow[]; top: bigint }) {
  const { m } = useLocale();
  const words = m.usage;
  const { title, none } = words[group];
  return (
    <figure className="usage-rows">
      <figcaption>{title}</figcaption>
      <ul>
        {rows.map((row, at) => (
          <li key={at}>
            <span className="usage-bar" style={{ width: `${Math.min(1, Math.max(0, Number(row.figures[0]) / Number(top) || 0)) * 100}%` }} />
            {fill(words.row, { name: row.other ? words.other : (row.name ?? none), totals: said(row.figures, m) })}
          </li>
        ))}
      </ul>
      <p className="usage-scale" aria-hidden="true">
        <span>0</span>
        <span>{fill(words.scale, { amount: formatCompact(top, m.locale) })}</span>
      </p>
    </figure>
  );
}

/** "252 M credits, 42 requests, 8.4 M tokens in and 1.1 M out" */
const said = ([credits, requests, tokensIn, tokensOut]: bigint[], m: Messages) =>
  fill(m.usage.totals, {
    credits: formatCompact(credits!, m.locale),
    requests: plural(m.locale, m.usage.requests, requests!),
    tokensIn: formatCompact(tokensIn!, m.locale),
    tokensOut: formatCompact(tokensOut!, m.locale),
  });

type Props = { snapshot: PublishedStatus; history: GovernanceHistory | null };

export const UsagePanel = memo(function UsagePanel({ snapshot, history }: Props) {
  const { m } = useLocale();
  const words = m.usage;
  const [days, setDays] = useState<UsageWindow>(1);
  const { usage } = snapshot;
  if (usage && !usage.available) return <p data-testid="usage">{words.unavailable[usage.reason]}</p>;
  const view = describeUsage(snapshot, history, days);
  const totals = view && said(view.total, m);
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
        {view ? fill(days === 1 ? words.day : words.days, { days: view.days, from: view.from ?? '', to: view.to ?? '', totals: totals! }) + (view.known < view.days ? fill(words.partial, { known: view.known }) : '') : words.loading}
      </p>
      {view?.total.some((value) => value > 0n) && (
        <details className="usage-tables">
          <summary>{words.breakdown}</summary>
          <Rows group="charters" rows={view.charters} top={view.total[0]!} />
          <Rows group="models" rows={view.models} top={view.total[0]!} />
        </details>
      )}
    </>
  );
});
