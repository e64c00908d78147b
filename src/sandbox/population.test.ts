import { describe, it, expect } from 'vitest';
import {
  SANDBOX_PARTNERS,
  sandboxFixedOperators,
  sandboxGenerationDate,
  sandboxOperatorId,
  sandboxPopulation,
  type EuOperator,
  type SandboxPartner,
} from './population.js';

const ids = (partner: SandboxPartner, generation: number): string[] =>
  sandboxPopulation(partner, generation).map((op) => sandboxOperatorId(partner, op));

const EU_MEMBER_PREFIXES = new Set(
  'AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);

describe('sandboxPopulation sizes and determinism', () => {
  it('has the default sizes in generation 0', () => {
    expect(sandboxPopulation('EU', 0)).toHaveLength(16_000);
    expect(sandboxPopulation('HK', 0)).toHaveLength(90);
    expect(sandboxPopulation('MO', 0)).toHaveLength(60);
    expect(sandboxPopulation('EU', 0, { size: 500 })).toHaveLength(500);
    expect(sandboxPopulation('MO', 0, { size: 3 })).toHaveLength(3); // the fixed ones only
  });

  it('returns the same data for the same arguments', () => {
    for (const partner of SANDBOX_PARTNERS) {
      expect(sandboxPopulation(partner, 3)).toEqual(sandboxPopulation(partner, 3));
    }
  });

  it('rejects impossible arguments', () => {
    expect(() => sandboxPopulation('EU', -1)).toThrow(RangeError);
    expect(() => sandboxPopulation('EU', 1.5)).toThrow(RangeError);
    expect(() => sandboxPopulation('EU', 0, { size: 2 })).toThrow(RangeError);
    expect(() => sandboxPopulation('HK', 1, { generationDate: () => '1 May' })).toThrow(RangeError);
  });

  it('computes generation 5 of the EU list quickly', () => {
    const started = performance.now();
    sandboxPopulation('EU', 5);
    const ms = performance.now() - started;
    console.log(`EU generation 5 (16 000 operators): ${ms.toFixed(0)} ms`);
  });
});

describe('fixed operators (contract section 7)', () => {
  it('are present, unchanged, in generations 0..5', () => {
    for (let generation = 0; generation <= 5; generation++) {
      const eu = sandboxPopulation('EU', generation);
      expect(eu).toContainEqual({
        EORI: 'DE123456789012345',
        AuthorisationNumber: 'DEAEOF00025/08',
        AuthorisationType: 'AEOF',
        Status: 'VALID',
        StatusDate: '2019-03-01',
        EffectiveDate: '2019-03-01',
        Name: 'Beispiel Logistik GmbH',
        Address: { Street: 'Hauptstr. 1', PostalCode: '10115', City: 'Berlin', Country: 'DE' },
      });
      expect(eu).toContainEqual(expect.objectContaining({ EORI: 'NL857117683', AuthorisationType: 'AEOC', Status: 'VALID' }));
      expect(eu).toContainEqual(
        expect.objectContaining({ EORI: 'IT01234567890', AuthorisationType: 'AEOS', Status: 'SUSPENDED', StatusDate: '2026-01-15' }),
      );
      expect(sandboxPopulation('HK', generation)).toContainEqual({
        aeoNumber: '100000000000001',
        tier: 2,
        status: 'ACTIVE',
        companyName: { en: 'Harbour Freight Ltd', zh: '海港貨運有限公司' },
        address: '1 Harbour Road, Wan Chai, Hong Kong',
        certifiedOn: '2016-04-01',
        statusChangedOn: '2016-04-01',
      });
      const mo = sandboxPopulation('MO', generation);
      expect(mo).toContainEqual(
        expect.objectContaining({ numeroAEO: '100000001', grau: 'A', estado: 'VALIDO', validoAte: '2099-12-31', denominacao: expect.objectContaining({ pt: 'Exemplo Comercial Lda' }) }),
      );
      expect(mo).toContainEqual(expect.objectContaining({ numeroAEO: '100000002', grau: 'B', estado: 'VALIDO', validoAte: '2099-12-31' }));
      expect(mo).toContainEqual(expect.objectContaining({ numeroAEO: '100000003', grau: 'A', estado: 'VALIDO', validoAte: '2024-05-31' }));
      for (const partner of SANDBOX_PARTNERS) {
        expect(sandboxPopulation(partner, generation).slice(0, sandboxFixedOperators(partner).length)).toEqual(
          sandboxFixedOperators(partner),
        );
      }
    }
  });

  it('are fresh objects, so a caller mutating them cannot change later lists', () => {
    const first = sandboxFixedOperators('EU')[0]!;
    first.Status = 'REVOKED';
    expect(sandboxPopulation('EU', 0, { size: 3 })[0]!.Status).toBe('VALID');
  });
});

describe('generations', () => {
  it.each(SANDBOX_PARTNERS)('%s generation 1 = generation 0 with additions, status changes and a few removals', (partner) => {
    const before = new Map(sandboxPopulation(partner, 0).map((op) => [sandboxOperatorId(partner, op), JSON.stringify(op)]));
    const after = new Map(sandboxPopulation(partner, 1).map((op) => [sandboxOperatorId(partner, op), JSON.stringify(op)]));
    const added = [...after.keys()].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !after.has(id));
    const changed = [...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id));
    console.log(`${partner} 0→1: +${added.length} ~${changed.length} -${removed.length} of ${before.size}`);
    expect(added.length).toBeGreaterThan(0);
    expect(changed.length).toBeGreaterThan(0);
    expect(removed.length).toBeGreaterThan(0);
    expect(removed.length / before.size).toBeLessThan(0.05);
  });

  it('dates changes and additions with the generation date', () => {
    const g0 = new Map(sandboxPopulation('EU', 0).map((op) => [op.EORI, op]));
    const g2 = sandboxPopulation('EU', 2, { generationDate: (g) => `2030-01-0${g}` });
    const touched = g2.filter((op) => JSON.stringify(op) !== JSON.stringify(g0.get(op.EORI)));
    expect(touched.length).toBeGreaterThan(0);
    for (const op of touched) expect(['2030-01-01', '2030-01-02']).toContain(op.StatusDate);
    expect(sandboxGenerationDate(0)).toBe('2026-02-01');
    expect(sandboxGenerationDate(3)).toBe('2026-02-04');
  });

  it('never reuses an identifier, even one removed earlier', () => {
    const everSeen = new Map<string, string>();
    for (let generation = 0; generation <= 5; generation++) {
      for (const op of sandboxPopulation('EU', generation)) {
        const seenAs = everSeen.get(op.EORI);
        if (seenAs !== undefined) expect(seenAs).toBe(op.AuthorisationNumber);
        everSeen.set(op.EORI, op.AuthorisationNumber);
      }
    }
  });
});

