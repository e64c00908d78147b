// The three built-in partners (contract 6.3) through one and the same code path: the repo's
// manifests and schemas, readListMessage → parse → validate → map. No partner-specific code exists
// to call, so these tests can only pass if the manifests carry every difference.
import { beforeAll, describe, expect, it } from 'vitest';
import type { OperatorRecord } from '../domain/types.js';
import { loadCatalog } from './load.js';
import { mapMessage } from './map.js';
import { parsePayload } from './parse.js';
import { readListMessage } from './read-message.js';
import { bytesOf, euXml, hkMessage, jsonBytes, moMessage, REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR } from './samples.fixture.js';
import type { PartnerDefinition } from './types.js';

const EU_ALIASES = { EL: 'GR' };
let catalog: Map<string, PartnerDefinition>;

beforeAll(async () => {
  catalog = new Map((await loadCatalog(REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR)).map((d) => [d.code, d]));
});

const partner = (code: string): PartnerDefinition => {
  const def = catalog.get(code);
  if (!def) throw new Error(`no partner ${code}`);
  return def;
};

interface Case {
  code: string;
  bytes: Buffer;
  header: { sender: string; sequence: number; kind: 'FULL' | 'DELTA'; generatedAt: string };
  record: OperatorRecord;
}

const cases: Case[] = [
  {
    code: 'EU',
    bytes: bytesOf(euXml()),
    header: { sender: 'EU', sequence: 1042, kind: 'FULL', generatedAt: '2026-11-20T02:00:00Z' },
    record: {
      partnerId: 'DE123456789012345',
      declaredCode: 'DE123456789012345',
      aliases: ['DEAEOF00025/08'],
      name: 'Beispiel Logistik GmbH',
      tier: 'AEOF',
      status: 'VALID',
      partnerStatus: 'VALID',
      statusSince: '2019-03-01',
      validFrom: '2019-03-01',
      validUntil: null,
    },
  },
  {
    code: 'HK',
    bytes: jsonBytes(hkMessage()),
    header: { sender: 'HK', sequence: 77, kind: 'FULL', generatedAt: '2026-11-20T01:00:00+08:00' },
    record: {
      partnerId: '100000000000001',
      declaredCode: 'HK100000000000001',
      aliases: [],
      name: 'Harbour Freight Ltd',
      tier: 'TIER2',
      status: 'VALID',
      partnerStatus: 'ACTIVE',
      statusSince: '2016-04-01',
      validFrom: '2016-04-01',
      validUntil: null,
    },
  },
  {
    code: 'MO',
    bytes: jsonBytes(moMessage()),
    header: { sender: 'MO', sequence: 12, kind: 'FULL', generatedAt: '2026-11-20T03:00:00+08:00' },
    record: {
      partnerId: '100000001',
      declaredCode: 'MO100000001',
      aliases: [],
      name: 'Exemplo Comercial Lda',
      tier: 'A',
      status: 'VALID',
      partnerStatus: 'VALIDO',
      statusSince: '2023-06-01',
      validFrom: '2023-06-01',
      validUntil: '2026-05-31',
    },
  },
];

describe('built-in partners, one code path', () => {
  it('the catalog holds exactly EU, HK and MO with the agreed settings', () => {
    expect([...catalog.keys()]).toEqual(['EU', 'HK', 'MO']);
    for (const def of catalog.values()) {
      expect(def.manifest.agreementId).toBe(`CN-${def.code}`);
      expect(def.manifest.pullUrl).toBeNull();
      expect(def.manifest.sandbox?.pullPath).toBe(`/sandbox/${def.code.toLowerCase()}/aeo-list`);
      expect(def.manifest.enabled).toBe(true);
      expect(def.manifest.schedule).toBe('0 2 * * *');
    }
    expect(partner('EU').manifest.contentType).toBe('application/xml');
    expect(partner('HK').manifest.contentType).toBe('application/json');
  });

  it.each(cases)('$code: the contract sample parses, validates and maps to the expected operator', async (c) => {
    const def = partner(c.code);
    const parsed = await parsePayload(c.bytes, def.manifest.format, def.manifest.xml);
    expect(def.validatePayload(parsed)).toEqual([]);
    const mapped = mapMessage(parsed, def.mapping, { fallbackDate: '2026-11-20', economyAliases: EU_ALIASES });
    expect(mapped.problems).toEqual([]);
    expect(mapped.header).toEqual({ ...c.header, receiver: 'CN', recordCount: 1 });
    expect(mapped.records).toEqual([c.record]);
  });

  it.each(cases)('$code: readListMessage gives the same result in one call', async (c) => {
    const message = await readListMessage(c.bytes, partner(c.code), { fallbackDate: '2026-11-20', economyAliases: EU_ALIASES });
    expect(message.records).toEqual([c.record]);
    expect(message.header.sequence).toBe(c.header.sequence);
  });

  it('MO: tipo PARCIAL is a DELTA list', async () => {
    const message = await readListMessage(jsonBytes({ ...moMessage(), tipo: 'PARCIAL' }), partner('MO'), { fallbackDate: '2026-11-20' });
    expect(message.header.kind).toBe('DELTA');
  });

  it('HK: tier 1 maps to TIER1; SUSPENDED and CANCELLED map to our words', async () => {
    const base = hkMessage().aeos[0]!;
    const message = await readListMessage(
      jsonBytes(
        hkMessage([
          { ...base, aeoNumber: '10000000000000A', tier: 1, status: 'SUSPENDED' },
          { ...base, aeoNumber: '10000000000000B', status: 'CANCELLED' },
        ]),
      ),
      partner('HK'),
      { fallbackDate: '2026-11-20' },
    );
    expect(message.records.map((r) => [r.tier, r.status, r.partnerStatus])).toEqual([
      ['TIER1', 'SUSPENDED', 'SUSPENDED'],
      ['TIER2', 'REVOKED', 'CANCELLED'],
    ]);
  });

  it('the fallback date can be computed from generatedAt by the caller', async () => {
    const def = partner('HK');
    const parsed = await parsePayload(jsonBytes(hkMessage()), 'json');
    const seen: string[] = [];
    const mapped = mapMessage(parsed, def.mapping, {
      fallbackDate: (generatedAt) => {
        seen.push(generatedAt);
        return generatedAt.slice(0, 10);
      },
    });
    expect(seen).toEqual(['2026-11-20T01:00:00+08:00']);
    expect(mapped.problems).toEqual([]);
  });

  it('an oversized message is TOO_LARGE before any parsing', async () => {
    const def = partner('HK');
    const small = { ...def, manifest: { ...def.manifest, maxBytes: 10 } };
    await expect(readListMessage(jsonBytes(hkMessage()), small, { fallbackDate: '2026-11-20' })).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });
});
