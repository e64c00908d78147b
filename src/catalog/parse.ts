// Bytes → plain values, safely: strict UTF-8, JSON without repeated keys or well-formed XML 1.0
// (no DTDs, entities or processing instructions), XML namespace and root checked, array-shaped
// elements made arrays. parseList hands records over one at a time; parsePayload builds it all.
// Messages never quote the payload: they end up in logs and exchange records.
import { AppError } from '../errors.js';
import { scanJson } from './json-scan.js';
import { compilePointer, getAt, type PointerKeys } from './pointer.js';
import type { PayloadFormat } from './types.js';
import { parseXmlDocument, setOwn, type XmlDocument, type XmlShape } from './xml-stream.js';

export interface XmlParseSettings {
  namespace: string;
  root: string;
  arrays: readonly string[];
}

function malformed(message: string): AppError {
  return new AppError('PAYLOAD_MALFORMED', message);
}

/** Strict UTF-8; the decoder drops a leading BOM itself (ignoreBOM: false). */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw malformed('The message is not valid UTF-8.');
  }
}

/**
 * Parse a whole list message. Rejects with AppError PAYLOAD_MALFORMED for anything a partner could get wrong.
 */
export function parsePayload(bytes: Uint8Array, format: PayloadFormat, xml?: XmlParseSettings): Promise<unknown> {
  try {
    if (format === 'json') return Promise.resolve(parseJson(decodeUtf8(bytes)));
    if (!xml) throw new Error('XML settings are required to parse an XML payload');
    return Promise.resolve(parseXml(bytes, xml));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** A list read record by record: the envelope holds each record's index in its place. */
export type ParsedList =
  | { split: true; envelope: unknown; records: number }
  /** The records were not where the pointer says (the schema will say so): the whole document. */
  | { split: false; document: unknown };

export type RecordHandler = (record: unknown, index: number) => void;

/**
 * Parse a list, handing each record at `recordsKeys` to `onRecord` as soon as it is read. When the
 * records turn out not to be one array at that place, the result is the whole document instead
 * (and the records handed over must be forgotten).
 */
export function parseList(bytes: Uint8Array, format: PayloadFormat, xml: XmlParseSettings | undefined, recordsKeys: PointerKeys, onRecord: RecordHandler): ParsedList {
  if (format === 'json') return parseJsonList(decodeUtf8(bytes), recordsKeys, onRecord);
  if (!xml) throw new Error('XML settings are required to parse an XML payload');
  if (recordsKeys.length === 0) return { split: false, document: parseXml(bytes, xml) };
  const shape = xmlShape(xml);
  const recordArrays = shape.arrays.filter((keys) => keys.length > recordsKeys.length && recordsKeys.every((k, i) => keys[i] === k)).map((keys) => keys.slice(recordsKeys.length));
  const prepare = (value: unknown, prefix: string): unknown => {
    if (prefix) stripPrefixes(value);
    for (const keys of recordArrays) coerceToArray(value, keys);
    return value;
  };
  const document = parseXmlDocument(bytes, shape, { keys: recordsKeys, onRecord }, prepare);
  const envelope = finishRoot(document, shape);
  if (holdsIndexes(getAt(envelope, recordsKeys), document.records)) return { split: true, envelope, records: document.records };
  return { split: false, document: parseXml(bytes, xml) };
}

/** The records array is exactly [0, 1, …, count - 1]: every record was read at the pointer, in order. */
function holdsIndexes(value: unknown, count: number): boolean {
  if (!Array.isArray(value) || value.length !== count) return false;
  for (let i = 0; i < count; i++) if (value[i] !== i) return false;
  return true;
}

function parseJsonList(text: string, recordsKeys: PointerKeys, onRecord: RecordHandler): ParsedList {
  const layout = scanJson(text, recordsKeys);
  if (layout.array === null) return { split: false, document: jsonParse(text) };
  const [start, end] = layout.array;
  const envelope = jsonParse(`${text.slice(0, start)}[]${text.slice(end)}`);
  const count = layout.records.length / 2;
  const indexes = Array.from({ length: count }, (_, i) => i);
  const parent = getAt(envelope, recordsKeys.slice(0, -1));
  const last = recordsKeys[recordsKeys.length - 1];
  if (last === undefined || parent === null || typeof parent !== 'object') return { split: false, document: jsonParse(text) };
  setOwn(parent as Record<string, unknown>, last, indexes);
  for (let i = 0; i < count; i++) onRecord(jsonParse(text.slice(layout.records[2 * i], layout.records[2 * i + 1])), i);
  return { split: true, envelope, records: count };
}

function parseJson(text: string): unknown {
  scanJson(text, null);
  return jsonParse(text);
}

function jsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed('The message is not valid JSON.');
  }
}

function xmlShape(settings: XmlParseSettings): XmlShape {
  return { namespace: settings.namespace, root: settings.root, arrays: settings.arrays.map(compilePointer) };
}

function parseXml(bytes: Uint8Array, settings: XmlParseSettings): unknown {
  const shape = xmlShape(settings);
  return finishRoot(parseXmlDocument(bytes, shape, null, (value) => value), shape);
}

/** The root element as the schema sees it: namespace declarations dropped, prefixes stripped, arrays made. */
function finishRoot(document: XmlDocument, shape: XmlShape): Record<string, unknown> {
  const root = document.root;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw malformed(`The root element must be ${shape.root} in namespace ${shape.namespace}.`);
  }
  const element = root as Record<string, unknown>;
  // Namespace declarations on the root are syntax, not data; anything else is left for the schema.
  for (const key of Object.keys(element)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) delete element[key];
  }
  if (document.prefix) stripPrefixes(element);
  for (const keys of shape.arrays) coerceToArray(element, keys);
  return element;
}

/** In place, iteratively (documents can nest deeper than the call stack): `eu:Name` → `Name`. */
function stripPrefixes(top: unknown): void {
  const stack: unknown[] = [top];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      stack.push(...(value as unknown[]));
      continue;
    }
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const child = object[key];
      stack.push(child);
      const colon = key.indexOf(':');
      if (colon === -1 || key.startsWith('xmlns:')) continue;
      const local = key.slice(colon + 1);
      if (Object.hasOwn(object, local)) throw malformed('Two elements or attributes have the same local name.');
      delete object[key];
      setOwn(object, local, child);
    }
  }
}

/**
 * In place: make the value at `keys` an array (absent → [], one element → [it]). An array met on
 * the way applies the rule to each of its elements, so `/Operator/Contact` works for every Operator.
 */
export function coerceToArray(value: unknown, keys: PointerKeys, from = 0): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) coerceToArray(item, keys, from);
    return;
  }
  const key = keys[from];
  if (key === undefined) return;
  const object = value as Record<string, unknown>;
  const present = Object.hasOwn(object, key);
  if (from === keys.length - 1) {
    const current = present ? object[key] : undefined;
    if (!present) setOwn(object, key, []);
    else if (!Array.isArray(current)) setOwn(object, key, [current]);
    return;
  }
  if (present) coerceToArray(object[key], keys, from + 1);
}
