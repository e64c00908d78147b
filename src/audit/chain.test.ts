import { describe, expect, it } from 'vitest';
import { canonicalJson, firstBrokenLink, GENESIS_HASH, rowHash, type AuditContent, type ChainedRow } from './chain.js';

const content = (id: number, overrides: Partial<AuditContent> = {}): AuditContent => ({
  id,
  at: `2026-12-01T10:00:0${id}.000Z`,
  actor: 'wang.li',
  scopes: ['admin'],
  action: 'registry.edit',
  target: 'CN-XK',
  outcome: 'DONE',
  note: null,
  before: null,
  after: { b: 1, a: [1, { d: 2, c: 3 }] },
  requestId: 'r-1',
  ...overrides,
});

function chain(n: number): ChainedRow[] {
  const rows: ChainedRow[] = [];
  let prev = GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const c = content(id);
    const hash = rowHash(prev, c);
    rows.push({ ...c, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('audit hash chain', () => {
  it('hashes content independently of key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}');
    const reordered = content(1, { after: { a: [1, { c: 3, d: 2 }], b: 1 } });
    expect(rowHash(GENESIS_HASH, reordered)).toBe(rowHash(GENESIS_HASH, content(1)));
    expect(rowHash(GENESIS_HASH, content(1, { note: 'x' }))).not.toBe(rowHash(GENESIS_HASH, content(1)));
    expect(rowHash('f'.repeat(64), content(1))).not.toBe(rowHash(GENESIS_HASH, content(1)));
  });

  it('holds for an untouched chain', () => {
    expect(firstBrokenLink(chain(5), GENESIS_HASH)).toBeNull();
    expect(firstBrokenLink([], GENESIS_HASH)).toBeNull();
  });

  it('names the first row changed, removed or rehashed', () => {
    const changed = chain(5);
    changed[2] = { ...changed[2]!, actor: 'someone.else' };
    expect(firstBrokenLink(changed, GENESIS_HASH)).toMatchObject({ id: 3, problem: expect.stringContaining('content does not match') });

    const removed = chain(5).filter((r) => r.id !== 2);
    expect(firstBrokenLink(removed, GENESIS_HASH)).toMatchObject({ id: 3, problem: expect.stringContaining('prev_hash') });

    // Changed and given a fresh hash: the next row's link breaks.
    const rehashed = chain(5);
    const forged = content(2, { outcome: 'REFUSED' });
    rehashed[1] = { ...forged, prevHash: rehashed[1]!.prevHash, hash: rowHash(rehashed[1]!.prevHash, forged) };
    expect(firstBrokenLink(rehashed, GENESIS_HASH)).toMatchObject({ id: 3 });
  });
});
