// Reading path and query parameters as plain strings, whatever express's parser produced.
import type { Request } from 'express';

export function pathParam(req: Request, name: string): string {
  const value: unknown = (req.params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** A wildcard path parameter (`/*name`): its segments joined again by `/`. */
export function pathRest(req: Request, name: string): string {
  const value: unknown = (req.params as Record<string, unknown>)[name];
  return Array.isArray(value) ? value.join('/') : pathParam(req, name);
}

/** A single query parameter; repeated or nested forms count as absent-with-error (undefined vs null). */
export function queryParam(req: Request, name: string): string | undefined | null {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}
