// THE single call site for audit rows of domestic and outbound admin actions (contract 12.3).
// A no-op until the audit log lands: at merge, connect this one function to it.
import type { Request } from 'express';

export type AdminAction = 'domestic.import' | 'outbound.run' | 'outbound.approve' | 'outbound.reject' | 'outbound.resend';

export interface AdminActionRecord {
  action: AdminAction;
  target: string;
  outcome: 'DONE' | 'REFUSED' | 'FAILED';
  before?: unknown;
  after?: unknown;
}

export function recordAdminAction(_req: Request, _record: AdminActionRecord): void {
  // intentionally empty: wired to the audit log at merge
}
