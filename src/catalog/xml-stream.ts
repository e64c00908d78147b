// XML bytes → plain values with sax in strict mode, record by record: each element at the records
// pointer is handed to `onRecord` as soon as it closes and replaced in the document by its index, so
// a large list never exists as one tree. The values are those xml2js gave with
// { explicitArray: false, mergeAttrs: true, emptyTag: '' } (the shape the partner schemas describe).
//
// Well-formedness (XML 1.0) is checked here, including what sax lets through: repeated attributes,
// `<` in attribute values, characters outside XML's Char production, `]]>` in text, named entities
// other than the five predefined ones, DTDs, processing instructions, a misplaced XML declaration.
import sax from 'sax';
import { AppError } from '../errors.js';
import type { PointerKeys } from './pointer.js';

function malformed(message: string): AppError {
  return new AppError('PAYLOAD_MALFORMED', message);
}

const NOT_WELL_FORMED = 'The message is not well-formed XML.';

/** Bytes decoded per sax write: small enough to keep memory flat, large enough to be cheap. */
const CHUNK_BYTES = 1 << 18;

/** Characters XML 1.0 does not allow anywhere (lone surrogates never survive strict UTF-8 decoding). */
// eslint-disable-next-line no-control-regex -- these control characters are exactly what is refused
const FORBIDDEN_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

/**
 * References sax accepts but XML does not: its entity lookup also tries the lower-cased name (`&AMP;`)
 * and it reads `&#X41;`. Checked on the raw text, so a comment or CDATA section spelling one
 * literally is refused too (conservative, and never seen in a partner list).
 */
