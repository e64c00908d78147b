// The recognition decision table of contract 4.1, checked in the contract's order (pure).

import { agreementStatusOn } from './agreements.js';
import type { ParsedCode } from './codes.js';
import type { Decision, IsoDate, OperatorEvent } from './types.js';

export interface DecisionInput {
  parsed: ParsedCode;
  date: IsoDate;
  /** A list from this partner was applied, as known at asKnownAt. */
  hasData: boolean;
  /** The operator's event in effect on `date` (stateOn), or null when not listed. */
  state: OperatorEvent | null;
  /** `date` lies in one of the operator's known validity periods (withinValidity); only read for a VALID state. */
  withinValidity: boolean;
  stale: boolean;
  onStale: 'serve' | 'fail-closed';
}

export function decide(input: DecisionInput): Decision {
  const { parsed, date, state } = input;
  if (parsed.kind === 'invalid') return 'INVALID_CODE';
  if (parsed.kind === 'no-agreement') return 'NO_AGREEMENT';
  const agreement = parsed.agreement.agreement;
  if (agreementStatusOn(agreement, date) !== 'IN_FORCE') return 'AGREEMENT_NOT_IN_FORCE';
  if (!input.hasData) return 'NO_DATA';
  if (state === null) return 'NOT_LISTED';
  if (state.status === 'REVOKED') return 'REVOKED';
  if (state.status === 'SUSPENDED') return 'SUSPENDED';
  // Outside every known validity period: expired (or, before the first one, not yet certified).
  if (!input.withinValidity) return 'EXPIRED';
  // An agreement with unknown tiers ([]) recognises none: never recognise on a guess.
  if (!agreement.recognisedTiers.includes(state.tier)) return 'TIER_NOT_RECOGNISED';
  // Staleness only ever withholds a would-be RECOGNISED.
  if (input.stale && input.onStale === 'fail-closed') return 'STALE_DATA';
  return 'RECOGNISED';
}
