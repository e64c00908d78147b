// Who acts from the command line, as version records show it (HTTP callers are their token's name).
import os from 'node:os';

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
