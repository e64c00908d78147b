// Raw TCP exchanges with the gateway, for what fetch cannot send: oversized or malformed requests,
// bodies that trickle. Collects everything the server writes until it closes the connection.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** The whole answer as text; '' when the server closed without a word. */
  text: string;
  status: number | null;
  body: unknown;
  /** Whether the server closed the connection (rather than our timeout). */
  closed: boolean;
  elapsedMs: number;
}

export function parseAnswer(text: string): { status: number | null; body: unknown } {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
  const split = text.indexOf('\r\n\r\n');
  let body: unknown = null;
  if (split >= 0) {
    try {
      body = JSON.parse(text.slice(split + 4));
    } catch {
      body = text.slice(split + 4);
    }
  }
  return { status: status ? Number(status[1]) : null, body };
}

/**
 * Opens a connection to `url`'s host and port, lets `write` send what it likes (it may keep writing
 * over time), and resolves when the server closes or after `timeoutMs`.
 */
export function rawExchange(url: string, write: (socket: Socket) => void, timeoutMs = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ text, ...parseAnswer(text), closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => write(socket));
  });
}
