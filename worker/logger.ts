// One JSON object per line on stdout: a time, a level, an event name, fields. Errors are reduced to
// their message and code, with secrets redacted, because a pg or SDK error can quote its input.
import { format } from 'node:util';
import { redactLogText, truncate } from '../shared/redact.ts';
import type { Logger } from '../shared/ports.ts';

export function describeError(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const message = redactLogText(`${error.message || error.name}${cause}`);
    return typeof code === 'string' ? { message, code } : { message };
  }
  return { message: redactLogText(String(error)) };
}

export function createLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const log = (level: string) => (event: string, fields: Record<string, unknown> = {}) => {
    const entries = Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? describeError(value) : value]);
    write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...Object.fromEntries(entries) })}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * Whatever libraries print goes through the logger too: node's process warnings (pg's multi-line
 * SSL-mode notice) and console.* calls would otherwise put plain text among the JSON lines, or into
 * the snapshot itself with --stdout. Redacted, because a library may quote its input.
 */
export function captureLibraryOutput(logger: Logger): void {
  const text = (value: string) => truncate(redactLogText(value), 4_000);
  // Node prints warnings from its own 'warning' listener; without it they only reach ours.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    const code = (warning as { code?: unknown }).code;
    logger.warn('node_warning', { name: warning.name, ...(typeof code === 'string' && { code }), message: text(warning.message) });
  });
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    console[method] = (...args: unknown[]) => logger.warn('library_output', { method, message: text(format(...args)) });
  }
}
