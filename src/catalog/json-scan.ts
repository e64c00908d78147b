// One pass over JSON text that JSON.parse cannot make: it refuses a key repeated in one object (at
// any depth: JSON.parse would silently keep the last), and finds where the records array and each
// record lie, so records can be parsed one at a time. It checks the structure (brackets, commas,
// colons, strings); the text between, numbers and literals, is left to JSON.parse of the pieces,
// which together cover every character outside the records array's own punctuation.
import { AppError } from '../errors.js';
import type { PointerKeys } from './pointer.js';

export interface JsonLayout {
  /** [start, end) of the records array's text, or null when it is not where `keys` point. */
  array: [number, number] | null;
  /** [start, end) of each record's text, flattened: 2 numbers per record. */
  records: number[];
}

const NOT_JSON = 'The message is not valid JSON.';

function malformed(message: string): AppError {
  return new AppError('PAYLOAD_MALFORMED', message);
}

/** Character codes of JSON's structural characters and spaces. */
const C = {
  Tab: 9,
  Lf: 10,
  Cr: 13,
  Space: 32,
  Quote: 34,
  Comma: 44,
  Colon: 58,
  OpenBracket: 91,
  Backslash: 92,
  CloseBracket: 93,
  OpenBrace: 123,
  CloseBrace: 125,
} as const;

/** Objects with up to this many keys keep them in an array (cheaper than a Set for records). */
const SMALL_OBJECT = 12;

interface Container {
  object: boolean;
  keys: string[];
  keySet: Set<string> | null;
  /** This container is at the path `keys[0..depth)` of the records pointer, through objects only. */
  onPath: boolean;
  depth: number;
  /** The last key read (objects), to extend the path. */
  key: string;
  records: boolean;
  /** Where the current element started (records array only). */
  elementStart: number;
}

function isSpace(c: number): boolean {
  return c === C.Space || c === C.Lf || c === C.Cr || c === C.Tab;
}

/** Index just past the string's closing quote; `at` is its opening quote. */
function skipString(text: string, at: number): number {
  let end = text.indexOf('"', at + 1);
  for (;;) {
    if (end === -1) throw malformed(NOT_JSON);
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === C.Backslash) backslashes++;
    if (backslashes % 2 === 0) return end + 1;
    end = text.indexOf('"', end + 1);
  }
}

function keyText(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    throw malformed(NOT_JSON);
  }
}

function addKey(container: Container, key: string): void {
  if (container.keySet !== null) {
    if (container.keySet.has(key)) throw malformed('The message repeats a key in one object.');
    container.keySet.add(key);
    return;
  }
  if (container.keys.includes(key)) throw malformed('The message repeats a key in one object.');
  container.keys.push(key);
  if (container.keys.length > SMALL_OBJECT) container.keySet = new Set(container.keys);
}

/** Scalars (numbers, true, false, null) run to the next structural character or space. */
function skipScalar(text: string, at: number): number {
  let i = at;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === C.Comma || c === C.CloseBracket || c === C.CloseBrace || c === C.Colon || c === C.Quote || c === C.OpenBrace || c === C.OpenBracket) break;
  }
  if (i === at) throw malformed(NOT_JSON);
  return i;
}

/**
 * Scan `text` (one JSON value). `recordsKeys` (null: none) point at the records array through
 * objects. Throws PAYLOAD_MALFORMED on a structural error or a repeated key.
 */
export function scanJson(text: string, recordsKeys: PointerKeys | null): JsonLayout {
  const layout: JsonLayout = { array: null, records: [] };
  const stack: Container[] = [];
  const wanted = recordsKeys ?? [];
  let i = 0;
  let expectValue = true;
  const n = text.length;
  const skipSpace = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };

  for (;;) {
    skipSpace();
    if (i >= n) throw malformed(NOT_JSON);
    const top = stack[stack.length - 1];
    if (expectValue) {
      const c = text.charCodeAt(i);
      if (top?.records) top.elementStart = i;
      if (c === C.OpenBrace || c === C.OpenBracket) {
        const parentPath = top === undefined ? recordsKeys !== null : top.object && top.onPath && top.depth < wanted.length && top.key === wanted[top.depth];
        const depth = top === undefined ? 0 : top.depth + 1;
        const object = c === C.OpenBrace;
        const records = !object && parentPath && depth === wanted.length && layout.array === null && recordsKeys !== null;
        if (records) layout.array = [i, -1];
        stack.push({ object, keys: [], keySet: null, onPath: parentPath, depth, key: '', records, elementStart: -1 });
        i++;
        skipSpace();
        const close = text.charCodeAt(i);
        if ((object && close === C.CloseBrace) || (!object && close === C.CloseBracket)) {
          i++;
          closeContainer(stack, layout, i);
          expectValue = false;
          if (stack.length === 0) break;
          continue;
        }
        if (object) {
          readKey();
          continue;
        }
        continue; // an array's first element
      }
      i = c === C.Quote ? skipString(text, i) : skipScalar(text, i);
      expectValue = false;
      if (top === undefined) break;
      continue;
    }
    // After a value inside a container.
    if (top === undefined) break;
    if (top.records) layout.records.push(top.elementStart, i);
    const c = text.charCodeAt(i);
    if (c === C.Comma) {
      i++;
      if (top.object) readKey();
      else expectValue = true;
      continue;
    }
    if (c === (top.object ? C.CloseBrace : C.CloseBracket)) {
      i++;
      closeContainer(stack, layout, i);
      if (stack.length === 0) break;
      continue;
    }
    throw malformed(NOT_JSON);
  }
  skipSpace();
  if (i !== n || stack.length > 0) throw malformed(NOT_JSON);
  return layout;

  function readKey(): void {
    skipSpace();
    if (text.charCodeAt(i) !== C.Quote) throw malformed(NOT_JSON);
    const end = skipString(text, i);
    const container = stack[stack.length - 1]!;
    container.key = keyText(text, i, end);
    addKey(container, container.key);
    i = end;
    skipSpace();
    if (text.charCodeAt(i) !== C.Colon) throw malformed(NOT_JSON);
    i++;
    expectValue = true;
  }
}

function closeContainer(stack: Container[], layout: JsonLayout, end: number): void {
  const closed = stack.pop();
  if (closed?.records && layout.array) layout.array[1] = end;
}
