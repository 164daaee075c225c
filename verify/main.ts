#!/usr/bin/env node
// npx governance-status-verify <URL or folder> [--key <jwk file or URL>] [--seen <day>=<sha256> ...]
// Verifies the published governance record: every archived day's signature and prev link, the index
// and the snapshot, and that it still holds the days the reader saw before (--seen); then that the
// unsigned governance-history.json states the signed figures of the days it shares with it. Exit 0
// when it verifies (an unsigned record whose chain holds too: it says NOT SIGNED, never "Verified";
// --key makes a signature required), 1 at the first break (named) or a history that differs, 2 when
// it cannot read (the history too), 64 on a usage error. The checks themselves are shared/archive-verify.ts, the ones the page runs.
import { parseArgs } from 'node:util';
import { firstIssue, parseArchiveDay, parseArchiveIndex } from '../shared/archive-contract.ts';
import { archiveIndexFileName } from '../shared/archive-files.ts';
import { parseGovernanceStatus } from '../shared/contract.ts';
import { forgottenDay, parseSeenDay, verifyRecord, type FailureKind, type SeenDay, type VerifyReport } from '../shared/archive-verify.ts';
import { maxFreshnessMs } from '../shared/constants.ts';
import { staleAtOf } from '../shared/snapshot-trust.ts';
import { checkHistory, keepingDays, readHistoryFile } from './history.ts';
import { openSource, readKey, type Source } from './sources.ts';

const usage = 'usage: governance-status-verify <URL or folder of governance-status.json> [--key <JWK file or URL>] [--seen <YYYY-MM-DD>=<SHA-256> ...]';

const kindText: Record<FailureKind, string> = {
  missing: 'missing file',
  not_json: 'not JSON',
  invalid: 'not the contract',
  signature: 'signature',
  unknown_key: 'unknown key',
  chain: 'chain',
};

const check = (parse: (value: unknown) => { success: boolean; error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } }) => (value: unknown) => {
  const result = parse(value);
  return result.success ? null : `does not match the contract: ${firstIssue(result.error!)}`;
};

function describeAge(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (Math.abs(seconds) < 120) return `${seconds} s`;
  if (Math.abs(seconds) < 7200) return `${Math.round(seconds / 60)} min`;
  if (Math.abs(seconds) < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/**
 * How old the snapshot is, and until when it vouches for its data: by the page's rule
 * (shared/snapshot-trust.ts), a snapshot dated after this machine's now was made by now at the
 * latest, so it reads as current for its own window from now, not until a staleAfter however far
 * ahead; for no longer than maxFreshnessMs (an old worker's staleAfter a day or two on); and never
 * past the retirement of the key that signed it (freshUntil).
 */
function describeSnapshot(snapshot: VerifyReport['snapshot'], now: number): string {
  const { ageMs, staleAfter } = snapshot;
  const until = Math.min(snapshot.freshUntil, staleAtOf(snapshot, now));
  const age = ageMs >= 0 ? `${describeAge(ageMs)} ago` : `${describeAge(-ageMs)} after this machine's clock (made by now at the latest)`;
  const why =
    until === Date.parse(staleAfter) ? ''
    : until === snapshot.freshUntil ? `its key was retired at ${new Date(until).toISOString()} by a rotation statement`
    : ageMs < 0 ? `its window counts from this machine's now, as it is dated ahead of it`
    : `no snapshot vouches for itself longer than ${maxFreshnessMs / 3_600_000} hours`;
  const untilText = new Date(until).toISOString();
  if (now <= until) return `${age}, fresh until ${untilText}${why ? ` (its staleAfter is ${staleAfter}, but ${why})` : ''}`;
  return `${age}, ${why ? `STALE (its staleAfter is ${staleAfter}, but ${why})` : `STALE (past its staleAfter ${staleAfter})`}`;
}

/** The report's lines: "Verified" only for a signed record; an unsigned one says NOT SIGNED first, as every verifier does. */
function reportLines(source: Pick<Source, 'description' | 'snapshotName'>, report: VerifyReport, now: number): string[] {
  const signed = report.keyId !== null;
  const heading = signed
    ? [`Verified the governance record at ${source.description}`, `  signed by key ${report.keyId} (${report.anchor === 'pinned' ? 'the key given with --key' : 'as published in governance-signing-key.json; pin it with --key to rule out a swapped key'})`]
    : [`NOT SIGNED: the governance record at ${source.description} carries no signature, so nothing in it is verified`, '  no public key is published (governance-signing-key.json) or given with --key; only the hash chain was checked, which whoever writes the files can rebuild'];
  return [
    ...heading,
    `  ${report.days} archived days, ${report.first} to ${report.last}: every ${signed ? 'signature and ' : ''}prev link intact`,
    `  head (SHA-256 of ${report.last}): ${report.head}`,
    `  to check later that the record still holds it: --seen ${report.last}=${report.head}`,
    `  ${source.snapshotName}: generated ${report.snapshot.generatedAt}, ${describeSnapshot(report.snapshot, now)}`,
  ];
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { key: { type: 'string' }, seen: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 64;
  }
  const seen = (parsed.values.seen ?? []).map((text) => parseSeenDay(text) ?? text);
  const unreadable = seen.find((day): day is string => typeof day === 'string');
  if (unreadable !== undefined) return (process.stderr.write(`--seen ${unreadable} is not <YYYY-MM-DD>=<64 hex digits of SHA-256>\n${usage}\n`), 64);
  if (parsed.values.help) return (process.stdout.write(`${usage}\n`), 0);
  if (parsed.positionals.length !== 1) return (process.stderr.write(`${usage}\n`), 64);
  let source: Source;
  let pinnedKey: unknown;
  try {
    source = await openSource(parsed.positionals[0]!);
    pinnedKey = parsed.values.key === undefined ? undefined : await readKey(parsed.values.key);
    const now = Date.now();
    const historyFile = await readHistoryFile(source.read);
    const kept = keepingDays(source.read, historyFile);
    const result = await verifyRecord({
      read: kept.read,
      now,
      pinnedKey,
      snapshotName: source.snapshotName,
      checks: { day: check(parseArchiveDay), index: check(parseArchiveIndex), snapshot: check(parseGovernanceStatus) },
    });
    const forgotten = result.ok ? forgottenDay(result.report.entries, seen as SeenDay[]) : null;
    if (forgotten?.misread) return (process.stderr.write(`--seen ${forgotten.day}: ${forgotten.problem}\n`), 64);
    if (forgotten) {
      process.stdout.write(`NOT VERIFIED: the record breaks at ${forgotten.day} (${archiveIndexFileName})\n  why: chain: ${forgotten.problem}\n`);
      return 1;
    }
    if (result.ok) {
      process.stdout.write(`${reportLines(source, result.report, now).join('\n')}\n`);
      const history = checkHistory(historyFile, kept.archived(result.report.entries));
      process.stdout.write(`  ${history.line}\n`);
      return history.exit;
    }
    const { failure } = result;
    const where = failure.day ? `${failure.day} (${failure.file})` : failure.file;
    process.stdout.write(`NOT VERIFIED: the record breaks at ${where}\n  why: ${kindText[failure.kind]}: ${failure.message}\n`);
    return 1;
  } catch (error) {
    process.stderr.write(`could not read the record: ${(error as Error).message}\n`);
    return 2;
  }
}

process.exitCode = await main();
