// Mapping pointers against a payload schema (pure), on the worked example's schema and small cases.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pointerInSchema } from './schema-pointers.js';

const sg = JSON.parse(readFileSync(new URL('../../docs/partners/examples/sg/payload.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const records = '/register/companies';

describe('pointerInSchema', () => {
  it('finds header and nested record fields through $ref', () => {
    expect(pointerInSchema(sg, records, '/envelope/serial', 'message')).toBe(true);
    expect(pointerInSchema(sg, records, records, 'message')).toBe(true);
    for (const p of ['/uen', '/profile/legalName', '/profile/address/street', '/certification/expires']) expect(pointerInSchema(sg, records, p, 'record'), p).toBe(true);
  });

  it('names what the schema does not have', () => {
    expect(pointerInSchema(sg, records, '/profile/legalNmae', 'record')).toBe(false);
    expect(pointerInSchema(sg, records, '/envelope/sender', 'message')).toBe(false);
    expect(pointerInSchema(sg, records, '/uen/x', 'record')).toBe(false);
    expect(pointerInSchema(sg, '/register/firms', '/uen', 'record')).toBe(false);
  });

  it('leaves pointers open where the schema describes nothing, and reads combinators', () => {
    expect(pointerInSchema({ type: 'object' }, '/items', '/anything', 'record')).toBe(true);
    const combined = {
      type: 'object',
      properties: { list: { type: 'array', items: { allOf: [{ properties: { a: { type: 'string' } } }, { required: ['a'] }], anyOf: [{ properties: { b: {} } }] } } },
    };
    expect(pointerInSchema(combined, '/list', '/a', 'record')).toBe(true);
    expect(pointerInSchema(combined, '/list', '/b', 'record')).toBe(true);
    expect(pointerInSchema(combined, '/list', '/c', 'record')).toBe(false);
    const patterned = { type: 'object', properties: { list: { items: { patternProperties: { '^x-': { type: 'string' } } } } } };
    expect(pointerInSchema(patterned, '/list', '/x-name', 'record')).toBe(true);
    expect(pointerInSchema(patterned, '/list', '/name', 'record')).toBe(false);
    expect(pointerInSchema({ type: 'object', properties: { list: { items: { $ref: 'https://elsewhere/schema' } } } }, '/list', '/z', 'record')).toBe(true);
  });
});
