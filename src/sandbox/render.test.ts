import { createHash } from 'node:crypto';
import { parseStringPromise } from 'xml2js';
import { describe, it, expect } from 'vitest';
import { SANDBOX_PARTNERS, sandboxFixedOperators, type EuOperator, type HkOperator } from './population.js';
import { formatGeneratedAt, renderList, renderSandboxList, sandboxContentType, type ListMessageHeader } from './render.js';

/** What xml2js makes of an EU list (attributes under `$`, every child element an array). */
interface EuDocument {
  AEOList: { $: Record<string, string>; Operator: { EORI: string[]; Name: string[] }[] };
}

const AT = new Date(Date.UTC(2026, 10, 20, 2, 0, 0, 123));
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const header = (over: Partial<ListMessageHeader> = {}): ListMessageHeader => ({
  sender: 'EU',
  receiver: 'CN',
  sequence: 1042,
  kind: 'FULL',
  generatedAt: '2026-11-20T02:00:00Z',
  ...over,
});

describe('renderSandboxList', () => {
  it.each(SANDBOX_PARTNERS)('%s: same arguments → identical bytes; another generation → other bytes', (partner) => {
    const first = sha256(renderSandboxList(partner, 2, { generatedAt: AT }));
    expect(sha256(renderSandboxList(partner, 2, { generatedAt: new Date(AT.getTime()) }))).toBe(first);
    expect(sha256(renderSandboxList(partner, 3, { generatedAt: AT }))).not.toBe(first);
  });

  it('numbers messages from the sequence base plus the generation', async () => {
    const eu = await parseStringPromise(renderSandboxList('EU', 4, { generatedAt: AT, size: 50 }).toString('utf8'));
    expect(eu.AEOList.$.sequence).toBe('1004');
    expect(JSON.parse(renderSandboxList('HK', 4, { generatedAt: AT }).toString('utf8')).header.sequence).toBe(74);
    expect(JSON.parse(renderSandboxList('MO', 4, { generatedAt: AT }).toString('utf8')).sequencia).toBe(14);
    expect(JSON.parse(renderSandboxList('MO', 4, { generatedAt: AT, sequenceBase: 500 }).toString('utf8')).sequencia).toBe(504);
  });

  it('writes generatedAt as RFC 3339: UTC for EU, +08:00 for HK and MO', () => {
    expect(formatGeneratedAt('EU', AT)).toBe('2026-11-20T02:00:00Z');
    expect(formatGeneratedAt('HK', AT)).toBe('2026-11-20T10:00:00+08:00');
    expect(formatGeneratedAt('MO', new Date(Date.UTC(2026, 11, 31, 20)))).toBe('2027-01-01T04:00:00+08:00');
    expect(sandboxContentType('EU')).toBe('application/xml');
    expect(sandboxContentType('MO')).toBe('application/json');
  });

  it('EU: well-formed XML in the namespace, with a matching record count and escaped names', async () => {
    const bytes = renderSandboxList('EU', 0, { generatedAt: AT });
    const text = bytes.toString('utf8');
    const doc = (await parseStringPromise(text)) as EuDocument;
    const attrs = doc.AEOList.$;
    expect(attrs).toEqual({
      xmlns: 'urn:aeo-mra:eu:aeo-list:1',
      sender: 'EU',
      receiver: 'CN',
      sequence: '1000',
      kind: 'FULL',
      generatedAt: '2026-11-20T02:00:00Z',
      recordCount: '16000',
    });
    expect(doc.AEOList.Operator).toHaveLength(16_000);
    const names = doc.AEOList.Operator.map((op) => op.Name[0]);
    expect(names).toContain('Dupont & Fils <Export> SARL');
    expect(names).toContain('Zakład Przewozowy Łódź Sp. z o.o.');
    expect(text).toContain('<Name>Dupont &amp; Fils &lt;Export&gt; SARL</Name>');
    const eoris = doc.AEOList.Operator.map((op) => op.EORI[0]);
    expect(new Set(eoris).size).toBe(eoris.length);
  });

  it('HK and MO: JSON whose header counts the records', () => {
    const hk = JSON.parse(renderSandboxList('HK', 1, { generatedAt: AT }).toString('utf8'));
    expect(hk.header).toMatchObject({ sender: 'HK', receiver: 'CN', kind: 'FULL', generatedAt: '2026-11-20T10:00:00+08:00' });
    expect(hk.header.recordCount).toBe(hk.aeos.length);
    const mo = JSON.parse(renderSandboxList('MO', 1, { generatedAt: AT }).toString('utf8'));
    expect(mo).toMatchObject({ remetente: 'MO', destinatario: 'CN', tipo: 'COMPLETA', geradoEm: '2026-11-20T10:00:00+08:00' });
    expect(mo.numeroRegistos).toBe(mo.operadores.length);
    expect(Object.keys(mo)).toEqual(['remetente', 'destinatario', 'sequencia', 'tipo', 'geradoEm', 'numeroRegistos', 'operadores']);
  });

  it('renders 100 000 EU operators', () => {
    const started = performance.now();
    const bytes = renderSandboxList('EU', 0, { generatedAt: AT, size: 100_000 });
    const ms = performance.now() - started;
    console.log(`EU 100 000 operators: ${ms.toFixed(0)} ms, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
    expect(bytes.subarray(-11).toString('utf8')).toBe('</AEOList>\n');
    let operators = 0; // xml2js needs ~6 s for 44 MiB; well-formedness is checked on the 16 000 list
    for (let at = bytes.indexOf('<Operator>'); at !== -1; at = bytes.indexOf('<Operator>', at + 1)) operators++;
    expect(operators).toBe(100_000);
  });
});

describe('renderList (arbitrary messages)', () => {
  it('EU: reproduces the contract 6.3 example byte for byte', () => {
    const [beispiel] = sandboxFixedOperators('EU');
    expect(renderList('EU', header(), [beispiel!]).toString('utf8')).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1" sender="EU" receiver="CN" sequence="1042" kind="FULL" generatedAt="2026-11-20T02:00:00Z" recordCount="1">',
        '  <Operator>',
        '    <EORI>DE123456789012345</EORI>',
        '    <AuthorisationNumber>DEAEOF00025/08</AuthorisationNumber>',
        '    <AuthorisationType>AEOF</AuthorisationType>',
        '    <Status>VALID</Status>',
        '    <StatusDate>2019-03-01</StatusDate>',
        '    <EffectiveDate>2019-03-01</EffectiveDate>',
        '    <Name>Beispiel Logistik GmbH</Name>',
        '    <Address>',
        '      <Street>Hauptstr. 1</Street><PostalCode>10115</PostalCode><City>Berlin</City><Country>DE</Country>',
        '    </Address>',
        '  </Operator>',
        '</AEOList>',
        '',
      ].join('\n'),
    );
  });

  it('HK and MO: the contract 6.3 field order', () => {
    const hk = JSON.parse(
      renderList('HK', header({ sender: 'HK', sequence: 77, generatedAt: '2026-11-20T01:00:00+08:00' }), sandboxFixedOperators('HK')).toString('utf8'),
    );
    expect(Object.keys(hk)).toEqual(['header', 'aeos']);
    expect(Object.keys(hk.header)).toEqual(['sender', 'receiver', 'sequence', 'kind', 'generatedAt', 'recordCount']);
    expect(Object.keys(hk.aeos[0])).toEqual(['aeoNumber', 'tier', 'status', 'companyName', 'address', 'certifiedOn', 'statusChangedOn']);
    const mo = JSON.parse(renderList('MO', header({ sender: 'MO' }), sandboxFixedOperators('MO')).toString('utf8'));
    expect(Object.keys(mo.operadores[0])).toEqual(['numeroAEO', 'grau', 'estado', 'denominacao', 'validoDesde', 'validoAte', 'estadoDesde']);
  });

  it('writes whatever header it is given: a wrong sender, a DELTA, a false count', async () => {
    const eu = await parseStringPromise(
      renderList('EU', header({ sender: 'HK', kind: 'DELTA', recordCount: 7 }), sandboxFixedOperators('EU')).toString('utf8'),
    );
    expect(eu.AEOList.$).toMatchObject({ sender: 'HK', kind: 'DELTA', recordCount: '7' });
    const mo = JSON.parse(renderList('MO', header({ sender: 'EU', kind: 'DELTA' }), []).toString('utf8'));
    expect(mo).toMatchObject({ remetente: 'EU', tipo: 'PARCIAL', numeroRegistos: 0, operadores: [] });
    const empty = await parseStringPromise(renderList('EU', header(), []).toString('utf8'));
    expect(empty.AEOList.$.recordCount).toBe('0');
  });

  it('leaves out fields set to undefined and keeps extra JSON fields, to build invalid records', async () => {
    const [beispiel] = sandboxFixedOperators('EU');
    const noStatus = { ...beispiel!, Status: undefined } as unknown as EuOperator;
    const eu = await parseStringPromise(renderList('EU', header(), [noStatus]).toString('utf8'));
    expect(eu.AEOList.Operator[0].Status).toBeUndefined();
    expect(eu.AEOList.Operator[0].EORI).toEqual(['DE123456789012345']);

    const [harbour] = sandboxFixedOperators('HK');
    const extra = { ...harbour!, tier: 3, surprise: true } as unknown as HkOperator;
    const hk = JSON.parse(renderList('HK', header({ sender: 'HK' }), [extra]).toString('utf8'));
    expect(hk.aeos[0].tier).toBe(3);
    expect(Object.keys(hk.aeos[0]).at(-1)).toBe('surprise');
  });

  it('escapes attribute values too', async () => {
    const text = renderList('EU', header({ sender: 'E"U&<' }), []).toString('utf8');
    expect(text).toContain('sender="E&quot;U&amp;&lt;"');
    expect((await parseStringPromise(text)).AEOList.$.sender).toBe('E"U&<');
  });
});
