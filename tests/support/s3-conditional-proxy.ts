// An HTTP proxy in front of the test's S3 server (s3rver, which ignores If-None-Match on PutObject, as
// do the other S3 servers on npm: @20minutes/s3rver, fauxqs). It records every request's method, key
// and conditional header, so a test sees what the worker sent. With `honour`, it applies S3's
// conditional write itself (one PUT per key at a time; 412 PreconditionFailed when the key exists),
// so the real SDK code path meets a store that behaves like S3. With `holdPuts`, it holds that many
// PUTs of matching keys and forwards them together, so a race between writers is one by construction.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedRequest = { method: string; key: string; ifNoneMatch: string | null; status: number };

export type ConditionalProxy = {
  endpoint: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
};

type Forwarded = { status: number; headers: IncomingHttpHeaders; body: Buffer };

export async function startConditionalProxy(options: {
  target: string;
  honour: boolean;
  holdPuts?: { count: number; match: (key: string) => boolean };
  /** what to do instead of forwarding a request: answer a status, or forward it late */
  fault?: (method: string, key: string) => { status?: number; delayMs?: number } | null;
}): Promise<ConditionalProxy> {
  const target = new URL(options.target);
  const requests: RecordedRequest[] = [];
  const locks = new Map<string, Promise<void>>();
  let held: Array<() => void> = [];

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<Forwarded>((resolve, reject) => {
      const upstream = request({ host: target.hostname, port: target.port, method, path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
      });
      upstream.on('error', reject);
      upstream.end(body);
    });

  const head = (path: string) => forward('HEAD', path.split('?')[0]!, { host: target.host }, Buffer.alloc(0));
  const exists = async (path: string) => (await head(path)).status === 200;
  const preconditionFailed = (condition: string): Forwarded => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>${condition}</Condition></Error>`;
    return { status: 412, headers: { 'content-type': 'application/xml' }, body: Buffer.from(xml) };
  };

  async function answer(incoming: IncomingMessage, body: Buffer): Promise<Forwarded> {
    const path = incoming.url ?? '/';
    const key = decodeURIComponent(path.split('?')[0]!);
    const ifNoneMatch = (incoming.headers['if-none-match'] as string | undefined) ?? null;
    const ifMatch = (incoming.headers['if-match'] as string | undefined) ?? null;
    const fault = options.fault?.(incoming.method!, key);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.status) return { status: fault.status, headers: { 'content-type': 'application/xml' }, body: Buffer.from('<Error><Code>ServiceUnavailable</Code></Error>') };
    if (incoming.method === 'PUT' && options.holdPuts?.match(key)) {
      await new Promise<void>((release) => {
        held.push(release);
        if (held.length === options.holdPuts!.count) held.splice(0).forEach((go) => go());
      });
    }
    if (!(options.honour && incoming.method === 'PUT' && (ifNoneMatch === '*' || ifMatch !== null))) return forward(incoming.method!, path, incoming.headers, body);
    // one conditional write per key at a time: check, then write, as S3 does atomically
    const before = locks.get(key) ?? Promise.resolve();
    let done!: () => void;
    locks.set(key, new Promise<void>((resolve) => (done = resolve)));
    await before;
    try {
      if (ifMatch !== null) {
        const current = await head(path);
        if (current.status !== 200 || current.headers.etag !== ifMatch) return preconditionFailed('If-Match');
      } else if (await exists(path)) return preconditionFailed('If-None-Match');
      return await forward('PUT', path, incoming.headers, body);
    } finally {
      done();
    }
  }

  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      answer(incoming, Buffer.concat(chunks)).then(
        (result) => {
          const key = decodeURIComponent((incoming.url ?? '/').split('?')[0]!);
          requests.push({ method: incoming.method!, key, ifNoneMatch: (incoming.headers['if-none-match'] as string | undefined) ?? null, status: result.status });
          const headers = { ...result.headers };
          delete headers['transfer-encoding'];
          if (incoming.method !== 'HEAD') headers['content-length'] = String(result.body.length);
          response.writeHead(result.status, headers);
          response.end(result.body);
        },
        () => response.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      held.splice(0).forEach((go) => go());
      held = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
