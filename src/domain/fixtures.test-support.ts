// Test fixtures for the domain rules (not used by the gateway itself).
import type { Agreement, OperatorEvent } from './types.js';

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

/** A statement about the sandbox's German AEOF operator; override what a test is about. */
export function operatorEvent(over: Partial<OperatorEvent> = {}): OperatorEvent {
  return {
    partnerId: 'DE123456789012345',
    declaredCode: 'DE123456789012345',
    aliases: [],
    name: 'Beispiel Logistik GmbH',
    tier: 'AEOF',
    status: 'VALID',
    partnerStatus: 'valid',
    statusSince: '2019-03-01',
    validFrom: null,
    validUntil: null,
    partner: 'EU',
    exchangeId: 'x1',
    recordedAt: 0,
    ...over,
  };
}
