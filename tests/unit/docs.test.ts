// The documents cannot drift from the code: every variable of the worker's configuration schema
// has exactly one row in the README's table and in docs/deployment.md's, with the default the worker
// applies and, for a number, the range it accepts (read from its own refusal), no row names a variable
// the worker does not read, docs/deployment.md names every file the worker publishes and quotes the
// reader role's SQL exactly, and the README names every charter state and reason code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { charterStates, governanceStatusSchema, reasonCodes } from '../../shared/contract.ts';
import {
  atomFeedFileName,
  badgeFileName,
  badgeSvgFileName,
  historyFileName,
  historySchemaFileName,
  jsonFeedFileName,
  schemaFileName,
  snapshotFileName,
} from '../../shared/constants.ts';
import { archiveIndexFileName, archiveRecentFileName } from '../../shared/archive-files.ts';
import { configVariables, defaults, parseConfig } from '../../worker/config.ts';
import { publishPlan } from '../../worker/side-files.ts';
import type { Signer } from '../../worker/signing-key.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const documents = { 'README.md': read('README.md'), 'docs/deployment.md': read('docs/deployment.md') };
/** The AWS SDK's own variables, read by the SDK and not by the worker's schema. */
const sdkVariable = /^AWS_[A-Z_]+$/;

/** The rows of the table headed `| variable | default | meaning |`, each with the variables its first cell names. */
function configRows(markdown: string): { names: string[]; defaultCell: string; meaning: string }[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*variable\s*\|\s*default\s*\|\s*meaning\s*\|$/.test(line.trim()));
  if (header < 0) return [];
  const rows = [];
  for (let index = header + 2; index < lines.length && lines[index]!.trim().startsWith('|'); index++) rows.push(lines[index]!);
  return rows.map((row) => {
    const [, first = '', defaultCell = '', ...meaning] = row.split('|');
    return { names: [...first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!), defaultCell, meaning: meaning.join('|') };
  });
}

/** The variables named in the first cell of each row of the configuration table. */
const configTable = (markdown: string): string[] => configRows(markdown).flatMap((row) => row.names);

/** The range the worker accepts for a whole-number variable, read from its own refusal of a non-number; null for other variables. */
function acceptedRange(variable: string): string | null {
  const environment = { DATABASE_URL: 'postgres://reader@db/cogni', SNAPSHOT_DESTINATION: 'file:///srv/governance-status.json', [variable]: 'x' };
  const result = parseConfig(environment);
  const problem = result.ok ? undefined : result.problems.find((found) => found.variable === variable)?.problem;
  const range = problem?.match(/^must be a whole number from ([0-9]+) to ([0-9]+)$/);
  return range ? `${range[1]} to ${range[2]}` : null;
}

describe.each(Object.entries(documents))('%s', (_name, markdown) => {
  const table = configTable(markdown);
  it('has one configuration table', () => {
    expect(table.length).toBeGreaterThan(0);
  });
  it.each(configVariables())('has exactly one row for %s', (variable) => {
    expect(table.filter((name) => name === variable)).toHaveLength(1);
  });
  // an operator sets a value from the table: its default and its range must be the ones the worker applies
  it.each(Object.entries(defaults))('gives %s its default, %s', (variable, value) => {
    const row = configRows(markdown).find((found) => found.names.includes(variable));
    expect(row?.defaultCell).toContain(`\`${value}\``);
  });
  it.each(configVariables().filter((variable) => acceptedRange(variable) !== null))('gives the range of %s that the worker accepts', (variable) => {
    const row = configRows(markdown).find((found) => found.names.includes(variable));
    expect(row?.meaning).toMatch(new RegExp(`[(; ]${acceptedRange(variable)}[);]`));
  });
  it('names no variable the worker does not read, besides the AWS SDK\'s', () => {
    const known = new Set(configVariables());
    expect(table.filter((name) => !known.has(name) && !sdkVariable.test(name))).toEqual([]);
  });
});

