// The API shapes the console reads (contract sections 3, 5, 12); only the fields it shows.

export interface PartnerRow {
  code: string;
  agreementId: string;
  enabled: boolean;
  health?: string;
  lastSuccessAt: string | null;
  lastSequence: number | null;
  operatorCount: number;
  stale: boolean;
  dataAsOf?: string | null;
  nextRunAt: string | null;
  lastOutcome: string | null;
}

export interface Signer {
  subject: string;
  sha256Fingerprint: string;
}

export interface Problem {
  record: number | null;
  path: string;
  message: string;
}

export interface Counts {
  received: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  invalid: number;
}

export interface Run {
  id: string;
  partner: string;
  direction: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: string | null;
  reason: string | null;
  reasonMessage: string | null;
  sequence: number | null;
  kind: string | null;
  payloadSha256: string | null;
  payloadBytes: number | null;
  generatedAt: string | null;
  appliedAt: string | null;
  signer: Signer | null;
  counts: Counts | null;
  problems: Problem[];
  review: { decision: string; at: string; by: string; note?: string | null } | null;
}

export interface Certificate {
  partner: string;
  role: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  daysLeft: number;
}
