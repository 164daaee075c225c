// The readers that tests/attacks/record-verify.ts and record-honest.ts attack: the verify command's
// checks (shared/archive-verify.ts with the contract's Zod parsers) and the page's
// (site/lib/verify-record.ts over recent.json), each run on a record built with the real archivist
// (in memory); attack() prints one line per case and reader, LIE for a reader that got it wrong.

import { generateKeyPairSync } from 'node:crypto';
import { firstIssue, parseArchiveDay, parseArchiveIndex } from '../../shared/archive-contract.ts';
import { archiveDayFileName, archiveIndexFileName, archiveRecentFileName, signatureFileName, signingKeyFileName } from '../../shared/archive-files.ts';
import { verifyRecord } from '../../shared/archive-verify.ts';
import { base64urlEncode, utf8 } from '../../shared/jws.ts';
import { parseGovernanceStatus } from '../../shared/contract.ts';
import { checkRecord, loadBundle, snapshotFreshUntil, type RecordSource } from '../../site/lib/verify-record.ts';
import { archiveSideFiles } from '../../worker/archive-side-files.ts';
import { type Signer } from '../../worker/signing-key.ts';
import { createMemoryStore } from '../support/memory-store.ts';
import { buildRecord, snapshotAt } from '../support/archive-record.ts';

// not ./support.ts's: that one needs the attack cluster, and this needs no database
export const say = (what: string, value?: unknown) => console.log(`## ${what}${value === undefined ? '' : `: ${JSON.stringify(value)}`}`);

export type Files = Map<string, string>;
export type Record = Awaited<ReturnType<typeof buildRecord>>;
export type Case = { files: Files; now: number; pinned?: unknown };

const check = (parse: (value: unknown) => { success: boolean; error?: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } }) => (value: unknown) => {
  const result = parse(value);
  return result.success ? null : `does not match the contract: ${firstIssue(result.error!)}`;
};

async function cli({ files, now, pinned }: Case): Promise<string> {
  try {
    const result = await verifyRecord({
      read: async (name) => (files.has(name) ? utf8(files.get(name)!) : null),
      now,
      pinnedKey: pinned,
      checks: { day: check(parseArchiveDay), index: check(parseArchiveIndex), snapshot: check(parseGovernanceStatus) },
    });
    return result.ok ? `ok ${result.report.days} days${result.report.keyId ? '' : ' NOT SIGNED'}${result.report.snapshot.stale ? ' (snapshot STALE)' : ''}` : `refused: ${result.failure.message}`;
  } catch (error) {
    return `threw (exit 2): ${(error as Error).message}`;
  }
}

async function page({ files, now, pinned }: Case): Promise<string> {
  const source: RecordSource = {
    url: (name) => `http://record.test/${name}`,
    snapshotName: 'governance-status.json',
    fetch: (async (url: string) => {
      const name = url.slice('http://record.test/'.length);
      return files.has(name) ? new Response(files.get(name)) : new Response('', { status: 404 });
    }) as typeof fetch,
  };
  const state = await checkRecord(source, { bundle: await loadBundle(source), snapshotText: files.get('governance-status.json') ?? '', pinnedKey: pinned ?? null, now });
  const snapshot = JSON.parse(files.get('governance-status.json') ?? 'null');
  const stale = state.kind === 'verified' && now > Date.parse(snapshotFreshUntil(snapshot, state)) ? ' (snapshot STALE)' : '';
  if (state.kind === 'verified') return `ok ${state.days} days (${state.checkedDays} checked)${stale}`;
  if (state.kind === 'broken') return `refused: ${state.failure} ${state.day ?? state.file}`;
  return `${state.kind}${'reason' in state ? `: ${state.reason}` : ''}${'days' in state ? ` ${state.days} days` : ''}`;
}

let lies = 0;
/** Prints how many readers got a case wrong, and fails the process if any did. */
export function sayLies() {
  say('lies', lies);
  process.exitCode = lies === 0 ? 0 : 1;
}
/** refuse: a failure; accept: verified; unsigned: said to be not signed, never verified; stale: verified, the snapshot said stale */
export async function attack(name: string, expect: 'refuse' | 'accept' | 'unsigned' | 'stale', make: () => Promise<Case>) {
  const target = await make();
  for (const [reader, run] of [['cli ', cli], ['page', page]] as const) {
    const said = await run(target);
    const accepted = said.startsWith('ok');
    const right =
      expect === 'accept' ? accepted && !said.includes('STALE')
      : expect === 'stale' ? accepted && said.includes('STALE')
      : expect === 'unsigned' ? /NOT SIGNED|^unsigned/.test(said)
      : said.startsWith('refused');
    if (!right) lies += 1;
    console.log(`${right ? 'held' : 'LIE '} ${reader} [${expect}] ${name}: ${said}`);
  }
}

export const key = () => generateKeyPairSync('ed25519').privateKey;
export const day = (record: Record, n: number) => archiveDayFileName(record.days[n]!);
export const detached = (header: object, signature = new Uint8Array(64)) => `${base64urlEncode(utf8(JSON.stringify(header)))}..${base64urlEncode(signature)}\n`;
/** The bundle rebuilt from the files, as the worker would write it after a change. */
export async function rebundle(record: Record) {
  const { publishRecentBundle } = await import('../../worker/archive-recent.ts');
  const index = JSON.parse(record.files.get(archiveIndexFileName)!);
  await publishRecentBundle(record.store, {
    entries: index.days,
    index: record.files.get(archiveIndexFileName)!,
    indexSignature: record.files.get(signatureFileName(archiveIndexFileName)) ?? null,
    updatedAt: index.updatedAt,
    signingKey: record.files.get(signingKeyFileName) ?? null,
  });
}
export const editBundle = (files: Files, change: (bundle: { days: Array<{ day: string; bytes: string; signature: string | null }>; [k: string]: unknown }) => void) => {
  const bundle = JSON.parse(files.get(archiveRecentFileName)!);
  change(bundle);
  files.set(archiveRecentFileName, JSON.stringify(bundle));
};

/** A snapshot (signed when there is a key) and the archive's side files beside a record. */
export async function publishBeside(memory: ReturnType<typeof createMemoryStore>, signer: Signer | null, now: number): Promise<Case> {
  const snapshot = snapshotAt(now - 30_000);
  memory.files.set('governance-status.json', snapshot);
  if (signer) memory.files.set('governance-status.json.jws', signer.sign(snapshot));
  for (const [name, body] of Object.entries(archiveSideFiles(signer))) memory.files.set(name, body);
  return { files: memory.files, now };
}
