// What an exchange run is, as stored and as the API shows it (contract section 5).
import type { ListKind } from '../domain/types.js';
import type { ErrorCode } from '../errors.js';
import type { RevocationRecord } from './revocation.js';

export type Direction = 'inbound' | 'outbound';
export type Trigger = 'schedule' | 'manual' | 'push' | 'startup' | 'import' | 'activation';
export type Outcome = 'APPLIED' | 'NO_CHANGE' | 'QUARANTINED' | 'REJECTED' | 'FAILED';

export interface Signer {
  subject: string;
  sha256Fingerprint: string;
}

export interface Counts {
  received: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  invalid: number;
}

export interface RunProblem {
  record: number | null;
  path: string;
  message: string;
}

export interface ExchangeRun {
  id: string;
  partner: string;
  direction: Direction;
  trigger: Trigger;
  startedAt: string;
  finishedAt: string | null;
  outcome: Outcome | null; // null while running
  reason: ErrorCode | null;
  reasonMessage: string | null;
  sequence: number | null;
  kind: ListKind | null;
  generatedAt: string | null;
  payloadSha256: string | null;
  payloadBytes: number | null;
  signer: Signer | null;
  counts: Counts | null;
  problems: RunProblem[];
  appliedAt: string | null;
  review: { decision: 'approved' | 'rejected'; at: string; by: string } | null;
  /** The signer's revocation check: which CRL decided (issuer, thisUpdate, nextUpdate), or why none did. */
  revocation: RevocationRecord | null;
  /** What an operator should know about an applied run (a best-effort revocation check without a CRL). */
  warnings: string[];
  /** Who started the run, when a person did (an activation or rollback); null otherwise. */
  actor: string | null;
}

/** Reason codes that mean "we could not get or process it" (retry later) rather than "the list was bad". */
export const FAILURE_REASONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['FETCH_FAILED', 'TIMEOUT', 'INTERRUPTED', 'INTERNAL', 'DATABASE_UNAVAILABLE']);
export const QUARANTINE_REASONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['EMPTY_LIST', 'MASS_REMOVAL']);
