// The one mapping from any partner's parsed message to our ListHeader + OperatorRecords.
// Everything partner-specific is in the manifest's `mapping`; nothing here knows a partner.
import { normaliseCode } from '../domain/codes.js';
import type { IsoDate, ListHeader, ListKind, OperatorRecord, OperatorStatus } from '../domain/types.js';
import { fieldReader, FieldFault, pointerReader, templateReader, type FieldReader } from './fields.js';
import { compilePointer, getAt, type JsonPointer, type PointerKeys } from './pointer.js';
import { ProblemList, type Problem } from './problems.js';
import type { MappingSpec } from './types.js';

const STATUSES: ReadonlySet<string> = new Set<OperatorStatus>(['VALID', 'SUSPENDED', 'REVOKED']);
const KINDS: ReadonlySet<string> = new Set<ListKind>(['FULL', 'DELTA']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DIGITS = /^\d+$/;

interface CompiledCheck {
  kind: 'economyOf';
  reader: FieldReader;
}

/** A mapping with every pointer and template compiled; build once per partner with compileMapping. */
export interface CompiledMapping {
  readonly spec: Readonly<MappingSpec>;
  readonly recordsPointer: JsonPointer;
  readonly recordsKeys: PointerKeys;
  readonly header: Readonly<Record<keyof MappingSpec['header'], FieldReader>>;
  readonly kindValues: ReadonlyMap<string, ListKind>;
  readonly record: {
    readonly partnerId: FieldReader;
    readonly declaredCode: FieldReader;
    readonly aliases: readonly FieldReader[];
    readonly name: FieldReader;
    readonly tier: FieldReader;
    readonly status: FieldReader;
    readonly partnerStatus: FieldReader;
    readonly statusSince: FieldReader | null;
    readonly validUntil: FieldReader | null;
  };
  readonly checks: readonly CompiledCheck[];
}

/** Throws an Error naming the bad part (a pointer, template or map value) when the mapping is not usable. */
export function compileMapping(spec: MappingSpec): CompiledMapping {
  for (const [word, kind] of Object.entries(spec.kindValues)) {
    if (!KINDS.has(kind)) throw new Error(`mapping.kindValues.${word}: "${kind}" is not FULL or DELTA`);
  }
  for (const [word, status] of Object.entries(spec.record.status.map)) {
    if (!STATUSES.has(status)) throw new Error(`mapping.record.status.map.${word}: "${status}" is not VALID, SUSPENDED or REVOKED`);
  }
  const h = spec.header;
  const r = spec.record;
  return {
    spec,
    recordsPointer: spec.records,
    recordsKeys: compilePointer(spec.records),
    header: {
      sender: pointerReader(h.sender),
      receiver: pointerReader(h.receiver),
      sequence: pointerReader(h.sequence),
      kind: pointerReader(h.kind),
      generatedAt: pointerReader(h.generatedAt),
      recordCount: pointerReader(h.recordCount),
    },
    kindValues: new Map(Object.entries(spec.kindValues)),
    record: {
      partnerId: fieldReader(r.partnerId),
      declaredCode: fieldReader(r.declaredCode),
      aliases: r.aliases.map(templateReader),
      name: fieldReader(r.name),
      tier: fieldReader(r.tier),
      status: fieldReader(r.status),
      partnerStatus: fieldReader(r.partnerStatus),
      statusSince: r.statusSince === undefined ? null : fieldReader(r.statusSince),
      validUntil: r.validUntil === undefined || r.validUntil === null ? null : fieldReader(r.validUntil),
    },
    checks: spec.checks.map((check) => ({ kind: check.kind, reader: pointerReader(check.pointer) })),
  };
}

export interface MapOptions {
  /**
   * Used as statusSince when a record has none: the date of the header's generatedAt in the gateway's
   * zone. Either that date, or a function computing it from generatedAt (which is only known here).
   */
  fallbackDate: IsoDate | ((generatedAt: string) => IsoDate);
  /** Code prefixes standing for another economy, e.g. `{ EL: 'GR' }` (the agreement's economyAliases). */
  economyAliases?: Readonly<Record<string, string>>;
}

export interface MappedMessage {
  header: ListHeader;
  /** Only the records that mapped without a problem. */
  records: OperatorRecord[];
  /** Non-empty → the message is SCHEMA_INVALID: header and records are then incomplete and must not be used. */
  problems: Problem[];
}

/** Map a parsed, schema-valid message. Pure and total: faults become problems, never exceptions. */
export function mapMessage(parsed: unknown, mapping: CompiledMapping, options: MapOptions): MappedMessage {
  const problems = new ProblemList();
  const header = mapHeader(parsed, mapping, problems);
  const fallbackDate = resolveFallbackDate(options.fallbackDate, header.generatedAt, mapping.header.generatedAt.path, problems);
  if (fallbackDate === undefined) return { header, records: [], problems: problems.items };
  const list = getAt(parsed, mapping.recordsKeys);
  if (!Array.isArray(list)) {
    problems.add(null, mapping.recordsPointer, 'must be an array of records');
    return { header, records: [], problems: problems.items };
  }
  if (header.recordCount !== list.length && header.recordCount >= 0) {
    problems.add(null, mapping.header.recordCount.path, `says ${header.recordCount} records but the list holds ${list.length}`);
  }
  const economyOf = economyFunction(options.economyAliases ?? {});
  const records: OperatorRecord[] = [];
  const byPartnerId = new Map<string, number>();
  const byCode = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const record = mapRecord(list[i] as unknown, i, mapping, fallbackDate, economyOf, problems);
    if (record === null) continue;
    if (claim(byPartnerId, record.partnerId, i, mapping.record.partnerId.path, problems)) continue;
    if (claim(byCode, record.declaredCode, i, mapping.record.declaredCode.path, problems)) continue;
    const aliasPath = mapping.record.aliases[0]?.path ?? '';
    if (record.aliases.some((alias) => claim(byCode, alias, i, aliasPath, problems))) continue;
    records.push(record);
  }
  return { header, records, problems: problems.items };
}

