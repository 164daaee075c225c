// GET /healthz (JSON, 200 or 503) and GET /metrics (Prometheus text) for probes and scraping.
import type { Server } from 'node:http';
import { healthOf, type Role } from './health.ts';
import type { Metrics } from './metrics.ts';
import type { RunnerStats } from './snapshot-runner.ts';

export type HealthSource = {
  stats: RunnerStats;
  metrics: Metrics;
  role(): Role;
  databaseReachable(): boolean;
  leaderProblem?(): string | null;
  /** the worker's clock minus the database's, as last measured (ms) */
  skewMs?(): number | null;
  standbyGraceUntil?: Date;
};

// Not `import { createServer } from 'node:http'`: an ES import of node:http builds the module's whole
// namespace, whose lazy getters load Node's bundled undici (fetch, WebSocket), about 10 MB resident
// for as long as the worker runs, for nothing it uses (docs/measurements.md, "The worker's
// memory").
const { createServer } = process.getBuiltinModule('node:http');

export function createHealthServer(source: HealthSource): Server {
  return createServer((request, response) => {
    // A request line the URL parser refuses (`GET http://[ HTTP/1.1`) would throw out of this
    // listener and crash the worker: anyone who reaches the port could stop it with one line.
    const path = URL.parse(request.url ?? '/', 'http://localhost')?.pathname ?? null;
    if (path === null) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad request target\n');
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      const health = healthOf({
        role: source.role(),
        stats: source.stats,
        databaseReachable: source.databaseReachable(),
        leaderProblem: source.leaderProblem?.() ?? null,
        standbyGraceUntil: source.standbyGraceUntil,
        skewMs: source.skewMs?.() ?? null,
        now: new Date(),
      });
      response
        .writeHead(health.status === 'healthy' ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        .end(`${JSON.stringify(health)}\n`);
    } else if (path === '/metrics') {
      source.metrics.text().then(
        (text) => response.writeHead(200, { 'content-type': source.metrics.contentType, 'cache-control': 'no-store' }).end(text),
        () => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected\n'),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /healthz or /metrics\n');
    }
  });
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
