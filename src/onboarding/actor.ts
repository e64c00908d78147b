// Who acts, as version records show it. Today: `<scope>#<first 8 hex of the token's SHA-256>`
// (contract section 2 for unnamed tokens); named tokens replace this one function.
import { createHash } from 'node:crypto';
import os from 'node:os';
import type { Request } from 'express';

export function actorOf(req: Request): string {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const prefix = createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8);
  return `${req.principal?.scope ?? 'unknown'}#${prefix}`;
}

/** The command line acts as the operating-system user who runs it. */
export function cliActor(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `cli@${user}`;
}
