// Configuration from the environment, parsed once at start. Empty strings count as unset. A bad
// value is reported by variable name, never by value: DATABASE_URL and keys are secrets. (Only a
// SNAPSHOT_CRON that node-cron takes and cron-parser does not is quoted, in cron-parser's reason:
// cron tokens, nothing else gets that far.)
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import { z } from 'zod';
import cron from 'node-cron';
import type { KeyObject } from 'node:crypto';
import { cacheControlFor, maxFreshnessMs, snapshotSchedule } from '../shared/constants.ts';
import { holdsCredentials } from '../shared/url-credentials.ts';
import { cronParseProblem, firesEveryDay, pauseLongerThan, shortestIntervalMs } from '../shared/schedule.ts';
import { loadSigningKey } from './signing-key.ts';

export const defaults = {
  SNAPSHOT_CRON: '* * * * *',
  SYSTEM_PRINCIPAL_ID: '00000000-0000-4000-a000-000000000001',
  SYSTEM_BILLING_ACCOUNT_ID: '00000000-0000-4000-b000-000000000000',
  STATEMENT_TIMEOUT_MS: 5_000,
  SNAPSHOT_TIMEOUT_MS: 30_000,
  SHUTDOWN_TIMEOUT_MS: 10_000,
  HEALTH_PORT: 9464,
  LOCK_TIMEOUT_MS: 200,
  MISSED_RUN_GRACE_SECONDS: 600,
  STUCK_AFTER_SECONDS: 3_600,
  RECOVERING_SECONDS: 3_600,
  CLOCK_SKEW_LIMIT_SECONDS: 300,
  LEADER_LEASE_SECONDS: 60,
  INCIDENT_AFTER_RUNS: 2,
  INCIDENT_AFTER_SECONDS: 3_600,
} as const;

export type Destination =
  | { kind: 'file'; path: string; snapshotName: string }
  | { kind: 's3'; bucket: string; prefix: string; snapshotName: string };

/** file:///abs/path/name.json or s3://bucket/key/name.json */
export function parseDestination(value: string): Destination | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a file:///absolute/path/name.json or s3://bucket/path/name.json URL';
  }
  // A query or fragment would be dropped without a word, and a %-escape could hide a / or a NUL.
  if (url.search || url.hash) return 'must not have a query (?...) or a fragment (#...)';
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return 'has a malformed %-escape';
  }
  if (/[\u0000-\u001f\u007f]/.test(path) || /%2f|%5c/i.test(url.pathname)) return 'must not encode a slash, a backslash or a control character';
  const snapshotName = basename(path);
  if (!snapshotName || path.endsWith('/')) return 'must end with a file name, e.g. governance-status.json';
  if (url.protocol === 'file:') {
    // The URL parser reads `file:relative/x.json` as /relative/x.json and `file://localhost/x.json`
    // as /x.json: only the spelled-out absolute form says what the operator means.
    if (!/^file:\/\/\/[^/]/i.test(value)) return 'must be an absolute file URL with three slashes: file:///path/to/governance-status.json';
    return { kind: 'file', path: fileURLToPath(url), snapshotName };
  }
  if (url.protocol === 's3:') {
    if (!url.hostname) return 's3:// URL needs a bucket: s3://bucket/path/governance-status.json';
    const key = path.slice(1);
    return { kind: 's3', bucket: url.hostname, prefix: key.slice(0, key.length - snapshotName.length), snapshotName };
  }
  return `must start with file:// or s3:// (got ${url.protocol}//)`;
}

/** One message for every way a number can be wrong: it says which values are allowed. */
const intIn = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  // Digits only: Number() would also take 1e3, 0x10 or " 80 ".
  return z
    .string({ error })
    .trim()
    .regex(/^[0-9]{1,16}$/, error)
    .transform(Number)
    .pipe(z.number().min(min, error).max(max, error));
};
const intFrom = (min: number, max: number, fallback: number) => intIn(min, max).default(fallback);

const booleanText = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true' || value === '1');