function resolveFallbackDate(
  fallback: MapOptions['fallbackDate'],
  generatedAt: string,
  path: string,
  problems: ProblemList,
): IsoDate | undefined {
  if (typeof fallback === 'string') {
    if (!DATE.test(fallback)) throw new Error(`fallbackDate must be YYYY-MM-DD, got "${fallback}"`);
    return fallback;
  }
  if (generatedAt === '') return undefined; // already reported as missing
  let date: string;
  try {
    date = fallback(generatedAt);
  } catch {
    date = '';
  }
  if (DATE.test(date)) return date;
  problems.add(null, path, 'is not a date-time the gateway can read');
  return undefined;
}

/** Remember `key` for record `i`; true (and a problem) when an earlier record already has it. */
function claim(seen: Map<string, number>, key: string, i: number, path: string, problems: ProblemList): boolean {
  const earlier = seen.get(key);
  if (earlier !== undefined && earlier !== i) {
    problems.add(i, path, `repeats the code of record ${earlier}`);
    return true;
  }
  seen.set(key, i);
  return false;
}

function economyFunction(aliases: Readonly<Record<string, string>>): (code: string) => string {
  const table = new Map(Object.entries(aliases));
  return (code) => {
    const prefix = code.slice(0, 2).toUpperCase();
    return table.get(prefix) ?? prefix;
  };
}

function mapHeader(parsed: unknown, mapping: CompiledMapping, problems: ProblemList): ListHeader {
  const h = mapping.header;
  const kindWord = required(h.kind, parsed, null, problems);
  const kind = kindWord === undefined ? undefined : mapping.kindValues.get(kindWord);
  if (kindWord !== undefined && kind === undefined) problems.add(null, h.kind.path, 'is not a list kind the partner mapping knows');
  return {
    sender: required(h.sender, parsed, null, problems) ?? '',
    receiver: required(h.receiver, parsed, null, problems) ?? '',
    sequence: safeInteger(h.sequence, parsed, problems),
    kind: kind ?? 'FULL',
    generatedAt: required(h.generatedAt, parsed, null, problems) ?? '',
    recordCount: safeInteger(h.recordCount, parsed, problems),
  };
}

