// A small static file server on node:http for the built site: strong ETags from the body, 304 for a
// matching If-None-Match, brotli or gzip for text types when the client accepts it (as a CDN would
// send the page), and per-path overrides so a test can swap a file or force a failure.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chooseEncoding, createCompressionCache, isCompressible, minCompressBytes } from './compression.ts';

export interface StaticServerOptions {
  root: string;
  port?: number;
  host?: string;
  /** Keep a log of answered requests in `requests` (tests); off by default, so a long-running
   *  server does not grow without bound. */
  recordRequests?: boolean;
  /** brotli or gzip for text types the client accepts (default true) */
  compress?: boolean;
  /** The server's clock for the Date header (default: this machine's); null sends no Date (tests
   *  whose browser runs on a fake clock, which the page would otherwise correct to this one). */
  clock?: () => number | null;
}

/** What a path answers instead of the file on disk. */
export interface ResponseOverride {
  status?: number;
  body: string | Buffer;
  contentType?: string;
  /** more headers, e.g. the Age a cache would add */
  headers?: Record<string, string>;
}

export interface ServedRequest {
  method: string;
  path: string;
  status: number;
  ifNoneMatch: string | null;
  /** the Content-Encoding sent, null for none */
  encoding: string | null;
}

export interface StaticServer {
  url: string;
  /** Every request answered, oldest first, when recordRequests is on. */
  requests: ServedRequest[];
  setResponse(path: string, override: ResponseOverride): void;
  clearResponse(path: string): void;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
};

function computeEtag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

async function readStaticFile(root: string, path: string): Promise<Buffer | null> {
  let file = resolve(root, `.${normalize(path)}`);
  // normalize() above already drops "..", this is the belt to its braces.
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    return await readFile(file);
  } catch {
    return null;
  }
}

export async function startStaticServer({
  root,
  port = 0,
  host = '127.0.0.1',
  recordRequests = false,
  compress = true,
  clock = Date.now,
}: StaticServerOptions): Promise<StaticServer> {
  const rootDir = resolve(root);
  const encoded = createCompressionCache();
  const overrides = new Map<string, ResponseOverride>();
  const requests: ServedRequest[] = [];

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawPath = new URL(request.url ?? '/', 'http://localhost').pathname;
    let path = rawPath;
    const ifNoneMatch = request.headers['if-none-match'] ?? null;
    const send = (status: number, body: string | Buffer, headers: Record<string, string>) => {
      if (recordRequests) requests.push({ method: request.method ?? 'GET', path, status, ifNoneMatch, encoding: headers['Content-Encoding'] ?? null });
      const date = clock();
      response.sendDate = false;
      response.writeHead(status, date === null ? headers : { ...headers, Date: new Date(date).toUTCString() });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      send(400, 'bad request\n', { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(405, 'method not allowed\n', { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    const override = overrides.get(path);
    const body = override ? override.body : await readStaticFile(rootDir, path);
    if (body === null) {
      send(404, 'not found\n', { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    const status = override?.status ?? 200;
    const contentType = override?.contentType ?? contentTypes[extname(path) || '.html'] ?? 'application/octet-stream';
    // no-cache: caches may keep a copy but must revalidate it, which is what makes the 304s happen.
    const headers = { 'Content-Type': contentType, 'Cache-Control': 'no-cache', ...override?.headers };
    if (status !== 200) {
      send(status, body, headers);
      return;
    }
    const identityEtag = computeEtag(body);
    // Each encoding is a representation of its own: its own strong ETag, and Vary tells caches so.
    const compressible = compress && isCompressible(contentType);
    const encoding = compressible && Buffer.byteLength(body) >= minCompressBytes ? chooseEncoding(request.headers['accept-encoding']) : null;
    const etag = encoding ? identityEtag.replace(/"$/, `-${encoding}"`) : identityEtag;
    const varies: Record<string, string> = compressible ? { Vary: 'Accept-Encoding' } : {};
    if (ifNoneMatch !== null && ifNoneMatch.split(/\s*,\s*/).includes(etag)) {
      send(304, '', { ETag: etag, 'Cache-Control': 'no-cache', ...varies, ...override?.headers });
      return;
    }
    if (!encoding) {
      send(200, body, { ...headers, ...varies, ETag: etag });
      return;
    }
    const bytes = await encoded(identityEtag, encoding, Buffer.from(body));
    send(200, bytes, { ...headers, ...varies, 'Content-Encoding': encoding, ETag: etag });
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`${String(error)}\n`);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host}:${address.port}`,
    requests,
    setResponse: (path, override) => void overrides.set(path, override),
    clearResponse: (path) => void overrides.delete(path),
    // Idempotent; drops keep-alive connections so the test process can exit at once.
    close: () =>
      (closing ??= new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      })),
  };
}
