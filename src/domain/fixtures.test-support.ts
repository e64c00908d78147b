// Test fixtures for the domain rules (not used by the gateway itself).
import type { Agreement } from './types.js';

/** An agreement with neutral defaults for every fact a test does not care about. */
export function agreement(over: Partial<Agreement> & Pick<Agreement, 'id' | 'partner' | 'economies' | 'declaredCode'>): Agreement {
  return {
    name: over.id,
    counterpart: null,
    signedOn: null,
    inForceOn: '2015-11-01',
    suspendedOn: null,
    terminatedOn: null,
    partnerProgramme: null,
    recognisedTiers: [],
    scope: null,
    economyAliases: {},
    confidence: 'H',
    notes: null,
    sources: [],
    ...over,
  };
}
