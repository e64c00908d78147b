// Safe parsing: hostile and broken inputs end as PAYLOAD_MALFORMED with a message that quotes nothing.
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { parsePayload } from './parse.js';
import { bytesOf, EU_SAMPLE_OPERATOR as EU_OPERATOR, euXml } from './samples.fixture.js';

const EU_XML = { namespace: 'urn:aeo-mra:eu:aeo-list:1', root: 'AEOList', arrays: ['/Operator'] };

async function malformed(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  const appError = err as AppError;
  expect(appError.code).toBe('PAYLOAD_MALFORMED');
  return appError;
}

const parseXml = (text: string): Promise<unknown> => parsePayload(bytesOf(text), 'xml', EU_XML);

describe('parsePayload, JSON', () => {
  it('parses JSON and drops a UTF-8 BOM', async () => {
    expect(await parsePayload(Buffer.from('\uFEFF{"a":[1]}', 'utf8'), 'json')).toEqual({ a: [1] });
  });

  it('refuses trailing garbage without echoing it', async () => {
    const err = await malformed(parsePayload(bytesOf('{"a":1} SECRET-PAYLOAD'), 'json'));
    expect(err.message).not.toContain('SECRET');
    expect(err.message).toBe('The message is not valid JSON.');
  });

  it('refuses invalid UTF-8 (a lone continuation byte, an overlong encoding)', async () => {
    await malformed(parsePayload(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]), 'json'));
    await malformed(parsePayload(Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]), 'json'));
  });

  it('refuses an empty body', async () => {
    await malformed(parsePayload(Buffer.alloc(0), 'json'));
  });

  it('survives very deep nesting (no stack overflow)', async () => {
    const depth = 200_000;
    const parsed = await parsePayload(bytesOf(`{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`), 'json');
    expect(parsed).toHaveProperty('x');
  });

  it('keeps a __proto__ key as data, never as a prototype', async () => {
    const parsed = (await parsePayload(bytesOf('{"__proto__":{"polluted":true}}'), 'json')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });
});

