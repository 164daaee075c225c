// The archive's files that change only with the code or the key: its two JSON Schemas and the public
// key. For the side files of each tick (worker/side-files.ts), written when missing or changed.
import { archiveDayJsonSchema, archiveIndexJsonSchema } from '../shared/archive-json-schema.ts';
import { archiveDaySchemaFileName, archiveIndexSchemaFileName, signingKeyFileName } from '../shared/archive-files.ts';
import { signingKeyFileBody, type Signer } from './signing-key.ts';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const daySchemaBody = json(archiveDayJsonSchema());
const indexSchemaBody = json(archiveIndexJsonSchema());

/** Without a key there is no governance-signing-key.json: a reader then says "not signed". */
export function archiveSideFiles(signer: Signer | null): Record<string, string> {
  return {
    [archiveDaySchemaFileName]: daySchemaBody,
    [archiveIndexSchemaFileName]: indexSchemaBody,
    ...(signer && { [signingKeyFileName]: signingKeyFileBody(signer) }),
  };
}
