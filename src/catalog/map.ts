// The one mapping from any partner's parsed message to our ListHeader + OperatorRecords.
// Everything partner-specific is in the manifest's `mapping`; nothing here knows a partner.
import { normaliseCode } from '../domain/codes.js';
import type { IsoDate, ListHeader, ListKind, OperatorRecord, OperatorStatus } from '../domain/types.js';
import { fieldReader, FieldFault, parseTemplate, pointerReader, templateReader, type FieldReader } from './fields.js';
import { compilePointer, getAt, type JsonPointer, type PointerKeys } from './pointer.js';
import { ProblemList, type Problem } from './problems.js';
import { headerFaults, recordFaults } from './storable.js';
import type { FieldSpec, MappingSpec } from './types.js';

const STATUSES: ReadonlySet<string> = new Set<OperatorStatus>(['VALID', 'SUSPENDED', 'REVOKED']);
const KINDS: ReadonlySet<string> = new Set<ListKind>(['FULL', 'DELTA']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DIGITS = /^\d+$/;
// Already what normaliseCode would return (upper-case letters, digits, `/`): skip its three passes.
const CANONICAL_CODE = /^[A-Z0-9/]+$/;

function normalise(code: string): string {
  return CANONICAL_CODE.test(code) ? code : normaliseCode(code);
}

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
    readonly validFrom: FieldReader | null;
    readonly validUntil: FieldReader | null;
  };
  readonly checks: readonly CompiledCheck[];
  /**
   * The declared code is built from the partnerId alone (`HK{/aeoNumber}` with partnerId `/aeoNumber`):
   * equal partnerIds give equal codes, so the code check alone finds repeats (one hash set less).
   */
  readonly partnerIdInCode: boolean;
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
      validFrom: optionalReader(r.validFrom),
      validUntil: optionalReader(r.validUntil),
    },
    checks: spec.checks.map((check) => ({ kind: check.kind, reader: pointerReader(check.pointer) })),
    partnerIdInCode: codeDependsOnlyOn(r.declaredCode, r.partnerId),
  };
}

const optionalReader = (spec: FieldSpec | null | undefined): FieldReader | null => (spec === undefined || spec === null ? null : fieldReader(spec));

