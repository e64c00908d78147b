// The pipeline stages of an inbound run (contract 6.4) and where a run stopped, from its reason.

export const STAGES = ['receive', 'store', 'verify', 'parse', 'validate', 'map', 'compare', 'guard', 'publish'] as const;
export type Stage = (typeof STAGES)[number];

const STOPPED_AT: Record<string, Stage> = {
  FETCH_FAILED: 'receive',
  TIMEOUT: 'receive',
  TOO_LARGE: 'receive',
  DATABASE_UNAVAILABLE: 'store',
  SIGNATURE_INVALID: 'verify',
  SIGNER_UNTRUSTED: 'verify',
  SIGNER_EXPIRED: 'verify',
  SIGNER_REVOKED: 'verify',
  SIGNER_REVOCATION_UNKNOWN: 'verify',
  PAYLOAD_MALFORMED: 'parse',
  SCHEMA_INVALID: 'validate',
  SENDER_MISMATCH: 'map',
  SEQUENCE_REPLAYED: 'compare',
  SEQUENCE_CONFLICT: 'compare',
  EMPTY_LIST: 'guard',
  MASS_REMOVAL: 'guard',
};

export type StageState = 'done' | 'stopped' | 'skipped';

/** Each stage's state for a finished run: done up to where it stopped, then skipped. */
export function stageStates(outcome: string | null, reason: string | null): { stage: Stage; state: StageState }[] {
  const stoppedAt: Stage | null = outcome === 'APPLIED' || outcome === 'NO_CHANGE' ? null : reason ? (STOPPED_AT[reason] ?? 'publish') : null;
  let stopped = false;
  return STAGES.map((stage) => {
    if (stopped) return { stage, state: 'skipped' as const };
    if (stage === stoppedAt) {
      stopped = true;
      return { stage, state: 'stopped' as const };
    }
    return { stage, state: outcome === null ? ('skipped' as const) : ('done' as const) };
  });
}
