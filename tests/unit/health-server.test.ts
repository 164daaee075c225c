import { connect } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthServer, listen } from '../../worker/health-server.ts';
import { createMetrics } from '../../worker/metrics.ts';
import { emptyRunnerStats } from '../../worker/snapshot-runner.ts';

/** The status line the server answers to one raw request. */
function ask(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    socket.on('end', () => resolve(answer.split('\r\n', 1)[0]!));
    socket.on('error', reject);
  });
}

describe('the health server, asked by anyone who reaches its port', () => {
  let server: Server;
  let port: number;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    const stats = emptyRunnerStats();
    server = createHealthServer({ stats, metrics: createMetrics({ stats, role: () => 'leader' }), role: () => 'leader', databaseReachable: () => true });
    port = await listen(server, 0);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await new Promise((done) => server.close(done));
  });

  it('answers a request target the URL parser refuses with 400, and goes on answering', async () => {
    expect(await ask(port, 'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await ask(port, 'GET /healthz?x=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 503 Service Unavailable');
    expect(uncaught).toEqual([]);
  });
  it('serves only its two paths, whatever the form of the target', async () => {
    expect(await ask(port, 'GET //healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 404 Not Found');
    expect(await ask(port, 'GET /metrics/../healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 503 Service Unavailable');
    expect(await ask(port, 'DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe('HTTP/1.1 405 Method Not Allowed');
  });
});
