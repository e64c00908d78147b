// Every JSON pointer a mapping reads, with where it sits in the manifest: checked against the payload
// schema when a draft is made, and against a sample's records in a dry run.
import { parseTemplate } from './fields.js';
import type { JsonPointer } from './pointer.js';
import type { FieldSpec, MappingSpec } from './types.js';

export interface MappingPointer {
  /** Where in the manifest, e.g. `/mapping/record/status/from`. */
  at: string;
  pointer: JsonPointer;
  /** Header pointers start at the message root, record pointers at one record. */
  base: 'message' | 'record';
  /** The record field it feeds (`name`, `aliases`, …); null for header pointers and checks. */
  field: string | null;
}

function fieldPointers(spec: FieldSpec, at: string): { at: string; pointer: JsonPointer }[] {
  if (typeof spec === 'string') return [{ at, pointer: spec }];
  if ('template' in spec) return parseTemplate(spec.template).pointers.map((pointer) => ({ at: `${at}/template`, pointer }));
  return [{ at: `${at}/from`, pointer: spec.from }];
}

/** Pointers in manifest order. Assumes a mapping that compiled (templates parse). */
export function mappingPointers(mapping: MappingSpec): MappingPointer[] {
  const out: MappingPointer[] = [];
  for (const [name, pointer] of Object.entries(mapping.header) as [string, JsonPointer][]) out.push({ at: `/mapping/header/${name}`, pointer, base: 'message', field: null });
  out.push({ at: '/mapping/records', pointer: mapping.records, base: 'message', field: null });
  const r = mapping.record;
  const fields: [string, FieldSpec | null | undefined][] = [
    ['partnerId', r.partnerId],
    ['declaredCode', r.declaredCode],
    ['name', r.name],
    ['tier', r.tier],
    ['status', r.status],
    ['partnerStatus', r.partnerStatus],
    ['statusSince', r.statusSince],
    ['validUntil', r.validUntil],
  ];
  for (const [field, spec] of fields) {
    if (spec === undefined || spec === null) continue;
    for (const p of fieldPointers(spec, `/mapping/record/${field}`)) out.push({ ...p, base: 'record', field });
  }
  r.aliases.forEach((template, i) => {
    for (const p of fieldPointers({ template }, `/mapping/record/aliases/${i}`)) out.push({ at: p.at.replace(/\/template$/, ''), pointer: p.pointer, base: 'record', field: 'aliases' });
  });
  mapping.checks.forEach((check, i) => out.push({ at: `/mapping/checks/${i}/pointer`, pointer: check.pointer, base: 'record', field: null }));
  return out;
}
