// The HTTP server around the express app: 64 KiB request headers (a signature header with a long
// certificate chain), a bound on the time to receive a request (a trickling body is cut off), and
// the contract's JSON error body for errors node's parser finds before express sees a request.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { errorBody, type ErrorCode } from '../errors.js';

/** Headers up to this size are accepted (contract 10); the request line comes on top. */
export const MAX_HEADER_BYTES = 64 * 1024;
const REQUEST_LINE_ALLOWANCE = 8 * 1024;

export interface ServerOptions {
  /** Longest time to receive one whole request, headers and body. */
  requestTimeoutMs: number;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Which error a parser or timeout failure answers with. */
export function clientErrorCode(code: string | undefined): ErrorCode {
  if (code === 'HPE_HEADER_OVERFLOW') return 'HEADERS_TOO_LARGE';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADERS_TIMEOUT') return 'REQUEST_TIMEOUT';
  return 'BAD_REQUEST';
}

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  HEADERS_TOO_LARGE: 'The request headers are larger than 64 KiB.',
  REQUEST_TIMEOUT: 'The request was not received in time.',
  BAD_REQUEST: 'The request is not valid HTTP/1.1.',
};

function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  // A response already under way, or a peer that is gone: nothing can be said any more.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const code = clientErrorCode(err.code);
  const status = code === 'HEADERS_TOO_LARGE' ? 431 : code === 'REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(errorBody(code, MESSAGES[code] ?? 'The request is not valid.'));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function createHttpServer(app: Express, opts: ServerOptions): Server {
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES + REQUEST_LINE_ALLOWANCE,
      requestTimeout: opts.requestTimeoutMs,
      headersTimeout: Math.min(60_000, opts.requestTimeoutMs),
      // How often node looks for requests over their time; its default (30 s) is coarser than the bound.
      connectionsCheckingInterval: Math.min(1_000, opts.requestTimeoutMs),
    },
    app,
  );
  server.on('clientError', onClientError);
  return server;
}
