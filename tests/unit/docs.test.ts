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

describe('README.md: summary.json', () => {
  /** The rows of the README's table whose header starts with `header`: cells without backticks. */
  const tableRows = (header: string) => {
    const lines = read('README.md').split('\n');
    const start = lines.findIndex((line) => line.startsWith(`| ${header}`));
    const rows: string[][] = [];
    for (const line of lines.slice(start + 2)) {
      if (!line.startsWith('|')) break;
      rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim().replaceAll('`', '')));
    }
    return rows;
  };

  it('maps every charter state as shared/statuspage.ts does', async () => {
    const { componentStatusOf } = await import('../../shared/statuspage.ts');
    const documented = tableRows('charter state').flatMap(([states, usual, systemDown]) =>
      states!.split(',').map((state) => [state.trim(), { usual, systemDown }] as const),
    );
    expect(Object.fromEntries(documented)).toEqual(componentStatusOf);
  });

  it('maps every overall status as shared/statuspage.ts does', async () => {
    const { indicatorOf } = await import('../../shared/statuspage.ts');
    const [healthy, degraded, failing, failingDown] = tableRows('overall').map(([, indicator, description]) => ({ indicator, description }));
    expect({ healthy, degraded, failing, failing_down: failingDown }).toEqual(indicatorOf);
  });
});