const MISCASED_REFERENCE = /&(?:#X|(?!(?:amp|lt|gt|quot|apos);)(?:[Aa][Mm][Pp]|[Ll][Tt]|[Gg][Tt]|[Qq][Uu][Oo][Tt]|[Aa][Pp][Oo][Ss]);)/;

/** The XML declaration's pseudo-attributes, in their fixed order (XML 1.0 production 23). */
const DECLARATION_BODY =
  /^version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*$/;

/** One `name="value"` pair of a start tag as sax accepted it (values cannot hold their quote). */
const ATTRIBUTE = /[ \t\r\n][^ \t\r\n=]+[ \t\r\n]*=[ \t\r\n]*(?:"[^"]*"|'[^']*')/g;

/** xml2js's test for "no text" (JavaScript's \s, so a text of only no-break spaces counts as none). */
const BLANK = /^\s*$/;

export interface XmlShape {
  namespace: string;
  root: string;
  arrays: readonly PointerKeys[];
}

export interface XmlRecords {
  /** The records pointer from the root element, compiled; at least one key. */
  keys: PointerKeys;
  /** Called with each record's value (prefixes stripped, arrays coerced) and its index. */
  onRecord: (record: unknown, index: number) => void;
}

interface Frame {
  name: string;
  object: Record<string, unknown>;
  keys: number;
  text: string;
  cdata: boolean;
  /** Its path from the root matches the records pointer so far. */
  onRecordPath: boolean;
}

/** defineProperty for `__proto__` only: every other key is safe to assign on a plain object. */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** xml2js's assignOrPush without its prototype-chain `in`: a second value makes an array. */
function assignOrPush(frame: Frame, key: string, value: unknown): void {
  const object = frame.object;
  if (!Object.hasOwn(object, key)) {
    setOwn(object, key, value);
    frame.keys += 1;
    return;
  }
  const current = object[key];
  if (Array.isArray(current)) current.push(value);
  else setOwn(object, key, [current, value]);
}

/** The value xml2js gives a closed element. */
function valueOf(frame: Frame): unknown {
  const blank = !frame.cdata && BLANK.test(frame.text);
  if (!blank) {
    if (frame.keys === 0) return frame.text;
    assignOrPush(frame, '_', frame.text);
  }
  return frame.keys === 0 ? frame.text : frame.object;
}

/** The part of a parsed XML document the callers need: the root element's value and the record count. */
export interface XmlDocument {
  /** The root element's value (attributes merged), namespace declarations still in it. */
  root: unknown;
  rootName: string;
  /** The root's prefix ('' when unprefixed): only then are prefixes stripped. */
  prefix: string;
  records: number;
}

/**
 * Parse `bytes` (UTF-8) with sax. With `records`, each record element goes to `onRecord` and its
 * place in the document holds its index. Throws AppError PAYLOAD_MALFORMED on anything that is not
 * well-formed, and for a root other than `shape.root` in `shape.namespace` (checked at its start tag).
 */
export function parseXmlDocument(bytes: Uint8Array, shape: XmlShape, records: XmlRecords | null, prepareRecord: (value: unknown, prefix: string) => unknown): XmlDocument {
  // strictEntities (in sax since 1.2, missing from @types/sax): only the five XML entities, not HTML's.
  const options: sax.SAXOptions & { strictEntities: boolean } = { strictEntities: true, trim: false, normalize: false, xmlns: false, position: true };
  const parser = sax.parser(true, options);
  const stack: Frame[] = [];
  // The first fault, kept because sax or a listener may turn what we throw into another error.
  const state: { fault: AppError | null } = { fault: null };
  const fail = (message: string): never => {
    state.fault = malformed(message);
    throw state.fault;
  };
  let result: XmlDocument | null = null;
  let recordName: string | null = null;
  let recordCount = 0;
  let prefix = '';
  let attributes = 0;
  let textTail = '';
  let markupEnd = 0;
  // The raw text of the last two writes: a start tag or a text can straddle them.
  let chunk = '';
  let chunkStart = 0;
  let previous = '';

  const rawSlice = (start: number, end: number): string => {
    if (start >= chunkStart) return chunk.slice(start - chunkStart, end - chunkStart);
    const previousStart = chunkStart - previous.length;
    if (start < previousStart) return fail('A start tag or text is too long.');
    return previous.slice(start - previousStart) + chunk.slice(0, end - chunkStart);
  };
  const endOfMarkup = (): void => {
    textTail = '';
    markupEnd = parser.position;
  };

  parser.onerror = () => fail(NOT_WELL_FORMED);
  parser.ondoctype = () => fail('DTDs and entities are not allowed.');
  parser.onsgmldeclaration = () => fail('DTDs and entities are not allowed.');
  parser.onprocessinginstruction = (pi) => {
    if (pi.name !== 'xml' || parser.startTagPosition !== 1) return fail('XML processing instructions are not allowed.');
    const declaration = DECLARATION_BODY.exec(pi.body);
    if (!declaration) return fail(NOT_WELL_FORMED);
    const encoding = declaration[3];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) fail('The XML declaration must declare UTF-8.');
    endOfMarkup();
  };
  parser.onattribute = (attribute) => {
    // sax stores attributes with `=`: one named __proto__ would vanish without a trace (an element of
    // that name is kept as data). Refused, rather than read differently from what was sent.
    if (attribute.name === '__proto__') fail('An attribute is named __proto__.');
    attributes += 1;
  };
  parser.ontext = (text) => {
    // `]]>` may not appear in character data (`]]&gt;` may): rare, so the raw text is read only then.
    if ((textTail + text).includes(']]>')) {
      const textEnd = parser.startTagPosition - 1 > markupEnd ? parser.startTagPosition - 1 : parser.position;
      if (rawSlice(markupEnd, textEnd).includes(']]>')) fail(NOT_WELL_FORMED);
    }
    textTail = text.slice(-2);
    const top = stack[stack.length - 1];
    if (top) top.text += text;
  };
  parser.oncomment = endOfMarkup;
  parser.onclosecdata = endOfMarkup;
  parser.oncdata = (text) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    top.text += text;
    top.cdata = true;
  };
  parser.onopentag = (openTag) => {
    const tag = openTag as sax.Tag; // xmlns: false → plain tags
    if (result !== null) fail(NOT_WELL_FORMED); // a second root
    if (attributes > 0) checkStartTag(rawSlice(parser.startTagPosition - 1, parser.position), attributes, fail);
    endOfMarkup();
    attributes = 0;
    const parent = stack[stack.length - 1];
    if (!parent) prefix = checkRoot(tag, shape, fail);
    const depth = stack.length;
    const keys = records?.keys ?? [];
    const local = prefix === '' ? tag.name : tag.name.slice(tag.name.indexOf(':') + 1);
    const frame: Frame = {
      name: tag.name,
      object: {},
      keys: 0,
      text: '',
      cdata: false,
      onRecordPath: records !== null && (parent === undefined || (parent.onRecordPath && depth <= keys.length && keys[depth - 1] === local)),
    };
    for (const name of Object.keys(tag.attributes)) assignOrPush(frame, name, tag.attributes[name]);
    stack.push(frame);
  };
  parser.onclosetag = () => {
    endOfMarkup();
    const frame = stack.pop();
    if (!frame) return;
    const value = valueOf(frame);
    const parent = stack[stack.length - 1];
    if (!parent) {
      result = { root: value, rootName: frame.name, prefix, records: recordCount };
      return;
    }
    if (records && frame.onRecordPath && stack.length === records.keys.length) {
      // Two spellings of one record element (`eu:Operator`, `Operator`) would be two keys in the tree.
      if (recordName !== null && frame.name !== recordName) fail('Two elements or attributes have the same local name.');
      recordName = frame.name;
      records.onRecord(prepareRecord(value, prefix), recordCount);
      assignOrPush(parent, frame.name, recordCount);
      recordCount += 1;
      return;
    }
    assignOrPush(parent, frame.name, value);
  };

  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    let at = 0;
    do {
      const end = Math.min(at + CHUNK_BYTES, bytes.byteLength);
      const text = decodeChunk(decoder, bytes.subarray(at, end), end === bytes.byteLength);
      if (FORBIDDEN_CHAR.test(text)) fail('The message holds a character XML 1.0 does not allow.');
      if (MISCASED_REFERENCE.test(chunk.slice(-6) + text)) fail(NOT_WELL_FORMED);
      previous = chunk;
      chunkStart += chunk.length;
      chunk = text;
      parser.write(text);
      at = end;
    } while (at < bytes.byteLength);
    parser.close();
  } catch (err) {
    if (state.fault !== null) throw state.fault;
    if (err instanceof AppError) throw err;
    // Anything sax or a listener throws on hostile input: the input is at fault.
    throw malformed(NOT_WELL_FORMED);
  }
  if (result === null) throw malformed('The message is empty.');
  return result;
}