/** A non-negative safe integer, from a JSON number or the digits of an XML attribute; -1 with a problem otherwise. */
function safeInteger(reader: FieldReader, node: unknown, problems: ProblemList): number {
  const text = required(reader, node, null, problems);
  if (text === undefined) return -1;
  const value = DIGITS.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    problems.add(null, reader.path, 'must be a non-negative integer no larger than 2^53 - 1');
    return -1;
  }
  return value;
}

/** The text of a required field, or undefined after adding a problem. */
function required(reader: FieldReader, node: unknown, record: number | null, problems: ProblemList): string | undefined {
  const value = reader.read(node);
  if (typeof value === 'string') return value;
  problems.add(record, reader.path, value instanceof FieldFault ? value.message : 'is missing');
  return undefined;
}

/** A date field: the value if it is YYYY-MM-DD, `absent` when there is none, undefined after a problem. */
function dateField<T>(reader: FieldReader | null, node: unknown, absent: T, record: number, problems: ProblemList): string | T | undefined {
  const value = reader === null ? undefined : reader.read(node);
  if (value === undefined) return absent;
  if (value instanceof FieldFault) {
    problems.add(record, reader?.path ?? '', value.message);
    return undefined;
  }
  if (!DATE.test(value)) {
    problems.add(record, reader?.path ?? '', 'must be a date (YYYY-MM-DD)');
    return undefined;
  }
  return value;
}

function mapRecord(
  node: unknown,
  i: number,
  mapping: CompiledMapping,
  fallbackDate: IsoDate,
  economyOf: (code: string) => string,
  problems: ProblemList,
): OperatorRecord | null {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    problems.add(i, '', 'must be an object');
    return null;
  }
  const m = mapping.record;
  const partnerId = required(m.partnerId, node, i, problems);
  const rawCode = required(m.declaredCode, node, i, problems);
  const name = required(m.name, node, i, problems);
  const tier = required(m.tier, node, i, problems);
  const status = required(m.status, node, i, problems) as OperatorStatus | undefined;
  const partnerStatus = required(m.partnerStatus, node, i, problems);
  const statusSince = dateField(m.statusSince, node, fallbackDate, i, problems);
  const validUntil = dateField(m.validUntil, node, null, i, problems);
  const aliases = mapAliases(m.aliases, node, i, problems);
  if (
    partnerId === undefined ||
    rawCode === undefined ||
    name === undefined ||
    tier === undefined ||
    status === undefined ||
    partnerStatus === undefined ||
    statusSince === undefined ||
    validUntil === undefined ||
    aliases === null
  ) {
    return null;
  }
  const declaredCode = normaliseCode(rawCode);
  if (declaredCode === '') {
    problems.add(i, m.declaredCode.path, 'gives an empty declared code');
    return null;
  }
  for (const check of mapping.checks) {
    const value = required(check.reader, node, i, problems);
    if (value === undefined) return null;
    if (economyOf(value) !== economyOf(declaredCode)) {
      problems.add(i, check.reader.path, 'must be the economy of the declared code');
      return null;
    }
  }
  return {
    partnerId,
    declaredCode,
    aliases: aliases.filter((alias, a) => alias !== declaredCode && aliases.indexOf(alias) === a),
    name,
    tier,
    status,
    partnerStatus,
    statusSince,
    validUntil,
  };
}

/** Normalised alias codes; templates without a value are skipped; null after a problem. */
function mapAliases(readers: readonly FieldReader[], node: unknown, i: number, problems: ProblemList): string[] | null {
  const out: string[] = [];
  for (const reader of readers) {
    const value = reader.read(node);
    if (value instanceof FieldFault) {
      problems.add(i, reader.path, value.message);
      return null;
    }
    if (value === undefined) continue;
    const code = normaliseCode(value);
    if (code !== '') out.push(code);
  }
  return out;
}
