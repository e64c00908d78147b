import { describe, expect, it } from 'vitest';
import { DatabaseError, safeError, withoutValues } from './safe-errors.js';

describe('database errors without values', () => {
  it('replaces quoted input and keeps quoted schema names', () => {
    expect(withoutValues('invalid input syntax for type date: "SECRET-0000"')).toBe('invalid input syntax for type date: "…"');
    expect(withoutValues('value "99999999999" is out of range for type integer')).toBe('value "…" is out of range for type integer');
    expect(withoutValues('new row for relation "operator_events" violates check constraint "refuse_all"')).toBe(
      'new row for relation "operator_events" violates check constraint "refuse_all"',
    );
    expect(withoutValues('column "x" of relation "t" does not exist')).toBe('column "x" of relation "t" does not exist');
  });

  it('drops detail, where, query and params; keeps code and names', () => {
    const driver = Object.assign(new Error('invalid input syntax for type uuid: "body"'), {
      severity: 'ERROR', code: '22P02', detail: 'Key (id)=(body)', where: 'parameter $1 = body', query: 'SELECT $1', params: ['body'], table: 't',
    });
    const safe = safeError(driver) as DatabaseError;
    expect(safe).toBeInstanceOf(DatabaseError);
    expect({ ...safe, message: safe.message }).toEqual({ code: '22P02', table: 't', column: undefined, constraint: undefined, name: 'DatabaseError', message: 'invalid input syntax for type uuid: "…"' });
    expect(JSON.stringify(safe) + safe.stack).not.toContain('body');
    const plain = new Error('connect ECONNREFUSED');
    expect(safeError(plain)).toBe(plain);
  });
});
