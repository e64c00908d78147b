// The HTTP port, opened before the database: /healthz and /readyz answer from the first moment, also
// while a start waits for an unreachable database. The full app is swapped in on the same server
// (same port, no moment without a listener) once the services are up, and swapped out again if
// that attempt fails.
import type { RequestListener, Server } from 'node:http';
import type { Express } from 'express';
import { createHttpServer, type ServerOptions } from './server.js';

export interface FrontDoor {
  readonly port: number;
  /** Hands every request from now on to `app`. */
  serve(app: RequestListener): void;
  /** Back to the app the door was opened with. */
  reset(): void;
  /** Stops taking connections; resolves once open requests are answered. */
  close(): Promise<void>;
}

export async function openFrontDoor(first: Express, opts: ServerOptions & { port: number; host: string }): Promise<FrontDoor> {
  const server: Server = createHttpServer(first, opts);
  let current: RequestListener = first;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(opts.port, opts.host);
  });
  const address = server.address();
  const swap = (app: RequestListener): void => {
    // One synchronous step: a request arriving meanwhile goes to one app or the other, never none.
    server.removeListener('request', current);
    server.on('request', app);
    current = app;
  };
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    serve: swap,
    reset: () => swap(first),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
