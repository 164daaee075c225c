// The history's JSON Schema, generated from the contract at build time (never written by hand).
import { governanceHistoryJsonSchema } from '../../shared/json-schema.ts';

export function GET(): Response {
  return new Response(`${JSON.stringify(governanceHistoryJsonSchema(), null, 2)}\n`, {
    headers: { 'Content-Type': 'application/schema+json' },
  });
}
