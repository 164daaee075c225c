import { describe, expect, it } from 'vitest';
import { defaults, describeDatabaseUrl, parseConfig, parseDestination } from '../../worker/config.ts';

const valid = { DATABASE_URL: 'postgres://reader:pw@db:5432/cogni', SNAPSHOT_DESTINATION: 'file:///srv/www/governance-status.json' };

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const result = parseConfig(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      snapshotCron: defaults.SNAPSHOT_CRON,
      principalId: '00000000-0000-4000-a000-000000000001',
      billingAccountId: '00000000-0000-4000-b000-000000000000',
      statementTimeoutMs: 5000,
      healthPort: 9464,
      s3ForcePathStyle: false,
      destination: { kind: 'file', path: '/srv/www/governance-status.json', snapshotName: 'governance-status.json' },
    });
  });

  it('treats empty strings as unset', () => {
    const result = parseConfig({ ...valid, SNAPSHOT_CRON: '', SYSTEM_PRINCIPAL_ID: '  ' });
    expect(result.ok && result.config.snapshotCron).toBe('* * * * *');
    expect(result.ok && result.config.principalId).toBe(defaults.SYSTEM_PRINCIPAL_ID);
  });

  it('names every bad variable once, and never echoes a value', () => {
    const result = parseConfig({
      DATABASE_URL: 'mysql://root:topsecret@db/x',
      SNAPSHOT_DESTINATION: 'ftp://host/file.json',
      SNAPSHOT_CRON: 'every minute',
      STATEMENT_TIMEOUT_MS: '12.5',
      S3_FORCE_PATH_STYLE: 'maybe',
      HEALTH_PORT: '70000',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.variable).sort()).toEqual(
      ['DATABASE_URL', 'HEALTH_PORT', 'S3_FORCE_PATH_STYLE', 'SNAPSHOT_CRON', 'SNAPSHOT_DESTINATION', 'STATEMENT_TIMEOUT_MS'].sort(),
    );
    expect(JSON.stringify(result.problems)).not.toContain('topsecret');
  });

  it('requires DATABASE_URL always and SNAPSHOT_DESTINATION unless printing to stdout', () => {
    const missing = parseConfig({});
    expect(!missing.ok && missing.problems.map((p) => p.variable)).toEqual(['DATABASE_URL', 'SNAPSHOT_DESTINATION']);
    const stdout = parseConfig({ DATABASE_URL: valid.DATABASE_URL }, { stdout: true });
    expect(stdout.ok).toBe(true);
  });

  it('accepts a six-field cron with seconds', () => {
    expect(parseConfig({ ...valid, SNAPSHOT_CRON: '*/5 * * * * *' }).ok).toBe(true);
  });
});

describe('parseDestination', () => {
  it('splits an s3 URL into bucket, key prefix and file name', () => {
    expect(parseDestination('s3://status-bucket/dao/governance-status.json')).toEqual({
      kind: 's3',
      bucket: 'status-bucket',
      prefix: 'dao/',
      snapshotName: 'governance-status.json',
    });
    expect(parseDestination('s3://b/governance-status.json')).toMatchObject({ prefix: '', snapshotName: 'governance-status.json' });
    expect(parseDestination('s3://b/my%20dao/status%20now.json')).toMatchObject({ prefix: 'my dao/', snapshotName: 'status now.json' });
  });
  it('rejects URLs without a file name, relative file URLs and other schemes', () => {
    expect(parseDestination('s3://bucket/')).toBeTypeOf('string');
    expect(parseDestination('file://relative/x.json')).toBeTypeOf('string');
    expect(parseDestination('/plain/path.json')).toBeTypeOf('string');
    expect(parseDestination('https://cdn/x.json')).toBeTypeOf('string');
  });
});

describe('describeDatabaseUrl', () => {
  it('keeps user, host, port and database, drops the password', () => {
    expect(describeDatabaseUrl('postgres://reader:s3cret@db.internal:5433/cogni?sslmode=require')).toBe('reader@db.internal:5433/cogni');
  });
});
