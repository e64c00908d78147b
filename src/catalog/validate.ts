// A partner's payload schema compiled once into `(parsed) → Problem[]`.
//
// ajv with allErrors on a 100 000-record list where every record is bad would build hundreds of
// thousands of error objects. So: one fast pass without allErrors answers "valid?" (the usual case);
// only when it fails, the envelope (records replaced by `true`) and then the records one by one are
// checked with allErrors, stopping at MAX_PROBLEMS.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../json-schema.js';
import { compilePointer, escapePointerToken, getAt, splitAtArray, type JsonPointer, type PointerKeys } from './pointer.js';
import { ProblemList, type Problem } from './problems.js';

/** Checks a whole parsed message; `split` (when the schema allows) checks the envelope and each record apart. */
export interface PayloadValidator {
  (parsed: unknown): Problem[];
  readonly split: SplitPayloadValidator | null;
}

/**
 * For lists read record by record: `envelope` checks the message with every record replaced by a
 * placeholder (its index), `record` one record. Together they find what the whole check finds.
 */
export interface SplitPayloadValidator {
  envelope(envelope: unknown): Problem[];
  /** Adds the record's problems to `problems` (which stops at MAX_PROBLEMS); false when it has any. */
  record(record: unknown, index: number, problems: ProblemList): boolean;
}

/** Keywords of the records array that placeholders satisfy as the records do: the split is exact only then. */
const SPLITTABLE_ARRAY_KEYWORDS = new Set(['type', 'items', 'minItems', 'maxItems', 'description', 'title', '$comment']);

type SchemaObject = Record<string, unknown>;

const RECORD_KEY = 'urn:aeo-gateway:payload';

/**
 * Compile `schema` (a draft 2020-12 JSON Schema of the parsed message) for a list whose records
 * sit at `recordsPointer`. Throws an Error when the schema does not compile.
 */
export function compilePayloadValidator(schema: SchemaObject, recordsPointer: JsonPointer): PayloadValidator {
  const recordsKeys = compilePointer(recordsPointer);
  const itemsPath = findItemsSchema(schema, recordsKeys);
  // Start-up compiles every partner schema (in the gateway and again in the check worker): only the
  // validators of the usual path are compiled now; the allErrors ones and the whole-message one when a
  // list first needs them. A schema that does not compile still throws here.
  const fastSplit = itemsPath ? compileSplit(schema, itemsPath, false) : null;
  const split = fastSplit && itemsPath && splittable(schema, itemsPath) ? recordByRecord(fastSplit, () => slowSplit(), recordsPointer) : null;
  let fastWhole = split ? null : createAjv(false).compile(schema);
  let slow: SplitValidators | null | undefined;
  const slowSplit = (): SplitValidators | null => (slow === undefined ? (slow = itemsPath ? compileSplit(schema, itemsPath) : null) : slow);
  let slowWhole: ValidateFunction | null = null;

  const validate = (parsed: unknown): Problem[] => {
    const fast = (fastWhole ??= createAjv(false).compile(schema));
    if (fast(parsed)) return [];
    const problems = new ProblemList();
    const split2 = slowSplit();
    if (split2) {
      addErrors(problems, split2.envelope, parsed, recordsPointer, null);
      const records = getAt(parsed, recordsKeys);
      if (Array.isArray(records)) {
        for (let i = 0; i < records.length && !problems.full; i++) addErrors(problems, split2.record, records[i], '', i);
      }
    } else {
      addErrors(problems, (slowWhole ??= createAjv(true).compile(schema)), parsed, recordsPointer, null);
    }
    // The split passes found nothing the fast pass saw (an exotic schema): report its first error.
    if (problems.items.length === 0) addErrorList(problems, fast.errors ?? [], recordsPointer, null);
    if (problems.items.length === 0) problems.add(null, '', 'does not match the partner schema');
    return problems.items;
  };
  return Object.assign(validate, { split });
}

function splittable(schema: SchemaObject, itemsPath: readonly string[]): boolean {
  const array = getAt(schema, itemsPath.slice(0, -1));
  return isObject(array) && Object.keys(array).every((k) => SPLITTABLE_ARRAY_KEYWORDS.has(k));
}

