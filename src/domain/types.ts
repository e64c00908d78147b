// Plain domain types shared by the registry, the exchange pipeline and the lookup.

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export type AgreementStatus = 'IN_FORCE' | 'SIGNED' | 'SUSPENDED' | 'TERMINATED';
export type Confidence = 'H' | 'M' | 'L';

/** One mutual recognition agreement, as kept in partners/agreements.json (facts only, no computed fields). */
export interface Agreement {
  id: string; // `CN-` + partner code
  partner: string; // ISO 3166-1 alpha-2, or `EU`
  name: string;
  economies: string[]; // ISO 3166-1 alpha-2 codes covered
  counterpart: string | null;
  /** ISO 8601, possibly reduced precision (`2012-06`, `2019`) where the day is not known; null when unknown. */
  signedOn: string | null;
  /** Full date GACC implemented it; null when unknown (then never in force). */
  inForceOn: IsoDate | null;
  suspendedOn: IsoDate | null;
  terminatedOn: IsoDate | null;
  partnerProgramme: string | null;
  /** Partner tier codes China recognises, as the exchange mapping writes them (e.g. `AEOS`, `AEOF`); [] when unknown. */
  recognisedTiers: string[];
  /** China's Order 282 grades the partner recognises (absent: ADVANCED_CERTIFIED only). */
  chinaLevels?: string[];
  scope: 'import' | 'import-export' | null;
  declaredCode: DeclaredCodeRule;
  /** Prefixes used in declared codes that stand for another economy code (EORI `EL` = ISO `GR`). */
  economyAliases: Record<string, string>;
  confidence: Confidence;
  notes: string | null;
  sources: string[];
}

export interface DeclaredCodeRule {
  /** Anchored regular expression over the normalised declared code. */
  pattern: string;
  example: string | null;
  /** True when the real format is unknown and the pattern is the generic `economy + 1–20 alphanumerics`. */
  generic: boolean;
  /** Other accepted identifiers that resolve to the same operator (EU AEO authorisation numbers); anchored regexes. */
  aliasPatterns: string[];
}

/** Our canonical status; partners' many words map onto these three. */
export type OperatorStatus = 'VALID' | 'SUSPENDED' | 'REVOKED';

/** One operator as a partner's list states it, after mapping (pure data, no history). */
export interface OperatorRecord {
  partnerId: string; // the partner's own identifier (EORI, HK AEO number, Macao AEO number)
  declaredCode: string; // normalised code as written in a Chinese declaration
  aliases: string[]; // other normalised codes resolving to this operator (EU authorisation number)
  name: string;
  tier: string;
  status: OperatorStatus;
  partnerStatus: string; // the partner's own status word
  statusSince: IsoDate; // valid-time start: the partner's status date, else the list's generatedAt date
  /** The certificate's validity period (first and last day), as the partner states it; null: not stated. */
  validFrom: IsoDate | null;
  validUntil: IsoDate | null;
}

/**
 * One stored statement "from `statusSince` on, the operator is as `record` says", recorded by an
 * exchange at `recordedAt` (transaction time). Never updated; newer statements override older ones.
 */
export interface OperatorEvent extends OperatorRecord {
  partner: string;
  exchangeId: string;
  recordedAt: number; // epoch milliseconds
}

/** The decision table of contract 4.1, in the order its rows are checked: the first that applies answers. */
export const DECISION_ORDER = [
  'INVALID_CODE',
  'NO_AGREEMENT',
  'AGREEMENT_NOT_IN_FORCE',
  'NO_DATA',
  'NOT_LISTED',
  'REVOKED',
  'SUSPENDED',
  'EXPIRED',
  'TIER_NOT_RECOGNISED',
  'STALE_DATA',
  'RECOGNISED',
] as const;

export type Decision = (typeof DECISION_ORDER)[number];

export type ListKind = 'FULL' | 'DELTA';

/** The header every list message carries, after mapping. */
export interface ListHeader {
  sender: string;
  receiver: string;
  sequence: number;
  kind: ListKind;
  generatedAt: string; // RFC 3339 as sent
  recordCount: number;
}
