// Bearer-token authentication with scopes (contract section 2). Tokens are compared in constant time
// and never logged. A token carries one or more scopes and a name: the actor of audit and review records.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApiKey, Scope } from '../config.js';
import { AppError } from '../errors.js';

/** Who calls: the token's name and the scopes configured for it (not the ones they imply). */
export interface Principal {
  name: string;
  scopes: readonly Scope[];
  /** The first configured scope; for log lines and callers that know one scope only. */
  scope: Scope;
}

interface Identity extends Principal {
  digest: Buffer;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** `<scope>#<first 8 hex digits of the token's SHA-256>` for a token without a name. */
export const unnamedActor = (scope: Scope, token: string): string => `${scope}#${digest(token).toString('hex').slice(0, 8)}`;

/** Groups `AEO_API_KEYS` entries by token: one identity per token, with all its scopes. */
function identities(keys: readonly ApiKey[]): Identity[] {
  const byToken = new Map<string, ApiKey[]>();
  for (const k of keys) byToken.set(k.token, [...(byToken.get(k.token) ?? []), k]);
  return [...byToken.entries()].map(([token, entries]) => {
    const scopes = entries.map((e) => e.scope);
    const name = entries.find((e) => e.name !== null)?.name ?? unnamedActor(scopes[0]!, token);
    return { name, scopes, scope: scopes[0]!, digest: digest(token) };
  });
}

/**
 * The permission table of contract section 2, as the scopes (besides `admin`, which passes
 * everywhere) each kind of route accepts. Use them with `auth.requireScopes(...ACCESS.read)`.
 */
export const ACCESS = {
  /** Registry and recognition reads (sections 3 and 4), the batch lookup included. */
  lookup: ['lookup', 'viewer', 'operator'],
  /** Every other GET of the API: partners, runs, audit log, certificates, revisions. */
  read: ['viewer', 'operator'],
  /** Sync now, approve/reject (inbound and outbound), resend, raw payload downloads. */
  operate: ['operator'],
  /** Everything else that changes state (registry edits, partner versions, outbound runs, imports). */
  admin: [],
  /** `GET /metrics`. */
  metrics: ['metrics'],
} as const satisfies Record<string, readonly Scope[]>;

export class Authenticator {
  private readonly identities: readonly Identity[];

  constructor(keys: readonly ApiKey[]) {
    this.identities = identities(keys);
  }

  /** The principal of a token, or null. Every key is compared (no early exit) on equal-length digests. */
  identify(token: string): Principal | null {
    const presented = digest(token);
    let found: Identity | null = null;
    for (const identity of this.identities) {
      if (timingSafeEqual(presented, identity.digest)) found = identity;
    }
    return found && { name: found.name, scopes: found.scopes, scope: found.scope };
  }

  /** The principal of a request's `Authorization: Bearer` header, or null. */
  principalOf(req: Request): Principal | null {
    const header = req.headers.authorization;
    // The scheme is case-insensitive (RFC 7235 §2.1): `bearer` and `BEARER` are Bearer.
    const match = header === undefined ? null : /^Bearer ([\x21-\x7e]{1,1024})$/i.exec(header);
    return match ? this.identify(match[1]!) : null;
  }

  /**
   * Middleware: 401 without a valid token, 403 unless one of the token's scopes satisfies `allowed`.
   * `admin` passes everywhere.
   */
  require(allowed: (scope: Scope, req: Request) => boolean): RequestHandler {
    return (req: Request, _res: Response, next: NextFunction) => {
      const principal = this.principalOf(req);
      if (principal === null) return next(new AppError('UNAUTHENTICATED'));
      req.principal = principal;
      if (!principal.scopes.some((s) => s === 'admin' || allowed(s, req))) return next(new AppError('FORBIDDEN'));
      next();
    };
  }

  /** Middleware: the token must hold one of these scopes (or `admin`), e.g. `requireScopes('metrics')`. */
  requireScopes(...scopes: readonly Scope[]): RequestHandler {
    const set = new Set<Scope>(scopes);
    return this.require((scope) => set.has(scope));
  }

  /** Middleware: any valid token, whatever its scope. */
  requireToken(): RequestHandler {
    return this.require(() => true);
  }
}

/** Kept for route modules written before ACCESS: the lookup kind of route. */
export const lookupScope = (scope: Scope): boolean => (ACCESS.lookup as readonly Scope[]).includes(scope);
export const adminOnly = (): boolean => false;
