// Messages two parsers could read differently are PAYLOAD_MALFORMED (XML 1.0 well-formedness, JSON
// without repeated keys), both when a list is read record by record and when it is parsed whole;
// and reading record by record finds the same problems as checking the whole message.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { loadCatalog } from './load.js';
import { parsePayload } from './parse.js';
import { readListMessage } from './read-message.js';
import { bytesOf, EU_SAMPLE_OPERATOR, euOperators, euXml, HK_SAMPLE_RECORD, hkMessage, jsonBytes, REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR } from './samples.fixture.js';
import type { PartnerDefinition } from './types.js';
import { compilePayloadValidator } from './validate.js';

let catalog: Map<string, PartnerDefinition>;
beforeAll(async () => {
  catalog = new Map((await loadCatalog(REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR)).map((d) => [d.code, d]));
});
const partner = (code: string): PartnerDefinition => catalog.get(code)!;
const OPTIONS = { fallbackDate: '2026-11-20' };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Both readers refuse the message as PAYLOAD_MALFORMED with the same message; returns it. */
async function malformedBoth(code: string, bytes: Buffer): Promise<string> {
  const def = partner(code);
  const streamed = await refusal(readListMessage(bytes, def, OPTIONS));
  const whole = await refusal(parsePayload(bytes, def.manifest.format, def.manifest.xml));
  expect(streamed.code).toBe('PAYLOAD_MALFORMED');
  expect(whole.code).toBe('PAYLOAD_MALFORMED');
  expect(streamed.message).toBe(whole.message);
  return streamed.message;
}

const eu = (text: string): Promise<string> => malformedBoth('EU', bytesOf(text));
const EU_ROOT = '<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"';

