// The run lists: failures and missed fires of the last 24 h with their totals, and the system's
// most recent threads. On a narrow screen each row stacks into labelled fields (global.css), so
// every field stays in view without scrolling sideways.
import type { ReactNode } from 'react';
import type { PublishedStatus } from '../../shared/contract.ts';
import { describeTotal } from '../lib/describe-runs.ts';
import { When } from './when.tsx';

type Column<T> = { name: string; cell: (row: T) => ReactNode };
type TableProps<T> = { rows: readonly T[]; columns: Column<T>[]; rowKey: (row: T) => string; label: string };

function RunTable<T>({ rows, columns, rowKey, label }: TableProps<T>) {
  const [head, ...rest] = columns;
  return (
    <table className="stack" aria-label={label}>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.name} scope="col">
              {column.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} data-run={rowKey(row)}>
            <th scope="row">{head!.cell(row)}</th>
            {rest.map((column) => (
              <td key={column.name} data-label={column.name}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const none = (text: string) => <span className="muted">{text}</span>;

/** A list of the last 24 hours with its total: "112 failed, showing the latest 10". */
function Totalled<T>({ total, verb, ...table }: TableProps<T> & { total: number | undefined; verb: string }) {
  if (table.rows.length === 0 && !total) return <p className="empty">No {verb} runs in the last 24 hours.</p>;
  return (
    <>
      <p className="total" data-testid={`${verb}-total`}>
        {describeTotal(table.rows.length, total, verb)}
      </p>
      {table.rows.length > 0 && <RunTable {...table} />}
    </>
  );
}

export function FailedRuns({ snapshot }: { snapshot: PublishedStatus }) {
  return (
    <Totalled
      verb="failed"
      total={snapshot.failedRunsTotal}
      label="Failed runs"
      rows={snapshot.failedRuns}
      rowKey={(run) => run.runId}
      columns={[
        { name: 'Charter', cell: (run) => run.charter },
        { name: 'Scheduled for', cell: (run) => <When iso={run.scheduledFor} /> },
        { name: 'Error code', cell: (run) => (run.errorCode ? <code>{run.errorCode}</code> : none('none')) },
        { name: 'Message', cell: (run) => run.errorMessage ?? none('no message') },
      ]}
    />
  );
}

export function MissedRuns({ snapshot }: { snapshot: PublishedStatus }) {
  if (!snapshot.missedRuns) return <p className="empty">Not reported by the worker that wrote this snapshot.</p>;
  return (
    <Totalled
      verb="missed"
      total={snapshot.missedRunsTotal}
      label="Missed runs"
      rows={snapshot.missedRuns}
      rowKey={(run) => `${run.charterId} ${run.expectedAt}`}
      columns={[
        { name: 'Charter', cell: (run) => run.charter },
        { name: 'Expected at', cell: (run) => <When iso={run.expectedAt} /> },
      ]}
    />
  );
}

export function RecentRuns({ runs }: { runs: PublishedStatus['recentRuns'] }) {
  if (runs.length === 0) return <p className="empty">No recent runs.</p>;
  return (
    <RunTable
      label="Recent runs"
      rows={runs}
      rowKey={(run) => run.id}
      columns={[
        { name: 'Title', cell: (run) => run.title ?? none('(untitled)') },
        { name: 'Started', cell: (run) => <When iso={run.startedAt} /> },
        { name: 'Last activity', cell: (run) => <When iso={run.lastActivity} /> },
      ]}
    />
  );
}
