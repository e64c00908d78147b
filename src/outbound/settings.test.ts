import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../catalog/manifest.js';
import { durationMs } from './settings.js';

const manifest = (code: string): Record<string, unknown> => JSON.parse(readFileSync(`partners/${code}.partner.json`, 'utf8')) as Record<string, unknown>;
const withOutbound = (outbound: unknown): ReturnType<typeof validateManifest> => validateManifest({ ...manifest('hk'), outbound });

describe('outbound settings in the manifest (contract 9.2)', () => {
  it('EU pushes with receipts, HK is pulled, MO pushes without receipts; all advanced certified only', () => {
    const eu = validateManifest(manifest('eu'));
    const hk = validateManifest(manifest('hk'));
    const mo = validateManifest(manifest('mo'));
    expect(eu.ok && eu.manifest.outbound).toMatchObject({ delivery: { mode: 'push', receipt: 'required' }, acceptedLevels: ['ADVANCED_CERTIFIED'] });
    expect(hk.ok && hk.manifest.outbound).toMatchObject({ delivery: { mode: 'pull', receipt: 'required' } });
    expect(mo.ok && mo.manifest.outbound).toMatchObject({ delivery: { mode: 'push', receipt: 'none' } });
  });

  it('applies the defaults of 9.2', () => {
    const r = withOutbound({ delivery: { mode: 'pull' } });
    expect(r.ok && r.manifest.outbound).toEqual({
      enabled: true, format: 'json', schedule: '30 2 * * *', acceptedLevels: ['ADVANCED_CERTIFIED'],
      fields: ['aeoCode', 'nameZh', 'nameEn', 'addressZh', 'addressEn', 'level', 'status', 'statusSince'],
      requireEnglishName: false, fullEvery: 'P7D', delivery: { mode: 'pull', receipt: 'none', receiptTimeoutMinutes: 1560, timeoutSeconds: 60 }, maxRemovalRatio: 0.2, retentionDays: 30,
    });
  });

  it('refuses a field the message does not have, a push without url, a bad schedule, a bad duration, an unknown grade', () => {
    const problems = (o: unknown): string[] => {
      const r = withOutbound(o);
      return r.ok ? [] : r.problems;
    };
    expect(problems({ delivery: { mode: 'pull' }, fields: ['aeoCode', 'uscc'] })).toEqual([expect.stringMatching(/^\/outbound\/fields\/1: uscc is not a field/)]);
    expect(problems({ delivery: { mode: 'push' } })).toEqual([expect.stringMatching(/^\/outbound\/delivery\/url/)]);
    expect(problems({ delivery: { mode: 'pull' }, schedule: '99 99 * * * *' })).toEqual([expect.stringMatching(/schedule/)]);
    expect(problems({ delivery: { mode: 'pull' }, fullEvery: 'P1W' })[0]).toMatch(/fullEvery/);
    expect(problems({ delivery: { mode: 'pull' }, acceptedLevels: ['GOLD'] })[0]).toMatch(/acceptedLevels/);
    expect(problems({ delivery: { mode: 'pull' }, requireEnglishName: true, fields: ['aeoCode'] })).toEqual([expect.stringMatching(/requireEnglishName/)]);
    expect(problems({ delivery: { mode: 'pull' }, extra: 1 })[0]).toMatch(/additional/);
  });

  it('reads fullEvery durations', () => {
    expect(durationMs('P7D')).toBe(7 * 86_400_000);
    expect(durationMs('PT12H')).toBe(12 * 3_600_000);
    expect(() => durationMs('P1W')).toThrow();
  });
});

describe('China grades per agreement', () => {
  it('every agreement recognises advanced certified enterprises, none (yet) the new CERTIFIED grade', () => {
    const { agreements } = JSON.parse(readFileSync('partners/agreements.json', 'utf8')) as { agreements: { id: string; chinaLevels: string[] }[] };
    expect(agreements.length).toBeGreaterThan(30);
    for (const a of agreements) expect(a.chinaLevels, a.id).toEqual(['ADVANCED_CERTIFIED']);
  });
});

describe('registry update of 2026-12', () => {
  const get = (id: string): Record<string, unknown> =>
    (JSON.parse(readFileSync('partners/agreements.json', 'utf8')) as { agreements: Record<string, unknown>[] }).agreements.find((a) => a.id === id)!;
  it('has the announcement numbers, dates and scopes, with sources; the 32nd partner stays out', () => {
    expect(get('CN-HK').sources).toContain('GACC Announcement 2014 No.64');
    expect(get('CN-BR').sources).toContain('GACC Announcement 2021 No.115');
    expect(get('CN-CR')).toMatchObject({ scope: 'import', sources: expect.arrayContaining(['GACC Announcement 2023 No.74']) });
    expect(get('CN-BJ').signedOn).toBe('2024-10-25');
    expect(get('CN-KZ').signedOn).toBe('2019-04');
    expect(get('CN-MN').signedOn).toBe('2019');
    expect(get('CN-EU').notes).toMatch(/AEO<EORI>/);
    expect(get('CN-KZ').inForceOn).toBeNull();
    const { agreements } = JSON.parse(readFileSync('partners/agreements.json', 'utf8')) as { agreements: unknown[] };
    expect(agreements).toHaveLength(31);
  });
});
