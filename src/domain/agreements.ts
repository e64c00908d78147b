// Agreement status on a date (pure).

import type { Agreement, AgreementStatus, IsoDate } from './types.js';

/**
 * The agreement's status on `date`. The latest stage reached wins: terminated, then suspended, then
 * in force; otherwise (including no known implementation date) only signed. ISO dates compare as strings.
 */
export function agreementStatusOn(a: Agreement, date: IsoDate): AgreementStatus {
  if (a.terminatedOn !== null && a.terminatedOn <= date) return 'TERMINATED';
  if (a.suspendedOn !== null && a.suspendedOn <= date) return 'SUSPENDED';
  if (a.inForceOn !== null && a.inForceOn <= date) return 'IN_FORCE';
  return 'SIGNED';
}
