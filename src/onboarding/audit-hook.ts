// AUDIT HOOK — the one place partner.* actions (contract 12.3) reach the audit log.
// Deliberately a no-op for now: the audit log is being built in parallel (ops-identity). The lead
// connects it here; every partner action already calls this exactly once, DONE or not.
export type PartnerAuditAction = 'partner.draft' | 'partner.dryRun' | 'partner.activate';

export interface PartnerAuditEntry {
  action: PartnerAuditAction;
  actor: string;
  /** `SG` for a draft, `SG/3` for a dry run or an activation of version 3. */
  target: string;
  outcome: 'DONE' | 'REFUSED' | 'FAILED';
  note: string | null;
  before: unknown;
  after: unknown;
}

export function recordPartnerAudit(entry: PartnerAuditEntry): void {
  void entry; // TODO(lead): append to the audit log once it exists (contract 12.3).
}
