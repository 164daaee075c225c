// The archive's files that change only with the code or the key: its JSON Schemas and the public
// key. For the side files of each tick (worker/side-files.ts), written when missing or changed.
import { archiveDayJsonSchema, archiveIndexJsonSchema, archiveRecentJsonSchema } from '../shared/archive-json-schema.ts';
import { archiveDaySchemaFileName, archiveIndexSchemaFileName, archiveRecentSchemaFileName, signingKeyFileName } from '../shared/archive-files.ts';
import { signingKeyFileBody, type Signer } from './signing-key.ts';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const daySchemaBody = json(archiveDayJsonSchema());
const indexSchemaBody = json(archiveIndexJsonSchema());
const recentSchemaBody = json(archiveRecentJsonSchema());

/** Without a key there is no governance-signing-key.json: a reader then says "not signed". */
export function archiveSideFiles(signer: Signer | null): Record<string, string> {
  return {
    [archiveDaySchemaFileName]: daySchemaBody,
    [archiveIndexSchemaFileName]: indexSchemaBody,
    [archiveRecentSchemaFileName]: recentSchemaBody,
    ...(signer && { [signingKeyFileName]: signingKeyFileBody(signer) }),
  };
}
