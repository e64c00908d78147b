// answerJson must write exactly what JSON.stringify writes for every shape of answer.
import { describe, expect, it } from 'vitest';
import { answerJson } from './answer-json.js';
import type { Provenance } from './operator-index.js';
import type { RecognitionAnswer } from './service.js';

const provenance: Provenance = {
  exchangeId: '00000000-0000-4000-8000-000000000001', sequence: 42, receivedAt: '2026-11-30T02:00:00.000Z', payloadSha256: 'ab'.repeat(32),
  signer: { subject: 'CN=TAXUD "AEO", O=EU', issuer: 'CN=Root', serial: '0A', sha256: 'cd'.repeat(32) } as unknown as Provenance['signer'],
};

const recognised: RecognitionAnswer = {
  code: 'DE123456789012345', date: '2026-12-01', recognised: true, decision: 'RECOGNISED', partner: 'EU', economy: 'DE',
  agreement: { id: 'CN-EU', inForceOn: '2014-11-01' },
  operator: {
    partnerId: 'DE123456789012345', declaredCode: 'DE123456789012345', name: 'Łódź "Spedycja" \\ Sp. z o.o.\u2028 中文', tier: 'AEOF',
    status: 'VALID', partnerStatus: 'VALID', statusSince: '2019-03-01', validUntil: null,
  },
  provenance, dataAsOf: '2026-11-30T01:00:00.000Z', stale: false,
};

describe('answerJson', () => {
  it.each([
    ['a recognised operator (quotes, backslash, line separator, CJK in the name)', recognised],
    ['an operator with a validity end, stale', { ...recognised, recognised: false, decision: 'EXPIRED', operator: { ...recognised.operator!, validUntil: '2025-01-01' }, stale: true }],
    ['not listed', { ...recognised, recognised: false, decision: 'NOT_LISTED', operator: null, provenance: null }],
    ['no agreement', { ...recognised, recognised: false, decision: 'NO_AGREEMENT', partner: null, agreement: null, operator: null, provenance: null, dataAsOf: null }],
    ['an agreement not in force yet', { ...recognised, agreement: { id: 'CN-XK', inForceOn: null }, decision: 'AGREEMENT_NOT_IN_FORCE', economy: null }],
    ['a provenance without signer', { ...recognised, provenance: { ...provenance, signer: null } }],
  ] as [string, RecognitionAnswer][])('%s', (_name, answer) => {
    expect(answerJson(answer)).toBe(JSON.stringify(answer));
    expect(answerJson(answer)).toBe(JSON.stringify(answer)); // again: from the provenance cache
  });
});