describe('generated operators', () => {
  it('EU: valid unique EORIs, matching countries and authorisation numbers, mostly VALID', () => {
    const eu = sandboxPopulation('EU', 3);
    expect(new Set(eu.map((op) => op.EORI)).size).toBe(eu.length);
    expect(new Set(eu.map((op) => op.AuthorisationNumber)).size).toBe(eu.length);
    for (const op of eu) {
      expect(op.EORI).toMatch(/^[A-Z]{2}[A-Z0-9]{1,15}$/);
      const prefix = op.EORI.slice(0, 2);
      expect(EU_MEMBER_PREFIXES.has(prefix)).toBe(true);
      expect(op.Address.Country).toBe(prefix === 'EL' ? 'GR' : prefix);
      expect(op.AuthorisationNumber.startsWith(`${prefix}${op.AuthorisationType}`)).toBe(true);
      expect(op.AuthorisationNumber).toMatch(/^[A-Z]{2}AEO[CSF]\d{5}\/\d{2}$/);
      expect(op.StatusDate >= op.EffectiveDate).toBe(true);
    }
    const share = (pick: (op: EuOperator) => boolean): number => eu.filter(pick).length / eu.length;
    expect(share((op) => op.Status === 'VALID')).toBeGreaterThan(0.85);
    for (const type of ['AEOC', 'AEOS', 'AEOF']) expect(share((op) => op.AuthorisationType === type)).toBeGreaterThan(0.1);
    expect(eu.some((op) => op.Address.Country === 'GR' && op.EORI.startsWith('EL'))).toBe(true);
  });

  it('EU: includes non-ASCII names and one that needs XML escaping', () => {
    const names = sandboxPopulation('EU', 0).map((op) => op.Name);
    expect(names).toEqual(expect.arrayContaining(['Müller Spedition GmbH', 'Società Trasporti S.r.l.', 'Zakład Przewozowy Łódź Sp. z o.o.']));
    expect(names.some((name) => name.includes('&') && name.includes('<'))).toBe(true);
  });

  it('HK: 15-character unique numbers, tiers 1 and 2, mostly ACTIVE', () => {
    const hk = sandboxPopulation('HK', 2);
    expect(new Set(ids('HK', 2)).size).toBe(hk.length);
    for (const op of hk) {
      expect(op.aeoNumber).toMatch(/^[0-9A-Z]{15}$/);
      expect(op.statusChangedOn >= op.certifiedOn).toBe(true);
    }
    expect(new Set(hk.map((op) => op.tier))).toEqual(new Set([1, 2]));
    expect(hk.filter((op) => op.status === 'ACTIVE').length / hk.length).toBeGreaterThan(0.8);
  });

  it('MO: 9-digit unique numbers, 3-year certificates, a few expired', () => {
    const mo = sandboxPopulation('MO', 2);
    expect(new Set(ids('MO', 2)).size).toBe(mo.length);
    for (const op of mo.slice(3)) {
      expect(op.numeroAEO).toMatch(/^\d{9}$/);
      const end = new Date(`${op.validoDesde}T00:00:00Z`);
      end.setUTCFullYear(end.getUTCFullYear() + 3);
      end.setUTCDate(end.getUTCDate() - 1);
      expect(op.validoAte).toBe(end.toISOString().slice(0, 10));
    }
    const expired = mo.filter((op) => op.validoAte < '2026-01-01').length;
    expect(expired).toBeGreaterThan(1);
    expect(expired / mo.length).toBeLessThan(0.3);
    expect(new Set(mo.map((op) => op.grau))).toEqual(new Set(['A', 'B']));
  });
});
