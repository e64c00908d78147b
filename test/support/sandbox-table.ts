/** Contract section 7: the sandbox operators and the decision each must get today. */
export const SECTION_7: readonly (readonly [code: string, decision: string])[] = [
  ['DE123456789012345', 'RECOGNISED'],
  ['NL857117683', 'TIER_NOT_RECOGNISED'],
  ['IT01234567890', 'SUSPENDED'],
  ['HK100000000000001', 'RECOGNISED'],
  ['MO100000001', 'RECOGNISED'],
  ['MO100000002', 'TIER_NOT_RECOGNISED'],
  ['MO100000003', 'EXPIRED'],
  ['SG123456789012', 'NO_DATA'],
  ['US1234567', 'NO_AGREEMENT'],
];
