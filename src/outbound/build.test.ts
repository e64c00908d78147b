// Eligibility, projection (by property over many generated enterprises), deltas, canonical bytes.
import { createHash, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOMESTIC_STATUSES, LEVELS, type Enterprise } from '../domestic/types.js';
import { createRandom } from '../sandbox/random.js';
import { FIXED_ENTERPRISES, sandboxEnterprise, sandboxRegister } from '../sandbox/domestic.js';
import { jsonRecord, serialise, type MessageHeader } from './message.js';
import { planBatch } from './plan.js';
import { departure, isCanonical, isEligible, project, selectForPartner, type OutboundRecord } from './project.js';
import { MESSAGE_FIELDS, type OutboundSettings } from './settings.js';

const settings = (over: Partial<OutboundSettings> = {}): OutboundSettings => ({
  enabled: true, format: 'json', schedule: '30 2 * * *', acceptedLevels: ['ADVANCED_CERTIFIED'], fields: [...MESSAGE_FIELDS], requireEnglishName: false,
  fullEvery: 'P7D', delivery: { mode: 'pull', receipt: 'none', receiptTimeoutMinutes: 1560, timeoutSeconds: 60 }, maxRemovalRatio: 0.2, retentionDays: 30, ...over,
});
const header = (over: Partial<MessageHeader> = {}): MessageHeader => ({
  sender: 'CN', receiver: 'EU', sequence: 1, previousSequence: null, kind: 'FULL', generatedAt: '2026-11-20T18:30:00Z', recordCount: 0, batchId: '3f6c2a50-0d4e-4f0e-9a57-2f4f4f0d1c11', ...over,
});
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const plan = (now: Map<string, OutboundRecord>, previous: Map<string, OutboundRecord> | null, fullDue = false) =>
  planBatch({ now, previous, fullDue, heldBack: 0, removedSince: () => '2026-11-19', maxRemovalRatio: 0.2 });

describe('eligibility', () => {
  it('is an accepted grade AND status VALID, nothing else', () => {
    for (const level of LEVELS) {
      for (const status of DOMESTIC_STATUSES) {
        const e = { ...FIXED_ENTERPRISES[0]!, level, status };
        expect(isEligible(e, settings()), `${level} ${status}`).toBe(level === 'ADVANCED_CERTIFIED' && status === 'VALID');
        expect(isEligible(e, settings({ acceptedLevels: ['ADVANCED_CERTIFIED', 'CERTIFIED'] }))).toBe((level === 'ADVANCED_CERTIFIED' || level === 'CERTIFIED') && status === 'VALID');
      }
    }
  });

  it('puts the contract fixtures where 9.7 says', () => {
    const eu = selectForPartner(FIXED_ENTERPRISES, settings());
    expect([...eu.records.keys()].sort()).toEqual(['AEOCN1234567890', 'AEOCN2200000004']);
    const en = selectForPartner(FIXED_ENTERPRISES, settings({ requireEnglishName: true }));
    expect([...en.records.keys()]).toEqual(['AEOCN1234567890']);
    expect(en.problems).toEqual([expect.objectContaining({ path: '/AEOCN2200000004/nameEn', message: expect.stringMatching(/held back/) })]);
  });
});

describe('projection', () => {
  it('by property: over 5,000 random enterprises and allow-lists, nothing outside the allow-list (plus aeoCode, status) leaves', () => {
    const rnd = createRandom(42);
    for (let i = 0; i < 5000; i++) {
      const e: Enterprise = { ...sandboxEnterprise(i), level: 'ADVANCED_CERTIFIED', status: 'VALID', nameEn: rnd.chance(0.5) ? 'X' : '' };
      const fields = MESSAGE_FIELDS.filter(() => rnd.chance(0.5));
      const s = settings({ fields: [...fields] });
      const { records } = selectForPartner([e], s);
      const r = records.get(e.aeoCode)!;
      const allowed = new Set<string>([...fields, 'aeoCode', 'status']);
      for (const key of Object.keys(r)) expect(allowed.has(key), `${key} for ${fields.join(',')}`).toBe(true);
      expect(r.aeoCode).toBe(e.aeoCode);
      expect(r.status).toBe('VALID');
      // the register-only fields can never appear, whatever the allow-list says
      const bytes = serialise('json', header({ recordCount: 1 }), [r]).body.toString();
      expect(bytes).not.toContain(e.uscc);
      expect(bytes).not.toMatch(/customsCode|uscc|registeringCustoms|rectificationUntil/);
      expect(bytes).not.toContain('levelSince');
      if (!fields.includes('nameZh')) expect(bytes).not.toContain(e.nameZh);
    }
  });
});

