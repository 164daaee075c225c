// The test server itself: the e2e tests trust it to revalidate like a CDN and to stay inside its root.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.ts';

let parent: string;
let root: string;
let server: StaticServer;

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'static-server-'));
  root = join(parent, 'site');
  mkdirSync(root);
  // Beside the root, where a path traversal would find it.
  writeFileSync(join(parent, 'secret.txt'), 'secret');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(root, 'data.json'), '{"a":1}');
  server = await startStaticServer({ root, recordRequests: true });
});
afterAll(async () => {
  await server.close();
  await server.close();
  rmSync(parent, { recursive: true, force: true });
});

/** A raw request, so the path reaches the server exactly as written. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; etag?: string; body: string }> {
  return new Promise((done, fail) => {
    const req = request(`${server.url}${path}`, { headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, etag: response.headers.etag, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('startStaticServer', () => {
  it('listens on 127.0.0.1 on a free port and serves index.html for /', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const home = await fetch(`${server.url}/`);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toContain('<title>home</title>');
  });

  it('sends an ETag and answers a matching If-None-Match with an empty 304', async () => {
    const first = await get('/data.json');
    expect(first).toMatchObject({ status: 200, body: '{"a":1}' });
    expect(first.etag).toMatch(/^".+"$/);
    expect(await get('/data.json', { 'If-None-Match': first.etag! })).toMatchObject({ status: 304, body: '' });
    expect(await get('/data.json', { 'If-None-Match': '"other"' })).toMatchObject({ status: 200 });
  });

  it('lets a test swap a body or force a failure, and then restore the file', async () => {
    const before = await get('/data.json');
    server.setResponse('/data.json', { body: '{"a":2}' });
    const swapped = await get('/data.json', { 'If-None-Match': before.etag! });
    expect(swapped).toMatchObject({ status: 200, body: '{"a":2}' });
    expect(swapped.etag).not.toBe(before.etag);
    server.setResponse('/data.json', { status: 500, body: 'boom' });
    expect(await get('/data.json')).toMatchObject({ status: 500, body: 'boom', etag: undefined });
    server.clearResponse('/data.json');
    expect(await get('/data.json')).toMatchObject({ status: 200, body: '{"a":1}' });
  });

  it('never serves a file outside its root', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt']) {
      expect(await get(path)).toMatchObject({ status: 404, body: 'not found\n' });
    }
    expect((await get('/%E0%A4%A')).status).toBe(400);
  });

  it('records what it answered', () => {
    expect(server.requests.some((r) => r.path === '/data.json' && r.status === 304)).toBe(true);
  });
});
