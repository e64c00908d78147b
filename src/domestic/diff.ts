// Compare an import with the current register (pure): the statements to append, counts, and the guard.
import type { Counts } from '../exchange/types.js';
import type { Enterprise, ImportKind } from './types.js';

/** The inbound run's counts, same meaning. */
export type RegisterCounts = Counts;

export interface RegisterDiff {
  /** New statements about enterprises (added or changed). */
  upserts: Enterprise[];
  /** Enterprises a FULL import no longer lists: they leave the register. */
  removals: Enterprise[];
  counts: RegisterCounts;
  before: number;
}

const KEYS: readonly (keyof Enterprise)[] = [
  'uscc', 'nameZh', 'nameEn', 'addressZh', 'addressEn', 'level', 'status', 'statusSince', 'levelSince', 'rectificationUntil', 'registeringCustoms',
];

export function sameEnterprise(a: Enterprise, b: Enterprise): boolean {
  return KEYS.every((k) => a[k] === b[k]);
}

export function diffRegister(kind: ImportKind, current: ReadonlyMap<string, Enterprise>, incoming: readonly Enterprise[]): RegisterDiff {
  const upserts: Enterprise[] = [];
  let added = 0;
  let changed = 0;
  const listed = new Set<string>();
  for (const e of incoming) {
    listed.add(e.customsCode);
    const was = current.get(e.customsCode);
    if (!was) added++;
    else if (!sameEnterprise(was, e)) changed++;
    else continue;
    upserts.push(e);
  }
  const removals = kind === 'FULL' ? [...current.values()].filter((e) => !listed.has(e.customsCode)) : [];
  return {
    upserts,
    removals,
    counts: { received: incoming.length, added, changed, removed: removals.length, unchanged: incoming.length - added - changed, invalid: 0 },
    before: current.size,
  };
}

/** Why a FULL import is held for approval (empty, or removing more than `maxRemovalRatio`), or null. */
export function guardImport(kind: ImportKind, diff: RegisterDiff, maxRemovalRatio = 0.2): { reason: 'EMPTY_LIST' | 'MASS_REMOVAL'; message: string } | null {
  if (kind !== 'FULL') return null;
  if (diff.counts.received === 0) return { reason: 'EMPTY_LIST', message: 'The FULL import holds no enterprises; it is held for approval.' };
  if (diff.before > 0 && diff.counts.removed / diff.before > maxRemovalRatio) {
    return {
      reason: 'MASS_REMOVAL',
      message: `The import would remove ${diff.counts.removed} of ${diff.before} enterprises, over ${maxRemovalRatio * 100}%; it is held for approval.`,
    };
  }
  return null;
}
