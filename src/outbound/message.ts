// CN AEO list v1 (contract 9.3): canonical JSON bytes, the XML form, and the schema check before signing.
// Canonical: records sorted by aeoCode, fields in message order, header fields in a fixed order,
// no insignificant whitespace — the same state and settings give the same bytes (same SHA-256).
import type { ValidateFunction } from 'ajv/dist/2020.js';
import messageSchema from '../../schemas/outbound/cn-aeo-list.v1.schema.json' with { type: 'json' };
import { AppError } from '../errors.js';
import { createAjv, describeErrors } from '../json-schema.js';
import type { BatchKind } from './plan.js';
import { isCanonical, type OutboundRecord } from './project.js';
import { MESSAGE_FIELDS } from './settings.js';

export interface MessageHeader {
  sender: 'CN';
  receiver: string;
  sequence: number;
  previousSequence: number | null;
  kind: BatchKind;
  generatedAt: string;
  recordCount: number;
  batchId: string;
}

const HEADER_ORDER: readonly (keyof MessageHeader)[] = ['sender', 'receiver', 'sequence', 'previousSequence', 'kind', 'generatedAt', 'recordCount', 'batchId'];
export const XML_NAMES: Record<(typeof MESSAGE_FIELDS)[number], string> = {
  aeoCode: 'AEOCode', nameZh: 'NameZh', nameEn: 'NameEn', addressZh: 'AddressZh', addressEn: 'AddressEn', level: 'Level', status: 'Status', statusSince: 'StatusSince',
};
export const XML_NAMESPACE = 'urn:aeo-mra:cn:aeo-list:1';

let validators: { message: ValidateFunction; record: ValidateFunction } | undefined;

function compiled(): { message: ValidateFunction; record: ValidateFunction } {
  if (!validators) {
    const ajv = createAjv(false);
    ajv.addSchema(messageSchema);
    const id = messageSchema.$id;
    validators = { message: ajv.getSchema(id)!, record: ajv.getSchema(`${id}#/$defs/enterprise`)! };
  }
  return validators;
}

const invalid = (problems: string[]): AppError => new AppError('SCHEMA_INVALID', `The outbound message does not fit CN AEO list v1: ${problems.join('; ')}`);

function checkHeader(header: MessageHeader): void {
  const v = compiled().message;
  if (!v({ header, enterprises: [] })) throw invalid(describeErrors(v.errors, 3));
}

function checkRecord(r: OutboundRecord, i: number): void {
  const v = compiled().record;
  if (!v(r)) throw invalid(describeErrors(v.errors, 3).map((p) => `/enterprises/${i}${p.startsWith('/:') ? p.slice(1) : p}`));
}

export function canonicalHeader(h: MessageHeader): string {
  return `{${HEADER_ORDER.map((k) => `"${k}":${JSON.stringify(h[k])}`).join(',')}}`;
}

/**
 * One record's canonical JSON. Records the projection made are already canonical (isCanonical) and
 * take JSON.stringify's fast path; any other record goes through the replacer list, which writes only
 * the message fields, in message order, whatever order it has.
 */
export const jsonRecord = (r: OutboundRecord): string => (isCanonical(r) ? JSON.stringify(r) : JSON.stringify(r, MESSAGE_FIELDS as unknown as string[]));

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const NEEDS_XML_ESCAPE = /[&<>"']/;
const escapeXml = (s: string): string => (NEEDS_XML_ESCAPE.test(s) ? s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!) : s);
const XML_OPEN = MESSAGE_FIELDS.map((f) => `<${XML_NAMES[f]}>`);
const XML_CLOSE = MESSAGE_FIELDS.map((f) => `</${XML_NAMES[f]}>`);

function xmlRecord(r: OutboundRecord): string {
  let e = '<Enterprise>';
  for (let f = 0; f < MESSAGE_FIELDS.length; f++) {
    const v = r[MESSAGE_FIELDS[f]!];
    if (v !== undefined) e += XML_OPEN[f]! + escapeXml(v) + XML_CLOSE[f]!;
  }
  return `${e}</Enterprise>`;
}

/** A record's text in `format`, after the schema's record check (`index`: its place, for the problem's path). */
export function recordText(format: 'json' | 'xml', r: OutboundRecord, index: number): string {
  checkRecord(r, index);
  return format === 'xml' ? xmlRecord(r) : jsonRecord(r);
}

const pieces = (format: 'json' | 'xml', records: readonly OutboundRecord[]): Buffer[] => records.map((r, i) => Buffer.from(recordText(format, r, i), 'utf8'));

/** Where a message's bytes are written: `size` bytes, contents undefined. */
export type Allocate = (size: number) => Buffer;
const allocUnsafe: Allocate = (size) => Buffer.allocUnsafe(size);

/** head, the parts with `separator` between them, tail: one buffer, written once. */
function assemble(head: string, parts: readonly Buffer[], separator: string, tail: string, allocate: Allocate): Buffer {
  const h = Buffer.from(head, 'utf8');
  const sep = Buffer.from(separator, 'utf8');
  const t = Buffer.from(tail, 'utf8');
  let size = h.length + t.length + Math.max(0, parts.length - 1) * sep.length;
  for (const p of parts) size += p.length;
  const out = allocate(size);
  let at = h.copy(out, 0);
  for (let i = 0; i < parts.length; i++) {
    if (i > 0 && sep.length > 0) at += sep.copy(out, at);
    out.set(parts[i]!, at);
    at += parts[i]!.length;
  }
  t.copy(out, at);
  return out;
}

/**
 * The message from its records' bytes (each recordText as UTF-8, in aeoCode order), after the header
 * check, written into memory from `allocate` (scratch.ts for a large one).
 */
export function messageBytes(format: 'json' | 'xml', header: MessageHeader, parts: readonly Buffer[], allocate: Allocate = allocUnsafe): { body: Buffer; contentType: string } {
  checkHeader(header);
  return format === 'xml'
    ? { body: xmlBytes(header, parts, allocate), contentType: 'application/xml' }
    : { body: jsonBytes(header, parts, allocate), contentType: 'application/json' };
}

const jsonBytes = (header: MessageHeader, parts: readonly Buffer[], allocate: Allocate): Buffer =>
  assemble(`{"header":${canonicalHeader(header)},"enterprises":[`, parts, ',', ']}', allocate);

function xmlBytes(header: MessageHeader, parts: readonly Buffer[], allocate: Allocate): Buffer {
  const attrs = HEADER_ORDER.filter((k) => header[k] !== null)
    .map((k) => ` ${k}="${escapeXml(String(header[k]))}"`)
    .join('');
  return assemble(`<?xml version="1.0" encoding="UTF-8"?>\n<AEOList xmlns="${XML_NAMESPACE}"${attrs}>`, parts, '', '</AEOList>\n', allocate);
}

/** The message's bytes, after the schema check of its header and of every record. */
export const serialise = (format: 'json' | 'xml', header: MessageHeader, records: readonly OutboundRecord[]): { body: Buffer; contentType: string } =>
  messageBytes(format, header, pieces(format, records));
