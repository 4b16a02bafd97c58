import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 (port 0 = a free one) and resolves with the bound port; a bind error rejects. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Stops listening and ends every connection at once, kept-alive ones included. */
  close(): Promise<void>;
}

/** A sandbox's server on 127.0.0.1 (port 0 = a free one): its URL, port and a close that does not wait on clients. */
export async function serveOnLoopback(server: Server, port = 0): Promise<LoopbackServer> {
  const bound = await listenOnLoopback(server, port);
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
