import { describe, expect, it } from 'vitest';
import { fromCopyText, inlineParams, sqlLiteral, toCopyText } from './copy-text.js';

describe('COPY text format', () => {
  it('round-trips awkward values', () => {
    const rows = [
      ['plain', null, ''],
      ['tab\there', 'new\nline', 'back\\slash'],
      ['Zakład Łódź', 'Dupont & Fils <Export>', 'cr\rend'],
    ];
    expect(fromCopyText(toCopyText(rows))).toEqual(rows);
    expect(toCopyText([])).toBe('');
  });

  it('reads the escapes PostgreSQL writes', () => {
    expect(fromCopyText('a\\bb\t\\101\t\\x41\t\\N\n')).toEqual([['a\bb', 'A', 'A', null]]);
  });

  it('makes literals that cannot break out of the string', () => {
    expect(sqlLiteral("O'Brien")).toBe("'O''Brien'");
    expect(sqlLiteral(42)).toBe('42');
    expect(() => sqlLiteral('a\u0000b')).toThrow();
    expect(() => sqlLiteral(Number.NaN)).toThrow();
    expect(() => sqlLiteral({})).toThrow();
    expect(inlineParams('SELECT $1, $10, $2', ['a', 'b', 3, 4, 5, 6, 7, 8, 9, "x'y"])).toBe("SELECT 'a', 'x''y', 'b'");
  });
});
