// China's domestic enterprise register (contract 9.1): one record per enterprise, GACC Order 282 grades.
export const LEVELS = ['ADVANCED_CERTIFIED', 'CERTIFIED', 'REGULAR', 'DISHONEST', 'SERIOUSLY_DISHONEST'] as const;
export type Level = (typeof LEVELS)[number];

export const DOMESTIC_STATUSES = ['VALID', 'RECTIFICATION', 'SUSPENDED', 'REVOKED'] as const;
export type DomesticStatus = (typeof DOMESTIC_STATUSES)[number];

/** The register's fields, in the contract's (and the outbound message's) order. */
export const ENTERPRISE_FIELDS = [
  'customsCode',
  'uscc',
  'aeoCode',
  'nameZh',
  'nameEn',
  'addressZh',
  'addressEn',
  'level',
  'status',
  'statusSince',
  'levelSince',
  'rectificationUntil',
  'registeringCustoms',
] as const;
export type EnterpriseField = (typeof ENTERPRISE_FIELDS)[number];

export interface Enterprise {
  customsCode: string;
  uscc: string;
  /** Derived, never typed: `AEOCN` + customsCode. */
  aeoCode: string;
  nameZh: string;
  nameEn: string;
  addressZh: string;
  addressEn: string;
  level: Level;
  status: DomesticStatus;
  statusSince: string;
  levelSince: string;
  /** Only with RECTIFICATION. */
  rectificationUntil: string | null;
  registeringCustoms: string | null;
}

export type ImportKind = 'FULL' | 'DELTA';

export interface RecordProblem {
  record: number;
  path: string;
  message: string;
}

export const aeoCodeOf = (customsCode: string): string => `AEOCN${customsCode}`;