describe('docs/deployment.md', () => {
  // a DBA who copies the SQL must get the tested files
  it.each(['sql/reader-role.sql', 'sql/reader-grants.sql'])('quotes %s exactly', (path) => {
    expect(documents['docs/deployment.md']).toContain(`\`\`\`sql\n${read(path)}\`\`\``);
  });
  /** every file the worker says it publishes with feeds and a key (its publish_plan), and the archive's */
  const everyPublishedFile = [
    ...publishPlan(snapshotFileName, { feeds: { pageUrl: 'https://status.example.org/', atomUrl: '', jsonUrl: '' }, signer: {} as Signer }).files,
    archiveIndexFileName,
    archiveRecentFileName,
  ];
  it('lists at least the files it always named', () => {
    expect(everyPublishedFile).toEqual(expect.arrayContaining([snapshotFileName, schemaFileName, historyFileName, historySchemaFileName, atomFeedFileName, jsonFeedFileName, badgeFileName, badgeSvgFileName]));
  });
  it('gives the worker an IAM policy that may write every file it publishes and tell a missing one from a forbidden one', () => {
    const block = documents['docs/deployment.md'].match(/```json\n(\{\n  "Version"[\s\S]*?)```/)?.[1];
    const statements = (JSON.parse(block ?? '{}') as { Statement?: { Action: string | string[]; Resource: string | string[] }[] }).Statement ?? [];
    const grants = (action: string) => statements.filter((statement) => [statement.Action].flat().includes(action)).flatMap((statement) => [statement.Resource].flat());
    const covers = (resources: string[], key: string) =>
      resources.some((resource) => new RegExp(`^${resource.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(`arn:aws:s3:::cogni-status/${key}`));
    const keys = [...everyPublishedFile, `${snapshotFileName}.jws`, `${archiveIndexFileName}.jws`, 'governance-archive/2026-11-03.json', 'governance-archive/2026-11-03.json.jws', 'governance-key-rotations.json'];
    for (const action of ['s3:PutObject', 's3:GetObject']) expect(keys.filter((key) => !covers(grants(action), key)), action).toEqual([]);
    // without s3:ListBucket, S3 answers a missing key with 403, which the worker does not take for "not there yet"
    expect(grants('s3:ListBucket')).toContain('arn:aws:s3:::cogni-status');
  });
  it.each(everyPublishedFile)(
    'names the published file %s in its table of files',
    (file) => {
      const rows = documents['docs/deployment.md'].split('\n').filter((line) => line.startsWith(`| \`${file}\``));
      expect(rows).toHaveLength(1);
    },
  );
  it('quotes the image\'s command as Dockerfile.worker gives it', () => {
    const command = read('Dockerfile.worker').match(/^CMD (\[.*\])$/m)?.[1];
    expect(command).toBeDefined();
    expect(documents['docs/deployment.md']).toContain(`\`CMD ${command}\``);
  });
  it('names the settings that tie the page, the data and the feeds together', () => {
    for (const setting of ['PUBLIC_SITE_URL', 'PUBLIC_STATUS_URL', 'SNAPSHOT_DESTINATION', 'STATUS_PAGE_URL']) {
      expect(documents['docs/deployment.md']).toMatch(new RegExp(`^\\| \`${setting}\``, 'm'));
    }
  });
});

describe('README.md', () => {
  it('documents every charter state and reason code', () => {
    const readme = documents['README.md'];
    expect(charterStates.filter((state) => !readme.includes(`| \`${state}\``))).toEqual([]);
    expect(reasonCodes.filter((code) => !readme.includes(`\`${code}\``))).toEqual([]);
  });
});

describe('README.md: the JSON', () => {
  it('has a row in its table of fields for every field of governance-status.json', () => {
    const lines = documents['README.md'].split('\n');
    const start = lines.findIndex((line) => line === '| field | meaning |');
    const rows: string[] = [];
    for (const line of lines.slice(start + 2)) {
      if (!line.startsWith('|')) break;
      rows.push(...[...(line.split('|')[1] ?? '').matchAll(/`([a-zA-Z]+)`/g)].map((match) => match[1]!));
    }
    // schemaVersion is stated above the table, with the rule for adding fields
    const fields = Object.keys(governanceStatusSchema.shape).filter((field) => field !== 'schemaVersion');
    expect(fields.filter((field) => !rows.includes(field))).toEqual([]);
    expect(rows.filter((field) => !fields.includes(field))).toEqual([]);
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
