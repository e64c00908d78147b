// Who acts from the command line, as version records and the audit log show it (HTTP callers are
// their token's name).
import os from 'node:os';
import type { Actor } from '../audit/audit-log.js';

/**
 * The command line acts as the operating-system user who runs it (`cli@<user>`), with the store's
 * full rights (it opens the database itself, no token): scopes `admin`, no request id.
 */
export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { name: `cli@${user}`, scopes: ['admin'], requestId: null };
}
