// Values the database can hold, checked before it sees them (pure). A partner's schema says what a
// list may look like; these rules say what can be stored and sent on: text PostgreSQL can keep and
// XML 1.0 can carry, dates and instants inside the columns' range, integers inside safe bounds. A
// value outside them is a fault of the message (SCHEMA_INVALID), never a database error.
import type { ListHeader, OperatorRecord } from '../domain/types.js';

// C0 controls other than tab, LF and CR (U+0000 among them: PostgreSQL text cannot hold it), and
// the non-characters U+FFFE and U+FFFF: XML 1.0 (section 2.2) forbids them all.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// A lone surrogate has no UTF-8 form: stored, it would silently become U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE = new RegExp(`${FORBIDDEN_CHAR.source}|${LONE_SURROGATE.source}`, 'g');
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
/** Identifiers are indexed: a btree entry must stay far below PostgreSQL's ~2.7 kB limit. */
export const MAX_IDENTIFIER_LENGTH = 256;
// Instants are kept between these (timestamptz holds more, but years 0001–9999 are what every
// date column, ISO 8601 text and the zone conversion round-trip faithfully).
// setUTCFullYear, unlike Date.UTC, does not map the year 1 onto 1901.
const FIRST_INSTANT = new Date(0).setUTCFullYear(1, 0, 1);
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** What is wrong with a text value, or null when it can be stored and sent as XML. */
export function textFault(value: string): string | null {
  const bad = FORBIDDEN_CHAR.exec(value);
  if (bad) {
    const cp = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return bad[0] === '\u0000'
      ? `holds the character ${cp}, which cannot be stored as text`
      : `holds the character ${cp}, which XML 1.0 does not allow`;
  }
  if (LONE_SURROGATE.test(value)) return 'holds a lone UTF-16 surrogate, which is not a character';
  return null;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

/** A calendar date `YYYY-MM-DD` with a year 0001–9999, or what is wrong with it. */
export function dateFault(value: string): string | null {
  const m = ISO_DATE.exec(value);
  if (!m) return 'must be a date (YYYY-MM-DD)';
  const year = Number(m[1]);
  if (year < 1 || !isCalendarDate(year, Number(m[2]), Number(m[3]))) return 'must be a calendar date between 0001-01-01 and 9999-12-31';
  return null;
}

/** An RFC 3339 date-time whose instant lies in the years 0001–9999 (UTC), or what is wrong with it. */
export function instantFault(value: string): string | null {
  const m = RFC3339.exec(value);
  if (!m) return 'must be an RFC 3339 date-time';
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  const offsetFault = m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59);
  if (!isCalendarDate(year!, month!, day!) || hour! > 23 || minute! > 59 || second! > 59 || offsetFault) {
    return 'must be a real date and time of day';
  }
  const at = Date.parse(value.toUpperCase());
  if (!Number.isFinite(at) || at < FIRST_INSTANT || at > LAST_INSTANT) return 'must be an instant between the years 0001 and 9999';
  return null;
}

/** A non-negative integer no larger than 2^53 − 1 (exact in JSON, JavaScript and a bigint column). */
export function countFault(value: number): string | null {
  return Number.isSafeInteger(value) && value >= 0 ? null : 'must be a non-negative integer no larger than 2^53 - 1';
}

function identifierFault(value: string): string | null {
  if (value.length > MAX_IDENTIFIER_LENGTH) return `must be at most ${MAX_IDENTIFIER_LENGTH} characters long`;
  return textFault(value);
}

export interface ValueFault<F extends string> {
  field: F;
  /** For a list field (aliases): which item. */
  item?: number;
  message: string;
}

/** Every value of a mapped record that could not be stored, with the record field it is in. */
export function recordFaults(r: OperatorRecord): ValueFault<keyof OperatorRecord>[] {
  const faults: ValueFault<keyof OperatorRecord>[] = [];
  const check = (field: keyof OperatorRecord, fault: string | null, item?: number): void => {
    if (fault !== null) faults.push(item === undefined ? { field, message: fault } : { field, item, message: fault });
  };
  check('partnerId', identifierFault(r.partnerId));
  check('declaredCode', identifierFault(r.declaredCode));
  r.aliases.forEach((alias, i) => check('aliases', identifierFault(alias), i));
  check('name', textFault(r.name));
  check('tier', textFault(r.tier));
  check('partnerStatus', textFault(r.partnerStatus));
  check('statusSince', dateFault(r.statusSince));
  if (r.validFrom !== null) check('validFrom', dateFault(r.validFrom));
  if (r.validUntil !== null) check('validUntil', dateFault(r.validUntil));
  return faults;
}

/** Every header value that could not be stored or compared (sequence, generatedAt, record count). */
export function headerFaults(h: ListHeader): ValueFault<keyof ListHeader>[] {
  const faults: ValueFault<keyof ListHeader>[] = [];
  const check = (field: keyof ListHeader, fault: string | null): void => {
    if (fault !== null) faults.push({ field, message: fault });
  };
  check('sender', textFault(h.sender));
  check('receiver', textFault(h.receiver));
  check('sequence', countFault(h.sequence));
  check('generatedAt', instantFault(h.generatedAt));
  check('recordCount', countFault(h.recordCount));
  return faults;
}

/** The first string (value or key) in a JSON value that could not be stored, with its JSON pointer. */
export function firstTextFault(value: unknown, path = ''): { path: string; message: string } | null {
  if (typeof value === 'string') {
    const fault = textFault(value);
    return fault === null ? null : { path, message: fault };
  }
  if (value === null || typeof value !== 'object') return null;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, inner] of entries) {
    const keyFault = textFault(key);
    const at = `${path}/${storableText(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (keyFault !== null) return { path: at, message: `has a key that ${keyFault}` };
    const found = firstTextFault(inner, at);
    if (found) return found;
  }
  return null;
}

/** `value` with every character that cannot be stored as text or sent as XML replaced by U+FFFD. */
export function storableText(value: string): string {
  return value.replace(UNSTORABLE, '\uFFFD');
}
