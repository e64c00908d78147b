// A sandbox start does no work twice: a simulated partner's list is pulled at start only when the
// database has not applied its current sequence yet (a restart without `advance` finds it applied).
import { listPartnerStates } from '../store/exchanges-repo.js';
import type { Db } from '../store/db.js';
import { isSandboxPartner, type SandboxSimulator } from './simulator.js';

/** True when `partner` is simulated and its current list is the last one applied. */
export async function sandboxListApplied(db: Db, sandbox: SandboxSimulator, partner: string): Promise<boolean> {
  if (!isSandboxPartner(partner)) return false;
  const state = (await listPartnerStates(db)).find((s) => s.partner === partner);
  return state?.lastSequence === sandbox.currentSequence(partner);
}
