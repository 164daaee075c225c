// The test server itself: the e2e tests trust it to revalidate like a CDN and to stay inside its root,
// and the demo to compress like one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.ts';

let parent: string;
let root: string;
let server: StaticServer;
const script = `export const rows = [${Array.from({ length: 200 }, (_, i) => `"row ${i}"`).join(', ')}];\n`;

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'static-server-'));
  root = join(parent, 'site');
  mkdirSync(root);
  // Beside the root, where a path traversal would find it.
  writeFileSync(join(parent, 'secret.txt'), 'secret');
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(root, 'data.json'), '{"a":1}');
  writeFileSync(join(root, 'app.js'), script);
  writeFileSync(join(root, 'icon.png'), Buffer.alloc(4_000, 7));
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

/** A raw request that keeps the body as sent (node's fetch would decode it) and every header. */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((done, fail) => {
    const req = request(`${server.url}${path}`, { headers, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('compression', () => {
  it('sends brotli to a browser, gzip to a client that takes only gzip, each with its own ETag and Vary', async () => {
    const plain = await raw('/app.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body.toString()).toBe(script);

    const br = await raw('/app.js', { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(br.body.length).toBeLessThan(script.length / 3);

    const gz = await raw('/app.js', { 'Accept-Encoding': 'br;q=0, gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);

    const etags = [plain, br, gz].map((response) => response.headers.etag);
    expect(new Set(etags).size).toBe(3);
    expect(br.headers.etag).toBe(String(plain.headers.etag).replace(/"$/, '-br"'));
  });

  it('revalidates each encoding against its own ETag', async () => {
    const br = await raw('/app.js', { 'Accept-Encoding': 'br' });
    const again = await raw('/app.js', { 'Accept-Encoding': 'br', 'If-None-Match': String(br.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.headers.vary).toBe('Accept-Encoding');
    // a cached plain copy is no match for a brotli answer
    const plain = await raw('/app.js');
    expect((await raw('/app.js', { 'Accept-Encoding': 'br', 'If-None-Match': String(plain.headers.etag) })).status).toBe(200);
  });

  it('answers HEAD with the headers of the encoded answer and no body', async () => {
    const head = await raw('/app.js', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.body.length).toBe(0);
  });

  it('leaves images and tiny files alone', async () => {
    const png = await raw('/icon.png', { 'Accept-Encoding': 'br, gzip' });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect(png.body.length).toBe(4_000);
    expect((await raw('/data.json', { 'Accept-Encoding': 'br, gzip' })).headers['content-encoding']).toBeUndefined();
  });
});

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