describe('FULL and DELTA', () => {
  const base = selectForPartner(sandboxRegister(300), settings()).records;

  it('the first message, a due FULL and one after a failure are FULL; unchanged → NO_CHANGE', () => {
    expect(plan(base, null)).toMatchObject({ kind: 'FULL', counts: { enterprises: base.size } });
    expect(plan(base, base, true)).toMatchObject({ kind: 'FULL', records: expect.any(Array), guard: null });
    expect(plan(base, base)).toMatchObject({ kind: 'DELTA', records: null });
  });

  it('a DELTA holds additions, changes, and departures as REVOKED with their date', () => {
    const now = new Map(base);
    const [first, second] = [...now.keys()];
    now.delete(first!);
    now.set(second!, { ...now.get(second!)!, nameZh: '新名' });
    now.set('AEOCN9999999999', { aeoCode: 'AEOCN9999999999', status: 'VALID' });
    const p = plan(now, base);
    expect(p.kind).toBe('DELTA');
    expect(p.counts).toMatchObject({ added: 1, changed: 1, removed: 1, enterprises: 3 });
    expect(p.records).toEqual([
      { aeoCode: first, status: 'REVOKED', statusSince: '2026-11-19' },
      expect.objectContaining({ aeoCode: second, nameZh: '新名' }),
      { aeoCode: 'AEOCN9999999999', status: 'VALID' },
    ].sort((a, b) => (a.aeoCode! < b.aeoCode! ? -1 : 1)));
  });

  it('guards an empty FULL and one dropping over maxRemovalRatio', () => {
    expect(plan(new Map(), base, true).guard).toMatch(/no enterprises/);
    const smaller = new Map([...base].slice(0, Math.floor(base.size * 0.7)));
    expect(plan(smaller, base, true).guard).toMatch(/drop/);
    expect(plan(smaller, base).guard).toBeNull();
  });
});

describe('canonical bytes', () => {
  const records = [...selectForPartner(sandboxRegister(200), settings()).records.values()];
  const sorted = [...records].sort((a, b) => (a.aeoCode < b.aeoCode ? -1 : 1));

  it('the same state gives the same SHA-256, whatever order fields and records came in', () => {
    const shuffled = [...records].reverse().map((r) => Object.fromEntries(Object.entries(r).reverse()) as OutboundRecord);
    const a = plan(new Map(records.map((r) => [r.aeoCode, r])), null).records!;
    const b = plan(new Map(shuffled.map((r) => [r.aeoCode, r])), null).records!;
    const h = header({ recordCount: a.length });
    expect(sha(serialise('json', h, a).body)).toBe(sha(serialise('json', h, b).body));
    expect(sha(serialise('xml', h, a).body)).toBe(sha(serialise('xml', h, b).body));
    expect(sha(serialise('json', h, a).body)).not.toBe(sha(serialise('json', { ...h, sequence: 2, previousSequence: 1 }, a).body));
  });

  it('is compact JSON in the documented order, and parses back to the same records', () => {
    const body = serialise('json', header({ recordCount: 1 }), [{ status: 'VALID', aeoCode: 'AEOCN1234567890', level: 'ADVANCED_CERTIFIED' }]).body.toString();
    expect(body).toBe(
      '{"header":{"sender":"CN","receiver":"EU","sequence":1,"previousSequence":null,"kind":"FULL","generatedAt":"2026-11-20T18:30:00Z","recordCount":1,"batchId":"3f6c2a50-0d4e-4f0e-9a57-2f4f4f0d1c11"},' +
        '"enterprises":[{"aeoCode":"AEOCN1234567890","level":"ADVANCED_CERTIFIED","status":"VALID"}]}',
    );
    expect((JSON.parse(serialise('json', header({ recordCount: sorted.length }), sorted).body.toString()) as { enterprises: unknown }).enterprises).toEqual(sorted);
  });

  it('XML escapes text and carries only the allowed elements', () => {
    const xml = serialise('xml', header({ recordCount: 1 }), [{ aeoCode: 'AEOCN1234567890', nameEn: 'A & B <Co> "x"', status: 'VALID' }]).body.toString();
    expect(xml).toContain('<AEOList xmlns="urn:aeo-mra:cn:aeo-list:1" sender="CN" receiver="EU" sequence="1" kind="FULL"');
    expect(xml).toContain('<Enterprise><AEOCode>AEOCN1234567890</AEOCode><NameEn>A &amp; B &lt;Co&gt; &quot;x&quot;</NameEn><Status>VALID</Status></Enterprise>');
    expect(xml).not.toContain('<!DOCTYPE');
  });

  it('by property: the fast path for projected records writes what the field list writes', () => {
    const rnd = createRandom(11);
    for (let i = 0; i < 2000; i++) {
      const e: Enterprise = { ...sandboxEnterprise(i), level: 'ADVANCED_CERTIFIED', status: 'VALID' };
      // allow-lists in any order: the record still comes out in message order
      const fields = MESSAGE_FIELDS.filter(() => rnd.chance(0.6)).sort(() => (rnd.chance(0.5) ? 1 : -1));
      const r = project(e, fields);
      expect(isCanonical(r)).toBe(true);
      expect(jsonRecord(r)).toBe(JSON.stringify(r, [...MESSAGE_FIELDS]));
    }
    const gone = departure('AEOCN1234567890', '2026-11-19');
    expect(jsonRecord(gone)).toBe('{"aeoCode":"AEOCN1234567890","status":"REVOKED","statusSince":"2026-11-19"}');
    // a record from elsewhere, keys out of order and one extra: the field list puts it right
    const other = { status: 'VALID', extra: 'x', aeoCode: 'AEOCN1234567890' } as OutboundRecord;
    expect(isCanonical(other)).toBe(false);
    expect(jsonRecord(other)).toBe('{"aeoCode":"AEOCN1234567890","status":"VALID"}');
  });

  it('refuses, before signing, a message that does not fit the schema', () => {
    expect(() => serialise('json', header({ batchId: 'nope' }), [])).toThrow(/CN AEO list v1/);
    expect(() => serialise('json', header(), [{ aeoCode: 'CN123', status: 'VALID' }])).toThrow(/CN AEO list v1/);
    expect(() => serialise('json', { ...header(), batchId: randomUUID() }, [{ aeoCode: 'AEOCN1234567890', status: 'SUSPENDED' }])).toThrow();
  });
});