describe('parsePayload, XML', () => {
  it('returns the root element: attributes merged, namespace removed, Operator always an array', async () => {
    const parsed = (await parseXml(euXml())) as Record<string, unknown>;
    expect(parsed.sender).toBe('EU');
    expect(parsed.sequence).toBe('1042');
    expect(parsed).not.toHaveProperty('xmlns');
    expect(Array.isArray(parsed.Operator)).toBe(true);
    expect((parsed.Operator as unknown[]).length).toBe(1);
  });

  it('an absent Operator becomes [], several stay an array', async () => {
    expect(((await parseXml(euXml([]))) as Record<string, unknown>).Operator).toEqual([]);
    const two = euXml([
      { ...EU_OPERATOR, EORI: 'DE1' },
      { ...EU_OPERATOR, EORI: 'DE2' },
    ]);
    expect((((await parseXml(two)) as Record<string, unknown>).Operator as unknown[]).length).toBe(2);
  });

  it('empty elements become "" (not objects)', async () => {
    const parsed = (await parseXml(euXml([{ ...EU_OPERATOR, Name: '' }]))) as { Operator: Record<string, unknown>[] };
    expect(parsed.Operator[0]?.Name).toBe('');
    const selfClosing = euXml().replace('<PostalCode>10115</PostalCode>', '<PostalCode/>');
    const parsed2 = (await parseXml(selfClosing)) as { Operator: { Address: Record<string, unknown> }[] };
    expect(parsed2.Operator[0]?.Address.PostalCode).toBe('');
  });

  it('accepts a prefixed root in the right namespace and strips the prefixes', async () => {
    const xml = `<eu:AEOList xmlns:eu="urn:aeo-mra:eu:aeo-list:1" sender="EU"><eu:Operator><eu:EORI>DE1</eu:EORI></eu:Operator></eu:AEOList>`;
    expect(await parseXml(xml)).toEqual({ sender: 'EU', Operator: [{ EORI: 'DE1' }] });
  });

  it('refuses a DOCTYPE with entities (billion laughs) before parsing', async () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1">&lol3;</AEOList>`;
    const err = await malformed(parseXml(lol));
    expect(err.message).toBe('DTDs and entities are not allowed.');
  });

  it('refuses an external entity (XXE), in any letter case', async () => {
    const xxe = `<?xml version="1.0"?><!doctype r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><AEOList xmlns="urn:aeo-mra:eu:aeo-list:1">&xxe;</AEOList>`;
    expect((await malformed(parseXml(xxe))).message).toBe('DTDs and entities are not allowed.');
    await malformed(parseXml('<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"><!EnTiTy x "y"></AEOList>'));
  });

  it('refuses processing instructions other than the XML declaration', async () => {
    await malformed(parseXml(`<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?><AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"/>`));
    await malformed(parseXml(`<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"><?evil?></AEOList>`));
    await malformed(parseXml(` <?xml version="1.0"?><AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"/>`));
  });

  it('refuses a declaration of another encoding', async () => {
    await malformed(parseXml(`<?xml version="1.0" encoding="ISO-8859-1"?><AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"/>`));
  });

  it('refuses truncated XML', async () => {
    const full = euXml();
    const err = await malformed(parseXml(full.slice(0, Math.floor(full.length * 0.7))));
    expect(err.message).toBe('The message is not well-formed XML.');
  });

  it('refuses text or a second root after the root element', async () => {
    await malformed(parseXml(`${euXml()}trailing`));
    await malformed(parseXml(`${euXml()}<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"/>`));
  });

  it('survives very deep element nesting, prefixed or not', async () => {
    const depth = 100_000;
    const body = `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
    await expect(parseXml(`<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1">${body}</AEOList>`)).resolves.toHaveProperty('a');
    const prefixed = `<e:AEOList xmlns:e="urn:aeo-mra:eu:aeo-list:1">${body.replace(/<(\/?)a>/g, '<$1e:a>')}</e:AEOList>`;
    await expect(parseXml(prefixed)).resolves.toHaveProperty('a');
  });

  it('refuses unknown entity references', async () => {
    await malformed(parseXml('<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1"><Operator>&nope;</Operator></AEOList>'));
  });

  it('refuses a wrong namespace, a missing namespace and a wrong root', async () => {
    const wrongNs = euXml().replace('urn:aeo-mra:eu:aeo-list:1', 'urn:aeo-mra:eu:aeo-list:2');
    expect((await malformed(parseXml(wrongNs))).message).toBe('The root element must be in namespace urn:aeo-mra:eu:aeo-list:1.');
    await malformed(parseXml(euXml().replace(' xmlns="urn:aeo-mra:eu:aeo-list:1"', '')));
    const wrongRoot = euXml().replace('<AEOList', '<AEOListe').replace('</AEOList>', '</AEOListe>');
    expect((await malformed(parseXml(wrongRoot))).message).toBe('The root element must be AEOList.');
  });

  it('refuses invalid UTF-8 and an empty document', async () => {
    const bytes = Buffer.concat([bytesOf('<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1" sender="'), Buffer.from([0xff, 0xfe]), bytesOf('"/>')]);
    expect((await malformed(parsePayload(bytes, 'xml', EU_XML))).message).toBe('The message is not valid UTF-8.');
    await malformed(parseXml('   '));
  });

  // Speed is measured in bench/ (section 1), not here: on a shared machine a time limit only measures the neighbours.
  it('parses a 100 000-operator list whole', async () => {
    const op = `<Operator><EORI>DE1</EORI><Name>N</Name><Address><Country>DE</Country></Address></Operator>`;
    const xml = `<AEOList xmlns="urn:aeo-mra:eu:aeo-list:1" sender="EU">${op.repeat(100_000)}</AEOList>`;
    const parsed = (await parseXml(xml)) as { Operator: { Address: { Country: string } }[] };
    expect(parsed.Operator.length).toBe(100_000);
    expect(parsed.Operator[99_999]?.Address.Country).toBe('DE');
  });
});
