// The JSON Schemas of the archive's files, generated from the Zod contract (never by hand), like
// shared/json-schema.ts does for the snapshot and the history.
import * as z from 'zod/mini';
import { archiveDaySchema, archiveIndexSchema, archiveLimits, archiveRecentSchema } from './archive-contract.ts';
import { archiveDaySchemaFileName, archiveIndexSchemaFileName, archiveRecentDays, archiveRecentSchemaFileName } from './archive-files.ts';

const generate = (schema: z.ZodMiniType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });

export function archiveDayJsonSchema(): Record<string, unknown> {
  return {
    ...generate(archiveDaySchema),
    $id: archiveDaySchemaFileName,
    title: 'governance-archive/YYYY-MM-DD.json, schemaVersion 1',
    description:
      'One closed UTC day of the governance record, written once and never rewritten: per charter the expected runs and what answered them, ' +
      "the incidents that touched the day, the system's spend, and prev, the SHA-256 (hex) of the previous archived day's exact bytes (null for the first). " +
      `At most ${archiveLimits.dayBytes.toLocaleString('en')} bytes. Its Ed25519 signature is the detached JWS beside it (<file>.jws).`,
  };
}

export function archiveIndexJsonSchema(): Record<string, unknown> {
  return {
    ...generate(archiveIndexSchema),
    $id: archiveIndexSchemaFileName,
    title: 'governance-archive.json, schemaVersion 1',
    description:
      "The index of the governance record: the first and last archived day, how many there are, the head (the last day's SHA-256) and every day's SHA-256, " +
      'so a reader can check the chain from the index alone and fetch only the days it shows. Signed like the days (governance-archive.json.jws).',
  };
}

export function archiveRecentJsonSchema(): Record<string, unknown> {
  return {
    ...generate(archiveRecentSchema),
    $id: archiveRecentSchemaFileName,
    title: 'governance-archive/recent.json, schemaVersion 1',
    description:
      `The newest archived days (at most ${archiveRecentDays}) in one file, so a reader verifies a year with one request: the index and each day as the exact text of its published file, ` +
      'each with its detached JWS (null when unsigned). It proves nothing by itself: each copy is checked against its signature and the index\'s hashes. Rewritten when a day is archived.',
  };
}
