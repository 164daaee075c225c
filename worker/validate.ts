// Validate: nothing is written that breaks the contract (shared/contract.ts) or its size bound.
import * as z from 'zod/mini';
import { governanceHistorySchema, governanceStatusSchema, type GovernanceHistory, type GovernanceStatus } from '../shared/contract.ts';

/** The one error type of the worker: a message that says what went wrong, and its cause. */
export class SnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

function problemsOf(result: { error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } }): string {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Throws a SnapshotError naming every field that breaks the contract; returns the parsed snapshot. */
export function assertSnapshotIsValid(snapshot: unknown): GovernanceStatus {
  const result = z.safeParse(governanceStatusSchema, snapshot);
  if (result.success) return result.data;
  throw new SnapshotError(`snapshot breaks the contract: ${problemsOf(result)}`);
}

export function assertHistoryIsValid(history: unknown): GovernanceHistory {
  const result = z.safeParse(governanceHistorySchema, history);
  if (result.success) return result.data;
  throw new SnapshotError(`history breaks the contract: ${problemsOf(result)}`);
}

export function serializeSnapshot(snapshot: GovernanceStatus): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/** A public file over its bound is never written: the bound is part of the contract. */
export function assertWithinBound(name: string, body: string, maxBytes: number): number {
  const bytes = Buffer.byteLength(body);
  if (bytes > maxBytes) throw new SnapshotError(`${name} would be ${bytes} bytes, over its bound of ${maxBytes}: not written`);
  return bytes;
}