describe('XML that is not well-formed', () => {
  it('the valid sample is read (the tests below change one thing each)', async () => {
    const message = await readListMessage(bytesOf(euXml()), partner('EU'), OPTIONS);
    expect(message.header.kind).toBe('FULL');
    expect(message.records).toHaveLength(1);
  });

  it('refuses a repeated attribute on the root (kind="FULL" … kind="DELTA"), on a record, and with = in a value', async () => {
    expect(await eu(euXml().replace('kind="FULL"', 'kind="FULL" kind="DELTA"'))).toBe('An element repeats an attribute.');
    expect(await eu(euXml().replace('<Operator>', '<Operator id="1" id="2">'))).toBe('An element repeats an attribute.');
    expect(await eu(euXml().replace('kind="FULL"', "kind='FULL' note=\"a=b\" note='c'"))).toBe('An element repeats an attribute.');
  });

  it('an = or a quote inside an attribute value is not a repeat', async () => {
    const note = euXml().replace('kind="FULL"', 'kind="FULL" note="a=b kind=\'x\'"');
    // The schema refuses the unknown attribute: parsing got that far.
    expect((await refusal(readListMessage(bytesOf(note), partner('EU'), OPTIONS))).code).toBe('SCHEMA_INVALID');
  });

  it('refuses < in an attribute value (&lt; is fine)', async () => {
    await eu(euXml().replace('<Operator>', '<Operator note="a<b">'));
    const escaped = await parsePayload(bytesOf(euXml().replace('<Operator>', '<Operator note="a&lt;b">')), 'xml', partner('EU').manifest.xml);
    expect((escaped as { Operator: { note: string }[] }).Operator[0]?.note).toBe('a<b');
  });

  it('refuses characters outside XML 1.0 Char, raw or as references; tab, LF and CR are fine', async () => {
    for (const bad of ['\u0000', '\u0001', '\u000B', '\u001F', '\uFFFE', '\uFFFF']) {
      expect(await eu(euXml([{ ...EU_SAMPLE_OPERATOR, Name: `A${bad}B` }]))).toBe('The message holds a character XML 1.0 does not allow.');
    }
    for (const ref of ['&#0;', '&#x1;', '&#xFFFE;', '&#xD800;']) await eu(euXml().replace('Beispiel', `Bei${ref}spiel`));
    const spaced = await readListMessage(bytesOf(euXml().replace('Beispiel Logistik GmbH', 'A\tB&#10;C&#xD;D')), partner('EU'), OPTIONS);
    expect(spaced.records[0]?.name).toBe('A\tB\nC\rD');
  });

  it('refuses ]]> in text, but not ]]&gt;, a CDATA section or ]]> in a comment', async () => {
    await eu(euXml().replace('Beispiel', 'Bei]]>spiel'));
    const ok = euXml()
      .replace('Beispiel', 'Bei]]&gt;<![CDATA[sp<i>]]>el')
      .replace('<Operator>', '<Operator><!-- ]]> -->');
    expect((await readListMessage(bytesOf(ok), partner('EU'), OPTIONS)).records[0]?.name).toBe('Bei]]>sp<i>el Logistik GmbH');
  });

  it('refuses named entities other than the five of XML (HTML names included)', async () => {
    for (const name of ['nbsp', 'copy', 'eacute', 'Amp', 'LT', 'QUOT', '#X41']) await eu(euXml().replace('Beispiel', `Bei&${name};spiel`));
    await eu(euXml().replace('<Operator>', '<Operator note="&Apos;">'));
    const five = await readListMessage(bytesOf(euXml().replace('Beispiel', 'B&amp;&lt;&gt;&quot;&apos;')), partner('EU'), OPTIONS);
    expect(five.records[0]?.name).toBe('B&<>"\' Logistik GmbH');
  });

  it('refuses an XML declaration that is not one (no version, wrong order, a bad standalone)', async () => {
    const body = euXml().replace(/^<\?xml[^?]*\?>/, '');
    for (const decl of ['<?xml encoding="UTF-8"?>', '<?xml version="2.0"?>', '<?xml encoding="UTF-8" version="1.0"?>', '<?xml version="1.0" standalone="maybe"?>']) {
      await eu(`${decl}${body}`);
    }
    await expect(readListMessage(bytesOf(`<?xml version="1.0" standalone="yes"?>${body}`), partner('EU'), OPTIONS)).resolves.toBeDefined();
  });

  it('refuses -- inside a comment, a mismatched end tag and an unquoted attribute', async () => {
    await eu(euXml().replace('<Operator>', '<Operator><!-- a -- b -->'));
    await eu(euXml().replace('</Name>', '</Nome>'));
    await eu(`${EU_ROOT} sender=EU/>`);
  });

  it('refuses an undeclared entity and a DOCTYPE inside a record (record by record, as a whole)', async () => {
    expect(await eu(euXml().replace('<Operator>', '<Operator>&xxe;'))).toBe('The message is not well-formed XML.');
    expect(await eu(euXml().replace('<Operator>', '<!DOCTYPE x><Operator>'))).toBe('The message is not well-formed XML.');
  });
});

describe('JSON with repeated keys', () => {
  const hk = (text: string): Promise<string> => malformedBoth('HK', bytesOf(text));

  it('refuses a key repeated in the header, in a record, deep in a record, and spelled with an escape', async () => {
    const text = JSON.stringify(hkMessage());
    expect(await hk(text.replace('"kind":"FULL"', '"kind":"FULL","kind":"DELTA"'))).toBe('The message repeats a key in one object.');
    expect(await hk(text.replace('"tier":2', '"tier":2,"tier":3'))).toBe('The message repeats a key in one object.');
    expect(await hk(text.replace('"en":"Harbour Freight Ltd"', '"en":"A","en":"B"'))).toBe('The message repeats a key in one object.');
    expect(await hk(text.replace('"tier":2', '"tier":2,"\\u0074ier":3'))).toBe('The message repeats a key in one object.');
    expect(await hk(text.replace('{"header":', '{"aeos":[],"header":'))).toBe('The message repeats a key in one object.');
  });

  it('a key repeated in many objects of one record, past the small-object limit, is caught too', async () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const text = JSON.stringify(hkMessage()).replace('"tier":2', `"extra":${JSON.stringify(many).replace('"k19":19', '"k19":19,"k3":3')},"tier":2`);
    await hk(text);
  });

  it('the same key in sibling objects is fine', async () => {
    const two = hkMessage([HK_SAMPLE_RECORD, { ...HK_SAMPLE_RECORD, aeoNumber: '100000000000002' }]);
    expect((await readListMessage(jsonBytes(two), partner('HK'), OPTIONS)).records).toHaveLength(2);
  });

  it('refuses broken structure between and inside records', async () => {
    const text = JSON.stringify(hkMessage([HK_SAMPLE_RECORD, { ...HK_SAMPLE_RECORD, aeoNumber: '100000000000002' }]));
    for (const broken of [
      text.replace('},{', '}{'), // no comma between records
      text.replace(']}', ',]}'), // trailing comma
      text.replace('"tier":2', '"tier":02'), // leading zero, inside a record
      text.replace('"tier":2', '"tier":tru'),
      text.replace('"tier":2', '"tier" 2'),
      text.slice(0, -1), // unclosed
      `${text}x`,
    ]) {
      expect(await hk(broken)).toBe('The message is not valid JSON.');
    }
  });
});

