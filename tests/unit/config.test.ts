import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import cron from 'node-cron';
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
      rules: { graceMs: 600_000, stuckAfterMs: 3_600_000, recoveringMs: 3_600_000, incidentAfterRuns: 2, incidentAfterMs: 3_600_000 },
    });
  });

  // a reader served a cached copy must stay inside staleAfter (3 intervals), or the page says stale while the worker publishes on time
  it.each([
    ['* * * * *', 'public, max-age=15, stale-while-revalidate=45'],
    ['*/30 * * * * *', 'public, max-age=7, stale-while-revalidate=22'],
    ['*/5 * * * * *', 'public, max-age=1, stale-while-revalidate=3'],
    ['* * * * * *', 'public, max-age=0, stale-while-revalidate=0'],
    ['0,5 * * * *', 'public, max-age=15, stale-while-revalidate=45'], // its shortest interval is 5 minutes
    ['0,10 * * * * *', 'public, max-age=2, stale-while-revalidate=7'], // 10 s, then 50
    ['*/15 * * * *', 'public, max-age=15, stale-while-revalidate=45'],
  ])('caches the files of SNAPSHOT_CRON %s within its shortest interval unless SNAPSHOT_CACHE_CONTROL is set: %s', (cron, expected) => {
    const derived = parseConfig({ ...valid, SNAPSHOT_CRON: cron });
    expect(derived.ok && derived.config.cacheControl).toBe(expected);
    const set = parseConfig({ ...valid, SNAPSHOT_CRON: cron, SNAPSHOT_CACHE_CONTROL: 'no-cache' });
    expect(set.ok && set.config.cacheControl).toBe('no-cache');
  });

  // 108 fires an hour, 19 s apart but 3 s apart from :58:57 to :59:00: the next 100 fires after 10:00 do not reach it
  it.each(['2026-12-05T10:00:00Z', '2026-12-05T10:50:00Z'])('derives the same Cache-Control whenever the worker starts (%s): the shortest interval of a whole hour', (start) => {
    vi.useFakeTimers({ now: new Date(start) });
    try {
      const derived = parseConfig({ ...valid, SNAPSHOT_CRON: '0,19,38,57 0-48/2,58,59 * * * *' });
      expect(derived.ok && derived.config.cacheControl).toBe('public, max-age=0, stale-while-revalidate=2');
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes the incident threshold from INCIDENT_AFTER_RUNS and INCIDENT_AFTER_SECONDS', () => {
    const result = parseConfig({ ...valid, INCIDENT_AFTER_RUNS: '1', INCIDENT_AFTER_SECONDS: '0' });
    expect(result.ok && result.config.rules).toMatchObject({ incidentAfterRuns: 1, incidentAfterMs: 0 });
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

  it('defaults the leader lock to DATABASE_URL and the idle timeout to twice the statement timeout', () => {
    const result = parseConfig({ ...valid, STATEMENT_TIMEOUT_MS: '3000' });
    expect(result.ok && result.config).toMatchObject({ leaderDatabaseUrl: valid.DATABASE_URL, idleInTransactionTimeoutMs: 6000, lockTimeoutMs: 200 });
    const separate = parseConfig({ ...valid, LEADER_DATABASE_URL: 'postgresql://reader:pw@db-direct:5432/cogni', IDLE_IN_TRANSACTION_TIMEOUT_MS: '1500' });
    expect(separate.ok && separate.config).toMatchObject({ leaderDatabaseUrl: 'postgresql://reader:pw@db-direct:5432/cogni', idleInTransactionTimeoutMs: 1500 });
  });

  it('accepts a six-field cron with seconds', () => {
    expect(parseConfig({ ...valid, SNAPSHOT_CRON: '*/5 * * * * *' }).ok).toBe(true);
  });

  it('accepts a schedule up to once an hour (a snapshot then reads as current for 3 hours at most)', () => {
    expect(parseConfig({ ...valid, SNAPSHOT_CRON: '0 * * * *' }).ok).toBe(true);
    expect(parseConfig({ ...valid, SNAPSHOT_CRON: '*/15 * * * *' }).ok).toBe(true);
  });
});

describe('a SNAPSHOT_CRON that pauses for more than an hour, or skips days', () => {
  // Monday 2026-12-07 at noon
  beforeEach(() => void vi.useFakeTimers({ now: new Date('2026-12-07T12:00:00Z'), toFake: ['Date'] }));
  afterEach(() => void vi.useRealTimers());
  it.each([
    ['0 0 * * *', '2026-12-07T12:00:00.000Z'],
    ['0 */2 * * *', '2026-12-07T12:00:00.000Z'],
    // office hours only: measured between the next two fires at noon, every 5 minutes
    ['*/5 9-17 * * *', '2026-12-07T17:55:00.000Z'],
    // at noon within a pause with an hour to go (not counted), then a long one; a pause over midnight
    ['0 0-5,13,22 * * *', '2026-12-07T13:00:00.000Z'],
    ['0 1-22 * * *', '2026-12-07T22:00:00.000Z'],
    // at noon inside the pause from 11:59 to 13:59: from now on
    ['59 0-11,13-23 * * *', '2026-12-07T12:00:00.000Z'],
  ])('%s is refused, naming where it pauses', (value, pause) => {
    const result = parseConfig({ ...valid, SNAPSHOT_CRON: value });
    expect(!result.ok && result.problems).toEqual([
      { variable: 'SNAPSHOT_CRON', problem: `fires less often than once an hour (it pauses after ${pause}): a snapshot reads as current for 3 hours at most, so the page would say it is stale through every such pause` },
    ]);
  });
  it('is refused at a time inside its pause, naming that time, when more than an hour of it is left', () => {
    vi.setSystemTime(new Date('2026-12-07T03:00:00Z'));
    const result = parseConfig({ ...valid, SNAPSHOT_CRON: '*/5 9-17 * * *' });
    expect(!result.ok && result.problems[0]?.problem).toContain('(it pauses after 2026-12-07T03:00:00.000Z)');
    // with 30 minutes of the night's pause left, the next pause named is the evening's
    vi.setSystemTime(new Date('2026-12-07T08:30:00Z'));
    const later = parseConfig({ ...valid, SNAPSHOT_CRON: '*/5 9-17 * * *' });
    expect(!later.ok && later.problems[0]?.problem).toContain('(it pauses after 2026-12-07T17:55:00.000Z)');
  });
  it('takes one that never pauses longer than an hour', () => {
    for (const value of ['0 * * * *', '0,45 * * * *', '*/5 * * * * *', '* * * * * *', '59 0-11,12-23 * * *', '* * 1-31 * 0-6', '* * ? JAN-DEC SUN-SAT', '* * 1-30,L * *']) expect(parseConfig({ ...valid, SNAPSHOT_CRON: value }).ok, value).toBe(true);
  });
  // Each day field must take every value: a day of the month and a day of the week both set are either
  // to cron-parser (every day), both to node-cron, which fires the ticks (weekdays only); a month or a
  // day of the month left out comes only weeks later; weekdays only pause for a weekend.
  it.each(['* * * * 1-5', '* * 1-31 * 1-5', '* * */1 * MON-FRI', '* * * DEC *', '* * 1-28 * *', '0 0 * * 1', '* * 1-29,L * *', '* * L * *'])('%s, on some days only, is refused', (value) => {
    const result = parseConfig({ ...valid, SNAPSHOT_CRON: value });
    expect(!result.ok && result.problems).toEqual([
      { variable: 'SNAPSHOT_CRON', problem: 'fires on some days only (it sets a day of the month, a month or a day of the week): a snapshot reads as current for 3 hours at most, so the page would say it is stale through every day it skips' },
    ]);
  });
  it('is refused on some days only because node-cron, which fires the ticks, skips them', () => {
    const task = cron.createTask('* * 1-31 * 1-5', () => {}, { timezone: 'UTC' });
    expect([task.match(new Date('2026-12-11T12:00:00Z')), task.match(new Date('2026-12-12T12:00:00Z'))]).toEqual([true, false]); // Friday, Saturday
    void task.destroy();
  });
  it('takes the last day of the month (L) as every 31st, the way node-cron fires it (cron-parser: schedule-fires.test.ts)', () => {
    const task = cron.createTask('0 12 1-30,L * *', () => {}, { timezone: 'UTC' });
    const days = ['2026-01-30', '2026-01-31', '2026-02-28', '2026-04-30'].map((day) => new Date(`${day}T12:00:00Z`));
    expect(days.map((at) => task.match(at))).toEqual([true, true, true, true]);
    void task.destroy();
  });
});

// Each case: the variable, its bad value, and the exact message the operator reads.
const badValues: Array<[variable: string, value: string, problem: string]> = [
  ['HEALTH_PORT', '99999', 'must be a whole number from 0 to 65535'],
  ['HEALTH_PORT', '-1', 'must be a whole number from 0 to 65535'],
  ['HEALTH_PORT', '1e3', 'must be a whole number from 0 to 65535'],
  ['HEALTH_PORT', '0x10', 'must be a whole number from 0 to 65535'],
  ['STATEMENT_TIMEOUT_MS', '-1', 'must be a whole number from 100 to 600000'],
  ['STATEMENT_TIMEOUT_MS', '12.5', 'must be a whole number from 100 to 600000'],
  ['STATEMENT_TIMEOUT_MS', 'five seconds', 'must be a whole number from 100 to 600000'],
  ['SNAPSHOT_TIMEOUT_MS', '999', 'must be a whole number from 1000 to 3600000'],
  ['SHUTDOWN_TIMEOUT_MS', '600001', 'must be a whole number from 0 to 600000'],
  ['LOCK_TIMEOUT_MS', '0', 'must be a whole number from 1 to 60000'],
  ['LEADER_LEASE_SECONDS', '9', 'must be a whole number from 10 to 3600'],
  ['IDLE_IN_TRANSACTION_TIMEOUT_MS', '50', 'must be a whole number from 100 to 3600000'],
  ['MISSED_RUN_GRACE_SECONDS', '86401', 'must be a whole number from 0 to 86400'],
  ['STUCK_AFTER_SECONDS', '59', 'must be a whole number from 60 to 604800'],
  ['RECOVERING_SECONDS', 'Infinity', 'must be a whole number from 0 to 86400'],
  ['INCIDENT_AFTER_RUNS', '0', 'must be a whole number from 1 to 1000'],
  ['INCIDENT_AFTER_RUNS', 'two', 'must be a whole number from 1 to 1000'],
  ['INCIDENT_AFTER_SECONDS', '604801', 'must be a whole number from 0 to 604800'],
  ['INCIDENT_AFTER_SECONDS', '1h', 'must be a whole number from 0 to 604800'],
  ['S3_FORCE_PATH_STYLE', 'maybe', 'must be true or false'],
  ['DATABASE_URL', 'mysql://root:topsecret@db/x', 'must be a postgres:// or postgresql:// URL'],
  ['LEADER_DATABASE_URL', 'pgbouncer:6432', 'must be a postgres:// or postgresql:// URL'],
  // an unencoded / ? # in the password ends the host early: the rest of the password became the
  // database's name, which worker_started logged and the server's "does not exist" error quoted
  ['DATABASE_URL', 'postgres://reader:2024/Spring!@db:5432/cogni', 'has an @ after its host: percent-encode / ? # @ in the user name and password (%2F %3F %23 %40)'],
  ['DATABASE_URL', 'postgres://reader:1234?x@db/cogni', 'has an @ after its host: percent-encode / ? # @ in the user name and password (%2F %3F %23 %40)'],
  ['LEADER_DATABASE_URL', 'postgres://reader:1234#5678@db/cogni', 'has an @ after its host: percent-encode / ? # @ in the user name and password (%2F %3F %23 %40)'],
  ['DATABASE_URL', 'postgres://re%zzader:pw@db/cogni', 'has a malformed %-escape in its user name or password: write a % there as %25'],
  ['DATABASE_URL', 'postgres://reader:50%off@db/cogni', 'has a malformed %-escape in its user name or password: write a % there as %25'],
  // a user name with an unencoded @ (user@server) and a password with an unencoded /: the rest of the password would be the database's name
  ['DATABASE_URL', 'postgres://reader@server:2024/word@db/cogni', 'has an @ after its host: percent-encode / ? # @ in the user name and password (%2F %3F %23 %40)'],
  ['SNAPSHOT_CRON', 'every minute', 'is not a valid cron expression'],
  // node-cron takes these; cron-parser, which the worker reads fires with, does not: its reason is given
  ['SNAPSHOT_CRON', '0,0 * * * *', 'is not a cron expression the worker can read fires from (cron-parser: CronMinute Validation error, duplicate values found: 0): give each value once, ranges from low to high, names in three letters (MON, JAN), and an @ name (@hourly) in lower case alone'],
  ['SNAPSHOT_CRON', '* 1-0 * * *', 'is not a cron expression the worker can read fires from (cron-parser: Invalid range: 1-0, min(1) > max(0)): give each value once, ranges from low to high, names in three letters (MON, JAN), and an @ name (@hourly) in lower case alone'],
  ['SNAPSHOT_CRON', '@HOURLY', 'is not a cron expression the worker can read fires from (cron-parser: Validation error, cannot resolve alias "hou"): give each value once, ranges from low to high, names in three letters (MON, JAN), and an @ name (@hourly) in lower case alone'],
  ['SNAPSHOT_CRON', '* * * * MON-SUN', 'is not a cron expression the worker can read fires from (cron-parser: Invalid range: 1-0, min(1) > max(0)): give each value once, ranges from low to high, names in three letters (MON, JAN), and an @ name (@hourly) in lower case alone'],
  ['SNAPSHOT_CRON', '* * * * MONDAY', 'is not a cron expression the worker can read fires from (cron-parser: Validation error, cannot resolve alias "day"): give each value once, ranges from low to high, names in three letters (MON, JAN), and an @ name (@hourly) in lower case alone'],
  ['SNAPSHOT_DESTINATION', 'file:relative/governance-status.json', 'must be an absolute file URL with three slashes: file:///path/to/governance-status.json'],
  ['SNAPSHOT_DESTINATION', 'file://host/srv/governance-status.json', 'must be an absolute file URL with three slashes: file:///path/to/governance-status.json'],
  ['SNAPSHOT_DESTINATION', 'file://localhost/srv/governance-status.json', 'must be an absolute file URL with three slashes: file:///path/to/governance-status.json'],
  ['SNAPSHOT_DESTINATION', 'relative/governance-status.json', 'must be a file:///absolute/path/name.json or s3://bucket/path/name.json URL'],
  ['SNAPSHOT_DESTINATION', '/srv/www/governance-status.json', 'must be a file:///absolute/path/name.json or s3://bucket/path/name.json URL'],
  ['SNAPSHOT_DESTINATION', 'file:///srv/www/', 'must end with a file name, e.g. governance-status.json'],
  ['SNAPSHOT_DESTINATION', 'ftp://host/governance-status.json', 'must start with file:// or s3:// (got ftp://)'],
  ['SNAPSHOT_DESTINATION', 'file:///srv/a%2Fb.json', 'must not encode a slash, a backslash or a control character'],
  ['SNAPSHOT_DESTINATION', 'file:///srv/%00.json', 'must not encode a slash, a backslash or a control character'],
  ['SNAPSHOT_DESTINATION', 's3://bucket/%2F.json', 'must not encode a slash, a backslash or a control character'],
  ['SNAPSHOT_DESTINATION', 'file:///srv/a%ZZ.json', 'has a malformed %-escape'],
  ['SNAPSHOT_DESTINATION', 'file:///srv/governance-status.json?v=2', 'must not have a query (?...) or a fragment (#...)'],
  ['SNAPSHOT_DESTINATION', 's3://bucket/governance-status.json#x', 'must not have a query (?...) or a fragment (#...)'],
  ['STATUS_PAGE_URL', 'ftp://status.example.org/', 'must be an http:// or https:// URL of the status page'],
  // a staging page behind basic auth: the feeds' links, built from it, would publish the password
  ['STATUS_PAGE_URL', 'https://admin:SECRETPW@status.example.org/', 'must not hold a user name or password: the feeds publish links built from it'],
  ['STATUS_PAGE_URL', 'https://admin@status.example.org/', 'must not hold a user name or password: the feeds publish links built from it'],
  ['STATUS_PAGE_URL', 'https:\\\\admin:SECRETPW@status.example.org/', 'must be an http:// or https:// URL of the status page'],
];

describe('each bad value, with the message it must give', () => {
  it.each(badValues)('%s=%s: %s', (variable, value, problem) => {
    const result = parseConfig({ ...valid, [variable]: value });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([{ variable, problem }]);
  });
  it('accepts the bounds themselves and surrounding spaces', () => {
    const result = parseConfig({ ...valid, HEALTH_PORT: ' 65535 ', STATEMENT_TIMEOUT_MS: '100', SHUTDOWN_TIMEOUT_MS: '0' });
    expect(result.ok && result.config).toMatchObject({ healthPort: 65535, statementTimeoutMs: 100, shutdownTimeoutMs: 0 });
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
    expect(parseDestination('file:relative/x.json')).toBeTypeOf('string');
    expect(parseDestination('/plain/path.json')).toBeTypeOf('string');
    expect(parseDestination('https://cdn/x.json')).toBeTypeOf('string');
  });
});

describe('describeDatabaseUrl', () => {
  it('keeps user, host, port and database, drops the password', () => {
    expect(describeDatabaseUrl('postgres://reader:s3cret@db.internal:5433/cogni?sslmode=require')).toBe('reader@db.internal:5433/cogni');
  });
  it("accepts a Unix socket's URL with credentials and no host, as pg reads it (Cloud SQL's form), and names the socket", () => {
    const url = 'postgres://reader:s3cret@/cogni?host=/cloudsql/project:region:instance';
    expect(parseConfig({ ...valid, DATABASE_URL: url })).toMatchObject({ ok: true, config: { databaseUrl: url } });
    expect(describeDatabaseUrl(url)).toBe('reader@/cloudsql/project:region:instance/cogni');
    expect(parseConfig({ ...valid, DATABASE_URL: 'postgres://reader:s3cret@/cogni/x@y' })).toMatchObject({ ok: false });
  });
  it('accepts every password that is percent-encoded, and an unencoded @ in it (the last @ ends it)', () => {
    for (const url of ['postgres://reader:2024%2FSpring%3F%23%40@db:5432/cogni', 'postgres://reader:p@ss@db:5432/cogni']) {
      const result = parseConfig({ ...valid, DATABASE_URL: url });
      expect(result.ok, url).toBe(true);
      expect(describeDatabaseUrl(url)).toBe('reader@db:5432/cogni');
    }
  });
  it('accepts an @ in a query parameter after the credentials (an application name, a certificate path)', () => {
    for (const url of ['postgres://reader:pw@db:5432/cogni?application_name=governance@prod', 'postgres://reader:pw@db:5432/cogni?sslrootcert=/etc/certs/ops@example/ca.pem']) {
      const result = parseConfig({ ...valid, DATABASE_URL: url });
      expect(result.ok && result.config.databaseUrl, url).toBe(url);
    }
  });
});
