// The deployment guide quotes the reader role's SQL; a DBA who copies it must get the tested files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/deployment.md', () => {
  it.each(['sql/reader-role.sql', 'sql/reader-grants.sql'])('quotes %s exactly', (path) => {
    expect(read('docs/deployment.md')).toContain(`\`\`\`sql\n${read(path)}\`\`\``);
  });
});