function decodeChunk(decoder: InstanceType<typeof TextDecoder>, bytes: Uint8Array, last: boolean): string {
  try {
    return decoder.decode(bytes, { stream: !last });
  } catch {
    throw malformed('The message is not valid UTF-8.');
  }
}

/** sax keeps the first of two equal attribute names and drops the other silently; a value may hold `<`. */
function checkStartTag(raw: string, seen: number, fail: (message: string) => never): void {
  if (raw.indexOf('<', 1) !== -1) fail(NOT_WELL_FORMED);
  const written = raw.match(ATTRIBUTE)?.length ?? 0;
  if (written !== seen) fail('An element repeats an attribute.');
}

/** The root's name and namespace declaration, at its start tag; returns its prefix. */
function checkRoot(tag: sax.Tag, shape: XmlShape, fail: (message: string) => never): string {
  const colon = tag.name.indexOf(':');
  const prefix = colon === -1 ? '' : tag.name.slice(0, colon);
  if (tag.name.slice(colon + 1) !== shape.root) fail(`The root element must be ${shape.root}.`);
  const nsAttribute = prefix ? `xmlns:${prefix}` : 'xmlns';
  if (!Object.hasOwn(tag.attributes, nsAttribute) || tag.attributes[nsAttribute] !== shape.namespace) {
    fail(`The root element must be in namespace ${shape.namespace}.`);
  }
  return prefix;
}