/** `slow` (allErrors) is asked for only when a fast check failed. */
function recordByRecord(fast: SplitValidators, slow: () => SplitValidators | null, recordsPointer: string): SplitPayloadValidator {
  return {
    envelope(envelope) {
      if (fast.envelope(envelope)) return [];
      const problems = new ProblemList();
      const s = slow();
      if (s) addErrors(problems, s.envelope, envelope, recordsPointer, null);
      if (problems.items.length === 0) addErrorList(problems, fast.envelope.errors ?? [], recordsPointer, null);
      return problems.items;
    },
    record(record, index, problems) {
      if (fast.record(record)) return true;
      const before = problems.items.length;
      const s = slow();
      if (s) addErrors(problems, s.record, record, '', index);
      if (!problems.full && problems.items.length === before) addErrorList(problems, fast.record.errors ?? [], '', index);
      return false;
    },
  };
}

interface SplitValidators {
  envelope: ValidateFunction;
  record: ValidateFunction;
}

function compileSplit(schema: SchemaObject, itemsPath: string[], allErrors = true): SplitValidators | null {
  try {
    const envelope = createAjv(allErrors).compile(replaceAt(schema, itemsPath, true));
    const ajv = createAjv(allErrors);
    const key = typeof schema.$id === 'string' ? schema.$id : RECORD_KEY;
    if (typeof schema.$id === 'string') ajv.addSchema(schema);
    else ajv.addSchema(schema, key);
    const record = ajv.getSchema(`${key}#/${itemsPath.map(escapePointerToken).join('/')}`);
    return record ? { envelope, record } : null;
  } catch {
    return null; // fall back to one allErrors pass over the whole message
  }
}

function isObject(value: unknown): value is SchemaObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follow a local `$ref` ("#/$defs/x"), returning the target and its location. */
function deref(root: SchemaObject, node: unknown, path: string[]): { node: unknown; path: string[] } {
  for (let hops = 0; hops < 16 && isObject(node) && typeof node.$ref === 'string'; hops++) {
    const ref = node.$ref;
    if (!ref.startsWith('#/') && ref !== '#') return { node: undefined, path };
    // Sibling keywords next to $ref would also apply; too clever to split, so give up on them.
    if (Object.keys(node).some((k) => k !== '$ref' && k !== 'description' && k !== '$comment')) return { node: undefined, path };
    path = [...compilePointer(ref.slice(1))];
    node = getAt(root, path);
  }
  return { node, path };
}

/** Where the records array's `items` schema sits, following `properties` and local refs; null when not simple. */
export function findItemsSchema(root: SchemaObject, recordsKeys: PointerKeys): string[] | null {
  let at = deref(root, root, []);
  for (const key of recordsKeys) {
    if (!isObject(at.node) || !isObject(at.node.properties)) return null;
    const properties = at.node.properties;
    if (!Object.hasOwn(properties, key)) return null;
    at = deref(root, properties[key], [...at.path, 'properties', key]);
  }
  if (!isObject(at.node) || !Object.hasOwn(at.node, 'items')) return null;
  return [...at.path, 'items'];
}

/** A copy of `root` with the value at `path` replaced (structural sharing elsewhere). */
function replaceAt(root: SchemaObject, path: readonly string[], value: unknown): SchemaObject {
  const [head, ...rest] = path;
  if (head === undefined) throw new Error('empty path');
  const child = root[head];
  return { ...root, [head]: rest.length === 0 ? value : replaceAt(isObject(child) ? child : {}, rest, value) };
}

function addErrors(problems: ProblemList, validate: ValidateFunction, value: unknown, recordsPointer: string, record: number | null): void {
  if (validate(value)) return;
  addErrorList(problems, validate.errors ?? [], recordsPointer, record);
}

function addErrorList(problems: ProblemList, errors: readonly ErrorObject[], recordsPointer: string, record: number | null): void {
  for (const error of errors) {
    if (problems.full) return;
    if (error.keyword === 'if') continue; // "must match then schema": the inner error says what is wrong
    const path = errorPath(error);
    if (record !== null) {
      problems.add(record, path, error.message ?? 'is not valid');
      continue;
    }
    const inRecord = splitAtArray(path, recordsPointer);
    if (inRecord) problems.add(inRecord.index, inRecord.rest, error.message ?? 'is not valid');
    else problems.add(null, path, error.message ?? 'is not valid');
  }
}

/** The instance path, pointing at the missing or unexpected property itself when there is one. */
export function errorPath(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return `${error.instancePath}/${escapePointerToken(params.missingProperty)}`;
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${error.instancePath}/${escapePointerToken(params.additionalProperty)}`;
  }
  return error.instancePath;
}
