import { describe, expect, it } from 'vitest';
import { createAjv } from './json-schema.js';

describe('createAjv', () => {
  it('still refuses a schema the draft 2020-12 meta-schema refuses, on compile and on addSchema', () => {
    expect(() => createAjv().compile({ type: 'objekt' })).toThrow(/schema is invalid: .*type/);
    expect(() => createAjv(false).addSchema({ $id: 'urn:x', properties: { a: { minLength: -1 } } })).toThrow(/schema is invalid/);
  });

  it('stays strict (unknown keywords) and validates with formats', () => {
    expect(() => createAjv().compile({ type: 'object', propertees: {} })).toThrow(/strict mode: unknown keyword/);
    const v = createAjv().compile({ type: 'string', format: 'date' });
    expect(v('2026-12-02')).toBe(true);
    expect(v('2026-13-02')).toBe(false);
  });

  it('lets a schema $ref another one added by $id', () => {
    const ajv = createAjv();
    ajv.addSchema({ $id: 'urn:test:code', type: 'string', pattern: '^[A-Z]{2}$' });
    const v = ajv.compile({ type: 'object', properties: { c: { $ref: 'urn:test:code' } }, required: ['c'] });
    expect(v({ c: 'EU' })).toBe(true);
    expect(v({ c: 'eu' })).toBe(false);
  });
});