function envSchema(mode: { stdout: boolean }) {
  return z.object({
    DATABASE_URL: postgresUrl(z.string({ error: 'is required (postgres://user:password@host:5432/database)' })),
    // The leader lock is a session lock: it needs a real session (a direct connection or a pooler in
    // session mode) even where the snapshot reads go through a transaction-pooling PgBouncer.
    LEADER_DATABASE_URL: postgresUrl(z.string()).optional(),
    // Behind a proxy the lock's replica refuses to lead unless the operator vouches for session mode.
    LEADER_POOLER: z.enum(['session'], { error: 'must be session (or unset, for a direct connection)' }).optional(),
    SNAPSHOT_DESTINATION: mode.stdout
      ? z.string().optional()
      : z.string({ error: 'is required (file:///abs/path/governance-status.json or s3://bucket/key.json)' }),
    SNAPSHOT_CRON: z
      .string()
      .default(defaults.SNAPSHOT_CRON)
      .superRefine((value, context) => {
        const problem = snapshotCronProblem(value);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }),
    SYSTEM_PRINCIPAL_ID: z.string().default(defaults.SYSTEM_PRINCIPAL_ID),
    SYSTEM_BILLING_ACCOUNT_ID: z.string().default(defaults.SYSTEM_BILLING_ACCOUNT_ID),
    STATEMENT_TIMEOUT_MS: intFrom(100, 600_000, defaults.STATEMENT_TIMEOUT_MS),
    SNAPSHOT_TIMEOUT_MS: intFrom(1_000, 3_600_000, defaults.SNAPSHOT_TIMEOUT_MS),
    SHUTDOWN_TIMEOUT_MS: intFrom(0, 600_000, defaults.SHUTDOWN_TIMEOUT_MS),
    // unset: derived from SNAPSHOT_CRON (shared/constants.ts cacheControlFor)
    SNAPSHOT_CACHE_CONTROL: z.string().optional(),
    S3_ENDPOINT: z.url({ error: 'must be a URL such as http://127.0.0.1:9000' }).optional(),
    S3_FORCE_PATH_STYLE: booleanText,
    HEALTH_PORT: intFrom(0, 65_535, defaults.HEALTH_PORT),
    // Well under PostgreSQL's deadlock_timeout (1 s): behind a migration's DDL lock the worker gives
    // up first, so the application's own statements never queue behind it.
    LOCK_TIMEOUT_MS: intFrom(1, 60_000, defaults.LOCK_TIMEOUT_MS),
    // A worker frozen inside its transaction (a paused container, a GC stall) loses the session, and
    // its locks on the application's tables, after this long. Default: twice the statement timeout.
    IDLE_IN_TRANSACTION_TIMEOUT_MS: intIn(100, 3_600_000).optional(),
    MISSED_RUN_GRACE_SECONDS: intFrom(0, 86_400, defaults.MISSED_RUN_GRACE_SECONDS),
    STUCK_AFTER_SECONDS: intFrom(60, 7 * 86_400, defaults.STUCK_AFTER_SECONDS),
    RECOVERING_SECONDS: intFrom(0, 86_400, defaults.RECOVERING_SECONDS),
    // Past this the worker's clock, which still decides when ticks fire and when /healthz calls a
    // snapshot stale, is broken: it publishes nothing and says why (shared/clock.ts).
    CLOCK_SKEW_LIMIT_SECONDS: intFrom(1, 3_600, defaults.CLOCK_SKEW_LIMIT_SECONDS),
    LEADER_LEASE_SECONDS: intFrom(10, 3_600, defaults.LEADER_LEASE_SECONDS),
    // A streak shorter than both is a blip (counted, never an incident): one failed run that the next
    // run repairs is not news; two in a row, or an hour without success (a daily charter's missed run), is.
    INCIDENT_AFTER_RUNS: intFrom(1, 1_000, defaults.INCIDENT_AFTER_RUNS),
    INCIDENT_AFTER_SECONDS: intFrom(0, 7 * 86_400, defaults.INCIDENT_AFTER_SECONDS),
    // the feeds' links are built from it and published: a user name or password in it would be too
    STATUS_PAGE_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL of the status page', abort: true })
      .refine((value) => !holdsCredentials(value), 'must not hold a user name or password: the feeds publish links built from it')
      .optional(),
    // A path, read once at start (worker/signing-key.ts): the key itself never enters the config's text.
    SIGNING_KEY_FILE: z.string().optional(),
  });
}

