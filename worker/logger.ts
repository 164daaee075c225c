// One JSON object per line on stdout: a time, a level, an event name, fields. Errors are reduced to
// their message and code, with secrets redacted, because a pg or SDK error can quote its input.
import { redactSecrets } from '../shared/redact.ts';
import type { Logger } from '../shared/ports.ts';

export function describeError(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const message = redactSecrets(`${error.message || error.name}${cause}`);
    return typeof code === 'string' ? { message, code } : { message };
  }
  return { message: redactSecrets(String(error)) };
}

export function createLogger(write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const log = (level: string) => (event: string, fields: Record<string, unknown> = {}) => {
    const entries = Object.entries(fields).map(([key, value]) => [key, value instanceof Error ? describeError(value) : value]);
    write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...Object.fromEntries(entries) })}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
