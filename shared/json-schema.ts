// The JSON Schema published next to the snapshot, generated from the Zod contract (never by hand).
import * as z from 'zod/mini';
import { governanceStatusSchema } from './contract.ts';

// 'input' describes what the contract accepts: like the Zod parser, it lets a field added later pass
// (no additionalProperties: false), so readers that validate keep working as schemaVersion 1 grows.
export function governanceStatusJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(governanceStatusSchema, { target: 'draft-2020-12', io: 'input' }),
    $id: 'governance-status.schema.json',
    title: 'governance-status.json, schemaVersion 1',
    description:
      "A DAO's AI-governance health: system credits, charter schedules and runs. Timestamps are ISO-8601 UTC with milliseconds; credit amounts are integer strings.",
  };
}
