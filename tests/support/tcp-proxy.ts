// A TCP proxy on 127.0.0.1 for failure tests: point a client at it, then setDown(true) to make the
// target (PostgreSQL, the S3 server) unreachable and setDown(false) to bring it back, with no restart.
import { connect, createServer, type Socket } from 'node:net';

export type TcpProxy = {
  host: string;
  port: number;
  /** true: reset every open connection and every new one at once; false: forward again */
  setDown(down: boolean): void;
  close(): Promise<void>;
};

export async function startTcpProxy({ targetHost, targetPort }: { targetHost: string; targetPort: number }): Promise<TcpProxy> {
  let down = false;
  const open = new Set<Socket>();
  // A reset (RST), not a graceful close: to the client it looks like a dead network or server.
  const cut = (socket: Socket) => {
    if (!socket.destroyed) socket.resetAndDestroy();
  };

  const server = createServer((client) => {
    if (down) return cut(client);
    const upstream = connect({ host: targetHost, port: targetPort });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // Either side failing ends both; the error itself is the client's to see, not ours to throw.
      socket.on('error', () => {
        cut(client);
        cut(upstream);
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('TCP proxy has no port');

  return {
    host: '127.0.0.1',
    port: address.port,
    setDown(value) {
      down = value;
      if (down) for (const socket of open) cut(socket);
    },
    async close() {
      for (const socket of open) cut(socket);
      if (!server.listening) return;
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
