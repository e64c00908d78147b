// X-Request-Id: the caller's id when it is sane, otherwise a new one; returned on every response and
// carried through the request's work (src/request-context.ts) into its log lines and audit rows.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runInRequest } from '../request-context.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const SANE = /^[A-Za-z0-9._-]{1,64}$/;

/** The request's id: the header's value when it is one sane id, else a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE.test(header) ? header : randomUUID();
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId?: string;
  }
}

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req.headers['x-request-id']);
    req.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    runInRequest(id, next);
  };
}
