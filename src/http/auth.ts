// Bearer-token authentication with scopes. Tokens are compared in constant time and never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKey, Scope } from '../config.js';
import { AppError } from '../errors.js';

interface KeyDigest {
  scope: Scope;
  digest: Buffer;
}

export interface Principal {
  scope: Scope;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export class Authenticator {
  private readonly keys: readonly KeyDigest[];

  constructor(keys: readonly ApiKey[]) {
    this.keys = keys.map((k) => ({ scope: k.scope, digest: digest(k.token) }));
  }

  /** The scope of a token, or null. Every key is compared (no early exit) on equal-length digests. */
  identify(token: string): Scope | null {
    const presented = digest(token);
    let found: Scope | null = null;
    for (const key of this.keys) {
      if (timingSafeEqual(presented, key.digest)) found = key.scope;
    }
    return found;
  }

  /** Middleware: 401 without a valid token, 403 when `allowed` refuses its scope. `admin` passes everywhere. */
  require(allowed: (scope: Scope, req: Request) => boolean): RequestHandler {
    return (req: Request, _res: Response, next: NextFunction) => {
      const header = req.headers.authorization;
      // The scheme is case-insensitive (RFC 7235 §2.1): `bearer` and `BEARER` are Bearer.
      const match = header === undefined ? null : /^Bearer ([\x21-\x7e]{1,1024})$/i.exec(header);
      const scope = match ? this.identify(match[1]!) : null;
      if (scope === null) return next(new AppError('UNAUTHENTICATED'));
      if (scope !== 'admin' && !allowed(scope, req)) return next(new AppError('FORBIDDEN'));
      req.principal = { scope };
      next();
    };
  }
}

export const lookupScope = (scope: Scope): boolean => scope === 'lookup';
export const adminOnly = (): boolean => false;
