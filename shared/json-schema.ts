// The JSON Schemas published next to the files, generated from the Zod contract (never by hand).
import * as z from 'zod/mini';
import { governanceHistorySchema, governanceStatusReaderSchema, governanceStatusSchema, limits } from './contract.ts';

// 'input' describes what the contract accepts: like the Zod parser, it lets a field added later pass
// (no additionalProperties: false), so readers that validate keep working as schemaVersion 1 grows.
const generate = (schema: z.ZodMiniType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });

/**
 * What this worker publishes; with `reader`, what a reader of any schemaVersion 1 file accepts
 * (fields added after the first release optional): the page checks files against that one.
 */
export function governanceStatusJsonSchema({ reader = false } = {}): Record<string, unknown> {
  return {
    ...generate(reader ? governanceStatusReaderSchema : governanceStatusSchema),
    $id: 'governance-status.schema.json',
    title: 'governance-status.json, schemaVersion 1',
    description:
      "A DAO's AI-governance health: system credits, charter states and runs, the reasons for the status and a funding forecast. " +
      `Timestamps are ISO-8601 UTC with milliseconds; credit amounts are integer strings. The whole file is at most ${limits.snapshotBytes.toLocaleString('en')} bytes; ` +
      `charters lists at most ${limits.charters} (chartersTotal says how many exist), the most severe first.`,
  };
}

export function governanceHistoryJsonSchema(): Record<string, unknown> {
  return {
    ...generate(governanceHistorySchema),
    $id: 'governance-history.schema.json',
    title: 'governance-history.json, schemaVersion 1',
    description:
      `The last ${limits.historyDays} UTC days of each governance charter (expected fires and what answered them) and the incidents derived from the ledger. ` +
      `A charter absent from a day has no data that day. The whole file is at most ${limits.historyBytes.toLocaleString('en')} bytes and lists at most ${limits.historyCharters} charters, ` +
      'the most severe first; chartersTotal says how many exist when some had to be left out.',
  };
}
