// The serialised-answer cache: same answers as recognise(), emptied on every change, expiring when stale flips.
import { describe, expect, it } from 'vitest';
import type { PartnerDefinition } from '../catalog/types.js';
import { compileAgreements } from '../domain/codes.js';
import type { Agreement, OperatorEvent } from '../domain/types.js';
import { Partners } from '../exchange/partners.js';
import type { Registry, RegistrySnapshot } from '../registry/registry.js';
import type { OperatorIndex, PartnerData } from './operator-index.js';
import { LookupService } from './service.js';

const HOUR = 3_600_000;
const agreement: Agreement = {
  id: 'CN-MO', partner: 'MO', name: 'China–Macao', economies: ['MO'], counterpart: null, signedOn: '2023-02', inForceOn: '2023-06-01',
  suspendedOn: null, terminatedOn: null, partnerProgramme: null, recognisedTiers: ['A'], scope: 'import',
  declaredCode: { pattern: '^MO\\d{9}$', example: null, generic: false, aliasPatterns: [] }, economyAliases: {}, confidence: 'H', notes: null, sources: ['test'],
};
const event: OperatorEvent = {
  partner: 'MO', partnerId: '100000001', declaredCode: 'MO100000001', aliases: [], name: 'Exemplo', tier: 'A', status: 'VALID',
  partnerStatus: 'VALIDO', statusSince: '2023-06-01', validFrom: null, validUntil: null, exchangeId: 'e1', recordedAt: 1,
};

function setup() {
  let snapshot: RegistrySnapshot = { agreements: [agreement], ...compileAgreements([agreement]) };
  const registry = { snapshot: () => snapshot } as unknown as Registry;
  const def = { code: 'MO', manifest: { agreementId: 'CN-MO', freshnessHours: 72, onStale: 'fail-closed' } } as unknown as PartnerDefinition;
  // One list generated at epoch 0, applied at 1 ms; the partner confirmed it again (NO_CHANGE) much later.
  const lists = [{ appliedAt: 1, generatedAt: '1970-01-01T00:00:00.000Z' }];
  const data: PartnerData = { firstAppliedAt: 1, lastGeneratedAt: lists[0]!.generatedAt, lists, lastSuccessAt: 1000 * HOUR, lastSequence: 1, operatorCount: 1 };
  const state = { version: 1, events: [event] as OperatorEvent[], data };
  const index = {
    get version() {
      return state.version;
    },
    history: (code: string) => (code === 'MO100000001' ? state.events : undefined),
    partner: () => state.data,
    listAsKnownAt: (_code: string, at: number) => [...state.data.lists].reverse().find((l) => l.appliedAt <= at) ?? null,
    provenanceOf: () => undefined,
  } as unknown as OperatorIndex;
  const service = new LookupService({ registry, partners: new Partners([{ def, anchors: [], crls: [] }]), index, timeZone: 'Asia/Shanghai' });
  return { service, state, replaceRegistry: (a: Agreement) => (snapshot = { agreements: [a], ...compileAgreements([a]) }) };
}

describe('LookupService.recogniseJson', () => {
  it('answers exactly what recognise() answers, and again from the cache', () => {
    const { service } = setup();
    const now = 10 * HOUR;
    const first = service.recogniseJson('MO100000001', '2026-11-20', now);
    expect(JSON.parse(first.bytes.toString())).toEqual(service.recognise('MO100000001', '2026-11-20', now, now));
    expect(JSON.parse(first.bytes.toString()).decision).toBe('RECOGNISED');
    expect(service.recogniseJson('MO100000001', '2026-11-20', now)).toBe(first);
    expect(service.recogniseJson('MO1', '2026-11-20', now).invalid).toBe(true);
  });

  it('is emptied when the index changes', () => {
    const { service, state } = setup();
    const now = 10 * HOUR;
    expect(JSON.parse(service.recogniseJson('MO100000001', '2026-11-20', now).bytes.toString()).decision).toBe('RECOGNISED');
    state.events = [event, { ...event, status: 'SUSPENDED', statusSince: '2026-11-01', recordedAt: 2 }];
    expect(JSON.parse(service.recogniseJson('MO100000001', '2026-11-20', now).bytes.toString()).decision).toBe('RECOGNISED');
    state.version++;
    expect(JSON.parse(service.recogniseJson('MO100000001', '2026-11-20', now).bytes.toString()).decision).toBe('SUSPENDED');
  });

  it('is emptied when the registry changes', () => {
    const { service, replaceRegistry } = setup();
    const now = 10 * HOUR;
    expect(JSON.parse(service.recogniseJson('MO100000001', '2026-11-20', now).bytes.toString()).decision).toBe('RECOGNISED');
    replaceRegistry({ ...agreement, terminatedOn: '2026-01-01' });
    expect(JSON.parse(service.recogniseJson('MO100000001', '2026-11-20', now).bytes.toString()).decision).toBe('AGREEMENT_NOT_IN_FORCE');
  });

  it('ages the data from the list\'s generatedAt, not from the last confirmation', () => {
    const { service } = setup();
    // Confirmed (NO_CHANGE) at 1000 h, but generated at 0: stale after 72 h all the same.
    expect(service.recognise('MO100000001', '2026-11-20', 100 * HOUR, 100 * HOUR)).toMatchObject({ decision: 'STALE_DATA', stale: true });
  });

  it('cites the list it was computed from: dataAsOf and stale as known at asKnownAt', () => {
    const { service, state } = setup();
    state.data = { ...state.data, lists: [...state.data.lists, { appliedAt: 200 * HOUR, generatedAt: '1970-01-09T08:00:00.000Z' }], lastGeneratedAt: '1970-01-09T08:00:00.000Z' };
    const now = 201 * HOUR;
    expect(service.recognise('MO100000001', '2026-11-20', now, now)).toMatchObject({ dataAsOf: '1970-01-09T08:00:00.000Z', stale: false });
    // As known at 10 h: list 1, 10 h old then (not aged by the days since).
    expect(service.recognise('MO100000001', '2026-11-20', 10 * HOUR, now)).toMatchObject({ dataAsOf: '1970-01-01T00:00:00.000Z', stale: false, decision: 'RECOGNISED' });
    expect(service.recognise('MO100000001', '2026-11-20', 100 * HOUR, now)).toMatchObject({ dataAsOf: '1970-01-01T00:00:00.000Z', stale: true, decision: 'STALE_DATA' });
    expect(service.recognise('MO100000001', '2026-11-20', 0, now)).toMatchObject({ decision: 'NO_DATA', dataAsOf: null });
  });

  it('expires an answer when the data turns stale (fail-closed here)', () => {
    const { service } = setup();
    expect(JSON.parse(service.recogniseJson('MO100000001', '2026-11-20', 71 * HOUR).bytes.toString())).toMatchObject({ decision: 'RECOGNISED', stale: false });
    expect(JSON.parse(service.recogniseJson('MO100000001', '2026-11-20', 73 * HOUR).bytes.toString())).toMatchObject({ decision: 'STALE_DATA', stale: true });
  });
});
