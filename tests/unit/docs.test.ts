// The deployment guide quotes the reader role's SQL; a DBA who copies it must get the tested files.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('docs/deployment.md', () => {
  it.each(['sql/reader-role.sql', 'sql/reader-grants.sql'])('quotes %s exactly', (path) => {
    expect(read('docs/deployment.md')).toContain(`\`\`\`sql\n${read(path)}\`\`\``);
  });
});

describe('README.md', () => {
  it('documents every configuration variable, charter state and reason code', async () => {
    const readme = read('README.md');
    const { defaults } = await import('../../worker/config.ts');
    const { charterStates, reasonCodes } = await import('../../shared/contract.ts');
    const missing = [...Object.keys(defaults), 'DATABASE_URL', 'SNAPSHOT_DESTINATION', 'STATUS_PAGE_URL'].filter((name) => !readme.includes(`| \`${name}\``));
    expect(missing).toEqual([]);
    expect(charterStates.filter((state) => !readme.includes(`| \`${state}\``))).toEqual([]);
    expect(reasonCodes.filter((code) => !readme.includes(`\`${code}\``))).toEqual([]);
  });
});
