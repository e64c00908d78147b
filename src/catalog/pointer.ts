// JSON pointers (RFC 6901), compiled once into key lists so reading a record is a plain walk.

export type JsonPointer = string;

/** A compiled pointer: the unescaped reference tokens ("" = the whole value). */
export type PointerKeys = readonly string[];

const POINTER = /^(?:\/(?:[^~]|~[01])*)*$/;

export function isJsonPointer(text: string): boolean {
  return POINTER.test(text);
}

/** Split and unescape; throws on text that is not a pointer (manifests are validated before this). */
export function compilePointer(pointer: JsonPointer): PointerKeys {
  if (!isJsonPointer(pointer)) throw new Error(`"${pointer}" is not a JSON pointer (RFC 6901)`);
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * The value at `keys`, or undefined. Only own properties count, so a partner's `constructor` or
 * `__proto__` key can never reach a prototype.
 */
export function getAt(value: unknown, keys: PointerKeys): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(key)) return undefined;
      current = (current as unknown[])[Number(key)];
    } else {
      if (!Object.hasOwn(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current;
}

/**
 * A reader for one pointer. The one-key case (most record fields) skips the loop; objects only, so
 * an array on the way falls back to getAt.
 */
export function compileGetter(keys: PointerKeys): (value: unknown) => unknown {
  const [only] = keys;
  if (keys.length !== 1 || only === undefined) return (value) => getAt(value, keys);
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return getAt(value, keys);
    return Object.hasOwn(value, only) ? (value as Record<string, unknown>)[only] : undefined;
  };
}

/** Index `i` of the array at `arrayPointer` when `pointer` lies inside it, with the rest of the pointer. */
export function splitAtArray(pointer: string, arrayPointer: string): { index: number; rest: string } | null {
  const prefix = `${arrayPointer}/`;
  if (!pointer.startsWith(prefix)) return null;
  const slash = pointer.indexOf('/', prefix.length);
  const token = slash === -1 ? pointer.slice(prefix.length) : pointer.slice(prefix.length, slash);
  if (!ARRAY_INDEX.test(token)) return null;
  return { index: Number(token), rest: slash === -1 ? '' : pointer.slice(slash) };
}