/** Every variable the worker reads, in its schema's order: both documents' tables are checked against it. */
export function configVariables(): string[] {
  return Object.keys(envSchema({ stdout: false }).shape);
}

/** A postgres:// URL whose password can neither reach a log nor be misread as the host or database. */
const postgresUrl = (text: z.ZodString) =>
  text.superRefine((value, context) => {
    const problem = postgresUrlProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/**
 * Why a database URL cannot be used, or null. A password with an unencoded / ? or # ends the URL's
 * host early: `postgres://reader:2024/Spring!@db/cogni` parses as host "reader", port 2024 and a
 * database named after the rest of the password, which the logs and the server's errors then quote.
 * So an @ in the database's name, or anywhere after the host of a URL with no credentials before
 * it, is refused; an @ in a query parameter after credentials (application_name=ops@prod) is not.
 */
function postgresUrlProblem(value: string): string | null {
  const { url } = readPostgresUrl(value) ?? {};
  if (url === undefined) return 'must be a postgres:// or postgresql:// URL';
  const afterScheme = value.slice(value.indexOf('//') + 2);
  const authority = afterScheme.split(/[/?#]/, 1)[0]!;
  const rest = afterScheme.slice(authority.length);
  const path = rest.split(/[?#]/, 1)[0]!;
  if (path.includes('@') || (!authority.includes('@') && rest.includes('@'))) {
    return 'has an @ after its host: percent-encode / ? # @ in the user name and password (%2F %3F %23 %40)';
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return 'has a malformed %-escape in its user name or password: write a % there as %25';
  }
  return null;
}

/**
 * Why SNAPSHOT_CRON cannot be used, or null: days it skips (a month, a day of the month or a day of
 * the week left out; both of the last two set, which node-cron, firing the ticks, takes as both:
 * shared/schedule.ts firesEveryDay), or, firing every day alike, a pause of over an hour in its day.
 */
function snapshotCronProblem(expression: string): string | null {
  if (!cron.validate(expression)) return 'is not a valid cron expression';
  // node-cron takes some that cron-parser, which the worker reads fires with, refuses: a repeated
  // value, a range that ends before it starts or wraps (MON-SUN), a day or month by its full name,
  // an @ name in capitals or with spaces around it
  const unread = cronParseProblem(expression);
  if (unread !== null) return `is not a cron expression the worker can read fires from (cron-parser: ${unread}): give each value once, ranges from low to high, names in three letters (MON, JAN), and an @ name (@hourly) in lower case alone`;
  if (!firesEveryDay(expression)) return `fires on some days only (it sets a day of the month, a month or a day of the week): ${freshnessBound}, so the page would say it is stale through every day it skips`;
  const pause = pauseLongerThan(expression, new Date(), snapshotSchedule.maxIntervalMs);
  if (pause !== null) return `fires less often than once an hour (it pauses after ${pause.toISOString()}): ${freshnessBound}, so the page would say it is stale through every such pause`;
  return null;
}

// a snapshot vouches for itself for 3 intervals and at most maxFreshnessMs (shared/constants.ts freshnessWindowMs)
const freshnessBound = `a snapshot reads as current for ${maxFreshnessMs / 3_600_000} hours at most`;

export type WorkerConfig = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<ReturnType<typeof envSchema>>, destination: Destination | undefined, signingKey: KeyObject | undefined) {
  return {
    databaseUrl: env.DATABASE_URL,
    leaderDatabaseUrl: env.LEADER_DATABASE_URL ?? env.DATABASE_URL,
    leaderSessionPooler: env.LEADER_POOLER === 'session',
    leaderLeaseMs: env.LEADER_LEASE_SECONDS * 1000,
    destination,
    snapshotCron: env.SNAPSHOT_CRON,
    principalId: env.SYSTEM_PRINCIPAL_ID,
    billingAccountId: env.SYSTEM_BILLING_ACCOUNT_ID,
    statementTimeoutMs: env.STATEMENT_TIMEOUT_MS,
    snapshotTimeoutMs: env.SNAPSHOT_TIMEOUT_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    cacheControl: env.SNAPSHOT_CACHE_CONTROL ?? cacheControlFor(shortestIntervalMs(env.SNAPSHOT_CRON)),
    s3Endpoint: env.S3_ENDPOINT,
    s3ForcePathStyle: env.S3_FORCE_PATH_STYLE,
    healthPort: env.HEALTH_PORT,
    lockTimeoutMs: env.LOCK_TIMEOUT_MS,
    idleInTransactionTimeoutMs: env.IDLE_IN_TRANSACTION_TIMEOUT_MS ?? 2 * env.STATEMENT_TIMEOUT_MS,
    rules: {
      graceMs: env.MISSED_RUN_GRACE_SECONDS * 1000,
      stuckAfterMs: env.STUCK_AFTER_SECONDS * 1000,
      recoveringMs: env.RECOVERING_SECONDS * 1000,
      incidentAfterRuns: env.INCIDENT_AFTER_RUNS,
      incidentAfterMs: env.INCIDENT_AFTER_SECONDS * 1000,
    },
    statusPageUrl: env.STATUS_PAGE_URL,
    clockSkewLimitMs: env.CLOCK_SKEW_LIMIT_SECONDS * 1000,
    /** the Ed25519 private key of SIGNING_KEY_FILE (a KeyObject: it prints as nothing); unset: unsigned */
    signingKey,
  };
}

export type ConfigProblem = { variable: string; problem: string };

export function parseConfig(
  environment: Record<string, string | undefined>,
  mode: { stdout: boolean } = { stdout: false },
): { ok: true; config: WorkerConfig } | { ok: false; problems: ConfigProblem[] } {
  const set = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema(mode).safeParse(set);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ variable: String(issue.path[0]), problem: issue.message }));

  let destination: Destination | undefined;
  if (set.SNAPSHOT_DESTINATION !== undefined) {
    const result = parseDestination(set.SNAPSHOT_DESTINATION);
    if (typeof result === 'string') problems.push({ variable: 'SNAPSHOT_DESTINATION', problem: result });
    else destination = result;
  }
  let signingKey: KeyObject | undefined;
  if (set.SIGNING_KEY_FILE !== undefined) {
    const loaded = loadSigningKey(set.SIGNING_KEY_FILE);
    if ('problem' in loaded) problems.push({ variable: 'SIGNING_KEY_FILE', problem: loaded.problem });
    else signingKey = loaded.key;
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, config: toConfig(parsed.data, destination, signingKey) };
}

/**
 * A postgres:// URL as pg reads it (pg-connection-string): one with credentials and no host before
 * its path (postgres://reader:pw@/cogni?host=/cloudsql/project:region:instance, a Unix socket's form
 * that Cloud SQL documents) has an empty host, which the WHATWG URL refuses; null when not one.
 */
function readPostgresUrl(value: string): { url: URL; host: string } | null {
  if (!/^postgres(ql)?:\/\//.test(value)) return null;
  const url = URL.parse(value);
  if (url) return { url, host: url.hostname };
  const socket = URL.parse(value.replace('@/', '@socket/'));
  return socket && { url: socket, host: '' };
}

/** host:port/database as user, for logs: never the password (a socket's host is its path, from the query). */
export function describeDatabaseUrl(databaseUrl: string): string {
  const { url, host } = readPostgresUrl(databaseUrl)!;
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  return `${user}${host || url.searchParams.get('host') || ''}${url.port ? `:${url.port}` : ''}${url.pathname}`;
}
