// Bytes → a plain value, safely: strict UTF-8, JSON or XML (no DTDs, entities or processing
// instructions), XML namespace and root checked, array-shaped elements made arrays.
// Messages never quote the payload: they end up in logs and exchange records.
import xml2js from 'xml2js';
import { AppError } from '../errors.js';
import { compilePointer, type PointerKeys } from './pointer.js';
import type { PayloadFormat } from './types.js';

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
 * Parse a list message. Rejects with AppError PAYLOAD_MALFORMED for anything a partner could get wrong.
 * Asynchronous by contract so the work can move off the main thread later without changing callers.
 */
export function parsePayload(bytes: Uint8Array, format: PayloadFormat, xml?: XmlParseSettings): Promise<unknown> {
  try {
    const text = decodeUtf8(bytes);
    if (format === 'json') return Promise.resolve(parseJson(text));
    if (!xml) throw new Error('XML settings are required to parse an XML payload');
    return Promise.resolve(parseXml(text, xml));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed('The message is not valid JSON.');
  }
}

const XML_DECLARATION = /^<\?xml[ \t\r\n][^?]*\?>/;
const DECLARED_ENCODING = /\bencoding\s*=\s*["']([^"']*)["']/;

/**
 * Refuse markup that can expand or fetch content, before any XML parser sees the text:
 * `<!DOCTYPE`, `<!ENTITY` (and any other `<!` declaration except comments and CDATA), and every
 * processing instruction except the XML declaration at the very start.
 */
export function assertNoDangerousMarkup(text: string): void {
  for (let at = text.indexOf('<!'); at !== -1; at = text.indexOf('<!', at + 2)) {
    if (text.startsWith('<!--', at) || text.startsWith('<![CDATA[', at)) continue;
    throw malformed('DTDs and entities are not allowed.');
  }
  const declaration = XML_DECLARATION.exec(text);
  if (declaration) {
    const encoding = DECLARED_ENCODING.exec(declaration[0])?.[1];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) throw malformed('The XML declaration must declare UTF-8.');
  }
  const firstAllowed = declaration ? 0 : -1;
  for (let at = text.indexOf('<?'); at !== -1; at = text.indexOf('<?', at + 2)) {
    if (at !== firstAllowed) throw malformed('XML processing instructions are not allowed.');
  }
}

/** The part of xml2js's Parser we drive directly (its `saxParser`, stable since xml2js 0.4). */
interface SaxStream {
  write(text: string): SaxStream;
  close(): SaxStream;
}

class XmlFault extends Error {}

/**
 * Run xml2js on the whole text and insist on exactly one root and no error anywhere. xml2js's own
 * parseString settles at the root's end tag and drops later errors (text or a second root after it),
 * so the events are watched here instead; throwing from a listener stops sax at the first fault.
 */
function runParser(parser: xml2js.Parser, text: string): unknown {
  const sax = (parser as unknown as { saxParser?: SaxStream }).saxParser;
  if (!sax || typeof sax.write !== 'function') throw new Error('unsupported xml2js version: no saxParser');
  let roots = 0;
  let document: unknown = null;
  parser.on('end', (result: unknown) => {
    roots += 1;
    if (roots > 1) throw new XmlFault('more than one root element');
    document = result;
  });
  parser.on('error', (err: unknown) => {
    throw new XmlFault(err instanceof Error ? err.message : 'parse error');
  });
  // sax stores attributes with `=`, so one named __proto__ would vanish without a trace (an element
  // of that name is kept as data): refused, rather than read differently from what was sent.
  (sax as SaxStream & { onattribute?: (a: { name: string }) => void }).onattribute = ({ name }) => {
    if (name === '__proto__') throw malformed('An attribute is named __proto__.');
  };
  try {
    sax.write(text).close();
  } catch (err) {
    if (err instanceof AppError) throw err;
    // XmlFault, or anything xml2js throws on hostile input: either way the input is at fault.
    throw malformed('The message is not well-formed XML.');
  }
  return document;
}

function parseXml(text: string, settings: XmlParseSettings): unknown {
  assertNoDangerousMarkup(text);
  // No name processors: they cost ~30 % of the parse time on a 100 000-operator list. Prefixes are
  // stripped afterwards, and only when the root is prefixed (the contract formats use xmlns="...").
  const parser = new xml2js.Parser({ strict: true, explicitArray: false, explicitRoot: true, mergeAttrs: true, xmlns: false, emptyTag: '' });
  const document = runParser(parser, text);
  if (document === null || typeof document !== 'object') throw malformed('The message is empty.');
  const entries = Object.entries(document);
  const [rawRootName, root] = entries[0] ?? [];
  const colon = rawRootName?.indexOf(':') ?? -1;
  const prefix = colon === -1 ? '' : (rawRootName ?? '').slice(0, colon);
  if (entries.length !== 1 || rawRootName === undefined || rawRootName.slice(colon + 1) !== settings.root) {
    throw malformed(`The root element must be ${settings.root}.`);
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw malformed(`The root element must be ${settings.root} in namespace ${settings.namespace}.`);
  }
  const element = root as Record<string, unknown>;
  const nsAttribute = prefix ? `xmlns:${prefix}` : 'xmlns';
  if (!Object.hasOwn(element, nsAttribute) || element[nsAttribute] !== settings.namespace) {
    throw malformed(`The root element must be in namespace ${settings.namespace}.`);
  }
  // Namespace declarations on the root are syntax, not data; anything else is left for the schema.
  for (const key of Object.keys(element)) {
    if (key === 'xmlns' || key.startsWith('xmlns:')) delete element[key];
  }
  if (prefix) stripPrefixes(element);
  for (const pointer of settings.arrays) coerceToArray(element, compilePointer(pointer));
  return element;
}

/** In place, iteratively (documents can nest deeper than the call stack): `eu:Name` → `Name`. */
function stripPrefixes(top: Record<string, unknown>): void {
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

/** defineProperty, not `=`: a key named `__proto__` must become data, never a prototype. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}