describe('record by record finds what the whole check finds', () => {
  it('EU: the same problems, in the same order, as validating the parsed message whole', async () => {
    const ops = euOperators(300).map((op, i) => (i % 3 === 0 ? { ...op, Status: 'LOST' } : i % 7 === 0 ? { ...op, StatusDate: '2019-13-01' } : op));
    const bytes = bytesOf(euXml(ops).replace('receiver="CN"', 'receiver="XX"'));
    const def = partner('EU');
    const whole = def.validatePayload(await parsePayload(bytes, 'xml', def.manifest.xml));
    const streamed = await refusal(readListMessage(bytes, def, OPTIONS));
    expect(streamed.code).toBe('SCHEMA_INVALID');
    expect((streamed.details as { problems: unknown[] }).problems).toEqual(whole);
    expect(whole).toHaveLength(100);
    expect(whole[0]).toMatchObject({ record: null, path: '/receiver' });
  });

  it('EU: mapping problems (a repeated code) name the earlier record as before', async () => {
    const ops = euOperators(5);
    const bytes = bytesOf(euXml([...ops, { ...ops[1]!, AuthorisationNumber: 'DEAEOS999999' }]));
    const err = await refusal(readListMessage(bytes, partner('EU'), OPTIONS));
    expect((err.details as { problems: unknown[] }).problems).toEqual([{ record: 5, path: '/EORI', message: 'repeats the code of record 1' }]);
  });

  it('HK: a bad record and a bad header; records without a status date take the list date', async () => {
    const bad = hkMessage([HK_SAMPLE_RECORD, { ...HK_SAMPLE_RECORD, aeoNumber: '100000000000002', tier: 9 }]);
    const err = await refusal(readListMessage(jsonBytes({ ...bad, header: { ...bad.header, sequence: -1 } }), partner('HK'), OPTIONS));
    expect((err.details as { problems: { record: number | null; path: string }[] }).problems.map((p) => [p.record, p.path])).toEqual([
      [null, '/header/sequence'],
      [1, '/tier'],
    ]);
  });

  it('a record without a status date takes the list date, known only after the records were read', async () => {
    // HK's schema requires the date: a variant that does not, with the header after the records.
    const hk = partner('HK');
    const schema = structuredClone(JSON.parse(readFileSync(path.join(REPO_SCHEMAS_DIR, hk.manifest.payloadSchema), 'utf8'))) as {
      $defs: { aeo: { required: string[] } };
    };
    schema.$defs.aeo.required = schema.$defs.aeo.required.filter((k) => k !== 'statusChangedOn');
    const validatePayload = compilePayloadValidator(schema, hk.mapping.recordsPointer);
    expect(validatePayload.split).not.toBeNull();
    const undated: Partial<typeof HK_SAMPLE_RECORD> = { ...HK_SAMPLE_RECORD };
    delete undated.statusChangedOn;
    const { header, aeos } = hkMessage([undated as typeof HK_SAMPLE_RECORD, HK_SAMPLE_RECORD].map((r, i) => ({ ...r, aeoNumber: `10000000000000${i}` })));
    const message = await readListMessage(jsonBytes({ aeos, header }), { ...hk, validatePayload }, { fallbackDate: (generatedAt: string) => generatedAt.slice(0, 10) });
    expect(message.records.map((r) => r.statusSince)).toEqual(['2026-11-20', HK_SAMPLE_RECORD.statusChangedOn]);
  });
});