function codeDependsOnlyOn(code: FieldSpec, partnerId: FieldSpec): boolean {
  if (typeof partnerId !== 'string') return false;
  if (typeof code === 'string') return code === partnerId;
  if (!('template' in code)) return false;
  return parseTemplate(code.template).pointers.every((p) => p === partnerId);
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

/**
 * Map a parsed, schema-valid message. Pure; every fault in the message becomes a problem (only a
 * caller's mistake, a fixed fallbackDate that is not YYYY-MM-DD, throws).
 */
export function mapMessage(parsed: unknown, mapping: CompiledMapping, options: MapOptions): MappedMessage {
  const list = getAt(parsed, mapping.recordsKeys);
  const mapper = new ListMapper(mapping, options);
  if (Array.isArray(list)) for (let i = 0; i < list.length; i++) mapper.add(list[i] as unknown, i);
  return mapper.finish(parsed, Array.isArray(list) ? list.length : null);
}

/** Stands for "the list's date" in records mapped before the header is known. */
const LIST_DATE = '';

/**
 * The mapping one record at a time (records as they are read, in order), then the header:
 * `finish` gives what mapMessage gives for the whole message, with problems in the same order.
 */
export class ListMapper {
  private readonly problems = new ProblemList();
  private readonly kept: Kept = { records: [], indexes: [] };
  // Sets, not Maps: one hash operation per key; the earlier record is looked up only for a problem.
  private readonly partnerIds = new Set<string>();
  private readonly codes = new Set<string>();
  private readonly economyOf: (code: string) => string;
  private readonly fallbackDate: IsoDate;

  constructor(
    private readonly mapping: CompiledMapping,
    private readonly options: MapOptions,
  ) {
    this.economyOf = economyFunction(options.economyAliases ?? {});
    const fixed = options.fallbackDate;
    if (typeof fixed === 'string' && !DATE.test(fixed)) throw new Error(`fallbackDate must be YYYY-MM-DD, got "${fixed}"`);
    this.fallbackDate = typeof fixed === 'string' ? fixed : LIST_DATE;
  }

  /** Record `i` of the list. */
  add(node: unknown, i: number): void {
    const { mapping, problems, kept } = this;
    const r = mapping.record;
    const record = mapRecord(node, i, mapping, this.fallbackDate, this.economyOf, problems);
    if (record === null || unstorable(record, i, mapping, problems)) return;
    if (!mapping.partnerIdInCode && isRepeat(this.partnerIds, record.partnerId)) {
      repeated(problems, kept, i, r.partnerId.path, (other) => other.partnerId === record.partnerId);
      return;
    }
    if (isRepeat(this.codes, record.declaredCode)) {
      repeated(problems, kept, i, r.declaredCode.path, (other) => hasCode(other, record.declaredCode));
      return;
    }
    const repeatedAlias = record.aliases.find((alias) => isRepeat(this.codes, alias));
    if (repeatedAlias !== undefined) {
      repeated(problems, kept, i, r.aliases[0]?.path ?? '', (other) => hasCode(other, repeatedAlias));
      return;
    }
    kept.records.push(record);
    kept.indexes.push(i);
  }

  /** The header from `envelope` (the message, records possibly replaced); `total`: records in the list, null when it is not an array. */
  finish(envelope: unknown, total: number | null): MappedMessage {
    const { mapping } = this;
    const problems = new ProblemList();
    const header = mapHeader(envelope, mapping, problems);
    if (problems.items.length === 0) {
      for (const f of headerFaults(header)) problems.add(null, mapping.header[f.field].path, f.message);
      if (problems.items.length > 0) return { header, records: [], problems: problems.items };
    }
    const fallbackDate = resolveFallbackDate(this.options.fallbackDate, header.generatedAt, mapping.header.generatedAt.path, problems);
    if (fallbackDate === undefined) return { header, records: [], problems: problems.items };
    if (total === null) {
      problems.add(null, mapping.recordsPointer, 'must be an array of records');
      return { header, records: [], problems: problems.items };
    }
    if (header.recordCount !== total && header.recordCount >= 0) {
      problems.add(null, mapping.header.recordCount.path, `says ${header.recordCount} records but the list holds ${total}`);
    }
    for (const p of this.problems.items) problems.add(p.record, p.path, p.message);
    const records = this.kept.records;
    if (this.fallbackDate === LIST_DATE) for (const record of records) if (record.statusSince === LIST_DATE) record.statusSince = fallbackDate;
    return { header, records, problems: problems.items };
  }
}

/** Values the database could not hold (storable.ts) become problems at their source path; true when there were any. */
function unstorable(record: OperatorRecord, i: number, mapping: CompiledMapping, problems: ProblemList): boolean {
  // A record mapped before the header was read holds the list's date as a placeholder (checked with the header).
  const faults = recordFaults(record).filter((f) => !(f.field === 'statusSince' && record.statusSince === LIST_DATE));
  for (const f of faults) {
    const reader = f.field === 'aliases' ? mapping.record.aliases[0] : mapping.record[f.field];
    // A statusSince without a reader came from the header's generatedAt.
    problems.add(i, reader?.path ?? mapping.header.generatedAt.path, f.message);
  }
  return faults.length > 0;
}

/** Adds `key`; true when it was there already. */
function isRepeat(seen: Set<string>, key: string): boolean {
  const size = seen.size;
  seen.add(key);
  return seen.size === size;
}

function hasCode(record: OperatorRecord, code: string): boolean {
  return record.declaredCode === code || record.aliases.includes(code);
}

/** Records kept so far, with their index in the message (records with problems are not kept). */
interface Kept {
  records: OperatorRecord[];
  indexes: number[];
}

function repeated(problems: ProblemList, kept: Kept, i: number, path: string, same: (r: OperatorRecord) => boolean): void {
  if (problems.full) return; // the search below is only worth it for a problem that is kept
  const earlier = kept.indexes[kept.records.findIndex(same)];
  problems.add(i, path, `repeats the code of ${earlier === undefined ? 'an earlier record' : `record ${earlier}`}`);
}

function resolveFallbackDate(
  fallback: MapOptions['fallbackDate'],
  generatedAt: string,
  path: string,
  problems: ProblemList,
): IsoDate | undefined {
  if (typeof fallback === 'string') return fallback; // checked by ListMapper
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
  const declaredCode = rawCode === undefined ? undefined : normalise(rawCode);
  const name = required(m.name, node, i, problems);
  const tier = required(m.tier, node, i, problems);
  const status = required(m.status, node, i, problems) as OperatorStatus | undefined;
  const partnerStatus = required(m.partnerStatus, node, i, problems);
  const statusSince = dateField(m.statusSince, node, fallbackDate, i, problems);
  const validFrom = dateField(m.validFrom, node, null, i, problems);
  const validUntil = dateField(m.validUntil, node, null, i, problems);
  const aliases = mapAliases(m.aliases, node, i, declaredCode, problems);
  if (
    partnerId === undefined ||
    declaredCode === undefined ||
    name === undefined ||
    tier === undefined ||
    status === undefined ||
    partnerStatus === undefined ||
    statusSince === undefined ||
    validFrom === undefined ||
    validUntil === undefined ||
    aliases === null
  ) {
    return null;
  }
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
    aliases,
    name,
    tier,
    status,
    partnerStatus,
    statusSince,
    validFrom,
    validUntil,
  };
}

/** Normalised alias codes, without empties, repeats or the declared code itself; null after a problem. */
function mapAliases(readers: readonly FieldReader[], node: unknown, i: number, declaredCode: string | undefined, problems: ProblemList): string[] | null {
  const out: string[] = [];
  for (const reader of readers) {
    const value = reader.read(node);
    if (value instanceof FieldFault) {
      problems.add(i, reader.path, value.message);
      return null;
    }
    if (value === undefined) continue;
    const code = normalise(value);
    if (code !== '' && code !== declaredCode && !out.includes(code)) out.push(code);
  }
  return out;
}
