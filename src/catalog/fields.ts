// Field specs of the mapping language compiled into readers: pointer, template or value map.
// A reader returns the text found, undefined when there is none, or a FieldFault (never throws),
// so mapping 100 000 records allocates nothing per field beyond the strings themselves.
import { compileGetter, compilePointer, isJsonPointer, type JsonPointer } from './pointer.js';
import type { FieldSpec, Template } from './types.js';

export class FieldFault {
  constructor(readonly message: string) {}
}

export const NOT_TEXT = new FieldFault('must be a text or a number');
export const NO_MAPPING = new FieldFault('has a value the partner mapping does not know');

export type FieldValue = string | undefined | FieldFault;

export interface FieldReader {
  /** The pointer reported in problems (a template's first placeholder, a value map's `from`). */
  readonly path: JsonPointer;
  read(node: unknown): FieldValue;
}

/** Text of a scalar: strings as they are, finite numbers stringified; null, absent and "" are "no value". */
function textOf(value: unknown): FieldValue {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : NOT_TEXT;
  if (value === undefined || value === null) return undefined;
  return NOT_TEXT;
}

export function pointerReader(pointer: JsonPointer): FieldReader {
  const get = compileGetter(compilePointer(pointer));
  return { path: pointer, read: (node) => textOf(get(node)) };
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** `"HK{/aeoNumber}"` → literals and pointers; at least one placeholder, no stray braces. */
export function parseTemplate(template: Template): { literals: string[]; pointers: JsonPointer[] } {
  const literals: string[] = [];
  const pointers: JsonPointer[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const pointer = match[1] ?? '';
    if (pointer === '' || !isJsonPointer(pointer)) throw new Error(`template "${template}": "{${pointer}}" is not a JSON pointer`);
    literals.push(template.slice(last, match.index));
    pointers.push(pointer);
    last = match.index + match[0].length;
  }
  literals.push(template.slice(last));
  if (literals.some((l) => l.includes('{') || l.includes('}'))) throw new Error(`template "${template}" has an unmatched brace`);
  if (pointers.length === 0) throw new Error(`template "${template}" has no {pointer} placeholder`);
  return { literals, pointers };
}

/** Any placeholder without a value makes the whole result "no value" (so `HK` alone is never produced). */
export function templateReader(template: Template): FieldReader {
  const { literals, pointers } = parseTemplate(template);
  const getters = pointers.map((p) => compileGetter(compilePointer(p)));
  const head = literals[0] ?? '';
  return {
    path: pointers[0] ?? '',
    read(node) {
      let out = head;
      for (let i = 0; i < getters.length; i++) {
        const text = textOf(getters[i]?.(node));
        if (text === undefined || text instanceof FieldFault) return text;
        out += text + (literals[i + 1] ?? '');
      }
      return out;
    },
  };
}

/** The value at `from` looked up in `map` (a Map: partner words can never hit Object.prototype). */
export function valueMapReader(from: JsonPointer, map: Readonly<Record<string, string>>): FieldReader {
  const get = compileGetter(compilePointer(from));
  const table = new Map(Object.entries(map));
  return {
    path: from,
    read(node) {
      const text = textOf(get(node));
      if (text === undefined || text instanceof FieldFault) return text;
      return table.get(text) ?? NO_MAPPING;
    },
  };
}

export function fieldReader(spec: FieldSpec): FieldReader {
  if (typeof spec === 'string') return pointerReader(spec);
  if ('template' in spec) return templateReader(spec.template);
  return valueMapReader(spec.from, spec.map);
}
