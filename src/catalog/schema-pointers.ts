// "Does this JSON pointer name a place the payload schema describes?" (pure). The schema is walked
// through properties, patternProperties, items, local $refs and allOf/anyOf/oneOf/if-then-else.
// A schema that describes nothing at some level (no properties at all) leaves the pointer open:
// only a schema that lists the properties of an object can say a name is not among them.
import { compilePointer, getAt, type JsonPointer, type PointerKeys } from './pointer.js';

type Node = unknown;
type Step = { found: Node[]; open: boolean };

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
const MAX_DEPTH = 32;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function deref(root: Node, node: Node): Node {
  for (let hops = 0; hops < 16 && isObject(node) && typeof node.$ref === 'string'; hops++) {
    const ref = node.$ref;
    if (ref !== '#' && !ref.startsWith('#/')) return true; // not local: cannot tell, so open
    node = getAt(root, compilePointer(ref.slice(1)));
  }
  return node;
}

function patternMatches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(key);
  } catch {
    return false;
  }
}

/** The subschemas that describe `key` under `node`, or `open` when the node does not describe its children. */
function step(root: Node, raw: Node, key: string, depth: number): Step {
  const node = deref(root, raw);
  if (node === true || node === undefined || depth > MAX_DEPTH) return { found: [], open: true };
  if (!isObject(node)) return { found: [], open: false };
  // A scalar has no children to point into.
  const types = typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? (node.type as unknown[]) : null;
  if (types && !types.includes('object') && !types.includes('array')) return { found: [], open: false };
  const found: Node[] = [];
  let describes = false;
  if (isObject(node.properties)) {
    describes = true;
    if (Object.hasOwn(node.properties, key)) found.push(node.properties[key]);
  }
  if (isObject(node.patternProperties)) {
    describes = true;
    for (const [pattern, sub] of Object.entries(node.patternProperties)) if (patternMatches(pattern, key)) found.push(sub);
  }
  if (isObject(node.additionalProperties)) found.push(node.additionalProperties);
  if (node.additionalProperties === false) describes = true;
  if (ARRAY_INDEX.test(key) && (node.items !== undefined || Array.isArray(node.prefixItems))) {
    describes = true;
    const prefix = Array.isArray(node.prefixItems) ? (node.prefixItems as Node[])[Number(key)] : undefined;
    found.push(prefix ?? node.items ?? true);
  }
  const parts = ['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(node[k]) ? (node[k] as Node[]) : []));
  for (const k of ['then', 'else']) if (node[k] !== undefined) parts.push(node[k]);
  for (const part of parts) {
    const sub = step(root, part, key, depth + 1);
    found.push(...sub.found);
    // A combinator part that describes children makes the node describe them too.
    if (!sub.open) describes = true;
  }
  return { found, open: found.length === 0 && !describes };
}

/** True when the schema describes the place `keys` leads to, or leaves it open somewhere on the way. */
function reaches(root: Node, from: Node[], keys: PointerKeys): boolean {
  let current = from;
  for (const key of keys) {
    const next: Node[] = [];
    for (const node of current) {
      const s = step(root, node, key, 0);
      if (s.open) return true;
      next.push(...s.found);
    }
    if (next.length === 0) return false;
    current = next;
  }
  return true;
}

/** The schemas of one record: the `items` of the array at `recordsPointer` (open → [true]). */
function recordSchemas(root: Node, recordsPointer: JsonPointer): Node[] {
  let current: Node[] = [root];
  for (const key of [...compilePointer(recordsPointer), '0']) {
    const next: Node[] = [];
    for (const node of current) {
      const s = step(root, node, key, 0);
      if (s.open) return [true];
      next.push(...s.found);
    }
    current = next;
  }
  return current;
}

/** Whether `pointer` (from the message root, or from one record) exists in the payload schema. */
export function pointerInSchema(schema: Record<string, unknown>, recordsPointer: JsonPointer, pointer: JsonPointer, base: 'message' | 'record'): boolean {
  const from = base === 'message' ? [schema] : recordSchemas(schema, recordsPointer);
  return reaches(schema, from, compilePointer(pointer));
}
