// The files a publishing worker announces at start (worker/side-files.ts publishPlan) are the files
// it writes: the plan is compared with sideFiles' own output, with and without STATUS_PAGE_URL.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GovernanceHistory, GovernanceStatus } from '../../shared/contract.ts';
import { generateKeyPairSync } from 'node:crypto';
import { publishPlan, sideFiles } from '../../worker/side-files.ts';
import { createSigner } from '../../worker/signing-key.ts';

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
const history = fixture('history/degraded.json') as GovernanceHistory;
const built = { snapshot: fixture('snapshots/degraded.json') as GovernanceStatus, history, historyBody: `${JSON.stringify(history)}\n` };
const feeds = {
  pageUrl: 'https://status.example.org/',
  atomUrl: 'https://status.example.org/governance-feed.xml',
  jsonUrl: 'https://status.example.org/governance-feed.json',
};

describe('publishPlan', () => {
  it('with STATUS_PAGE_URL and a key: the snapshot and every file beside it, nothing off', () => {
    const signer = createSigner(generateKeyPairSync('ed25519').privateKey);
    const plan = publishPlan('status.json', { feeds, signer });
    expect(plan.files).toHaveLength(13);
    expect(plan.files[0]).toBe('status.json');
    expect(plan.files.slice(1).sort()).toEqual(Object.keys(sideFiles(built, { feeds, signer })).sort());
    expect(plan.off).toEqual([]);
  });
  it('without it: no feeds, and the reason names the variable', () => {
    const plan = publishPlan('governance-status.json', { feeds: null });
    expect(plan.files.slice(1).sort()).toEqual(Object.keys(sideFiles(built, { feeds: null })).sort());
    expect(plan.off).toEqual([
      { files: ['governance-feed.xml', 'governance-feed.json', 'summary.json'], reason: expect.stringContaining('STATUS_PAGE_URL is not set') },
      { files: ['governance-signing-key.json'], reason: expect.stringContaining('SIGNING_KEY_FILE is not set') },
    ]);
  });
});
