// What a sample's raw records say about a mapping (pure): the share of records each mapped field
// finds a value in, the pointers present that the mapping never reads, and the mapping pointers
// that match nothing in any record (a typo, most often).
import { mappingPointers } from '../catalog/mapping-pointers.js';
import type { CompiledMapping } from '../catalog/map.js';
import { compilePointer, escapePointerToken, getAt } from '../catalog/pointer.js';

export interface SampleFields {
  fieldCoverage: Record<string, number>;
  unmappedFields: string[];
  /** Mapping pointers with no value anywhere in the sample, with where they sit in the manifest. */
  unmatched: { at: string; pointer: string }[];
}

const MAX_UNMAPPED = 200;
const round = (x: number): number => Math.round(x * 10_000) / 10_000;

const isPresent = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** Leaf pointers of one record (scalars, empty objects and arrays), added to `into`. */
function leaves(value: unknown, at: string, into: Set<string>, depth = 0): void {
  if (into.size >= MAX_UNMAPPED * 4 || depth > 16) return;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length === 0) into.add(at);
    for (const [k, v] of entries) leaves(v, `${at}/${escapePointerToken(k)}`, into, depth + 1);
    return;
  }
  into.add(at);
}

export function inspectSample(parsed: unknown, mapping: CompiledMapping): SampleFields {
  const raw = getAt(parsed, mapping.recordsKeys);
  const records: unknown[] = Array.isArray(raw) ? raw : [];
  const r = mapping.record;
  const readers = {
    partnerId: [r.partnerId],
    declaredCode: [r.declaredCode],
    aliases: [...r.aliases],
    name: [r.name],
    tier: [r.tier],
    status: [r.status],
    partnerStatus: [r.partnerStatus],
    ...(r.statusSince ? { statusSince: [r.statusSince] } : {}),
    ...(r.validUntil ? { validUntil: [r.validUntil] } : {}),
  };
  const fieldCoverage: Record<string, number> = {};
  for (const [field, list] of Object.entries(readers)) {
    if (list.length === 0) continue;
    const withValue = records.filter((rec) => list.some((reader) => typeof reader.read(rec) === 'string')).length;
    fieldCoverage[field] = records.length === 0 ? 0 : round(withValue / records.length);
  }

  const pointers = mappingPointers(mapping.spec);
  const read = pointers.filter((p) => p.base === 'record').map((p) => p.pointer);
  const present = new Set<string>();
  for (const rec of records) leaves(rec, '', present);
  const unmappedFields = [...present]
    .filter((leaf) => !read.some((p) => leaf === p || leaf.startsWith(`${p}/`)))
    .sort()
    .slice(0, MAX_UNMAPPED);

  const unmatched = pointers
    .filter((p) => {
      const keys = compilePointer(p.pointer);
      return p.base === 'message' ? !isPresent(getAt(parsed, keys)) : !records.some((rec) => isPresent(getAt(rec, keys)));
    })
    .map((p) => ({ at: p.at, pointer: p.pointer }));
  return { fieldCoverage, unmappedFields, unmatched };
}
