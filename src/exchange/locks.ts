// Advisory-lock keys per partner (PostgreSQL, shared by every gateway process on the database).
// `sync`: one pull at a time (a scheduled run happens once). `run`: held while a message is being
// processed, so a starting process can tell a live run from one a dead process left behind.
// `catalog`: making or activating a version of the partner (version numbers, one activation at a time).
// `outbound-build` / `outbound-send`: one build, one delivery loop per partner across processes.
import { createHash } from 'node:crypto';

export function partnerLockKey(partner: string, purpose: 'sync' | 'run' | 'catalog' | 'outbound-build' | 'outbound-send'): number {
  return createHash('sha256').update(`aeo-${purpose}:${partner}`).digest().readInt32BE(0);
}
