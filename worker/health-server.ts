// GET /healthz (JSON, 200 or 503) and GET /metrics (Prometheus text) for probes and scraping.
import { createServer, type Server } from 'node:http';
import { healthOf, metricsText, type Role } from './health.ts';
import type { RunnerStats } from './snapshot-runner.ts';

export type HealthSource = {
  stats: RunnerStats;
  role(): Role;
  databaseReachable(): boolean;
  leaderProblem?(): string | null;
  standbyGraceUntil?: Date;
};

export function createHealthServer(source: HealthSource): Server {
  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz') {
      const health = healthOf({
        role: source.role(),
        stats: source.stats,
        databaseReachable: source.databaseReachable(),
        leaderProblem: source.leaderProblem?.() ?? null,
        standbyGraceUntil: source.standbyGraceUntil,
        now: new Date(),
      });
      response
        .writeHead(health.status === 'healthy' ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        .end(`${JSON.stringify(health)}\n`);
    } else if (path === '/metrics') {
      response
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' })
        .end(metricsText(source.stats, source.role()));
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
