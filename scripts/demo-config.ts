// What `npm start` can be told through the environment. Everything has a default: with nothing set
// it runs PostgreSQL, demo data, a simulator, the worker and the site on this machine. Empty
// strings count as unset, as in the worker's own configuration.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigProblem } from '../worker/config.ts';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export const demoDefaults = {
  DEMO_DATA_DIR: '.data',
  DEMO_PORT: 4321,
  DEMO_TICK_MS: 3_000,
  /** every five seconds, so the page visibly changes; the worker's own default is every minute */
  SNAPSHOT_CRON: '*/5 * * * * *',
} as const;

export type DemoConfig = {
  /** the embedded cluster (postgres/), its password, the demo's site (site/, notes/), and the served folder (public/) */
  dataDir: string;
  servedDir: string;
  /** the built site: site/ in the data folder unless DEMO_SITE_DIR says otherwise (not dist/: it carries the demo's note) */
  siteDir: string;
  /** the demo's operator notes (scripts/demo-note.ts), built into its site */
  notesDir: string;
  host: string;
  /** 0 lets the OS choose (tests) */
  port: number;
  tickMs: number;
  snapshotCron: string;
  /** set: the worker reads this database, and nothing embedded starts */
  databaseUrl: string | undefined;
  /** set: the worker publishes here instead of into the served folder */
  snapshotDestination: string | undefined;
};

export function readDemoConfig(
  environment: Record<string, string | undefined>,
): { ok: true; config: DemoConfig } | { ok: false; problems: ConfigProblem[] } {
  const env = (name: string) => (environment[name]?.trim() ? environment[name].trim() : undefined);
  const problems: ConfigProblem[] = [];
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const text = env(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push({ variable: name, problem: `must be a whole number from ${min} to ${max}` });
    return fallback;
  };

  // Relative folders are taken from where the command runs, as a reader of a shell command expects;
  // the defaults from the repository, which is where `npm start` runs.
  const dataDir = env('DEMO_DATA_DIR') ? resolve(env('DEMO_DATA_DIR')!) : resolve(repoRoot, demoDefaults.DEMO_DATA_DIR);
  const config: DemoConfig = {
    dataDir,
    servedDir: resolve(dataDir, 'public'),
    siteDir: env('DEMO_SITE_DIR') ? resolve(env('DEMO_SITE_DIR')!) : resolve(dataDir, 'site'),
    notesDir: resolve(dataDir, 'notes'),
    host: '127.0.0.1',
    port: integer('DEMO_PORT', demoDefaults.DEMO_PORT, 0, 65_535),
    tickMs: integer('DEMO_TICK_MS', demoDefaults.DEMO_TICK_MS, 100, 3_600_000),
    snapshotCron: env('SNAPSHOT_CRON') ?? demoDefaults.SNAPSHOT_CRON,
    databaseUrl: env('DATABASE_URL'),
    snapshotDestination: env('SNAPSHOT_DESTINATION'),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}
