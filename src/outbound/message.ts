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
/** Records that passed the record check. Records are never changed once projected, and the builder
 * projects an unchanged enterprise to the same record again, so each is checked once. */
const checkedRecords = new WeakSet<OutboundRecord>();

function compiled(): { message: ValidateFunction; record: ValidateFunction } {
  if (!validators) {
    const ajv = createAjv(false);
    ajv.addSchema(messageSchema);
    const id = messageSchema.$id;
    validators = { message: ajv.getSchema(id)!, record: ajv.getSchema(`${id}#/$defs/enterprise`)! };
  }
  return validators;
}

/** Throws SCHEMA_INVALID (with the first problems) unless the message fits cn-aeo-list.v1. */
export function validateMessage(header: MessageHeader, records: readonly OutboundRecord[]): void {
  const v = compiled();
  const invalid = (problems: string[]): AppError => new AppError('SCHEMA_INVALID', `The outbound message does not fit CN AEO list v1: ${problems.join('; ')}`);
  // The header and envelope with the whole schema; each record with the schema's own record definition
  // (what `enterprises.items` refers to), so together this is the whole schema.
  if (!v.message({ header, enterprises: [] })) throw invalid(describeErrors(v.message.errors, 3));
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (checkedRecords.has(r)) continue;
    if (!v.record(r)) throw invalid(describeErrors(v.record.errors, 3).map((p) => `/enterprises/${i}${p.startsWith('/:') ? p.slice(1) : p}`));
    checkedRecords.add(r);
  }
}

export function canonicalHeader(h: MessageHeader): string {
  return `{${HEADER_ORDER.map((k) => `"${k}":${JSON.stringify(h[k])}`).join(',')}}`;
}

/**
 * The records part alone: `[{...},{...}]`, sorted as given. Records the projection made are already
 * canonical (isCanonical) and take JSON.stringify's fast path; any other record goes through the
 * replacer list, which writes only the message fields, in message order, whatever order it has.
 */
export function canonicalRecords(records: readonly OutboundRecord[]): string {
  return records.every(isCanonical) ? JSON.stringify(records) : JSON.stringify(records, MESSAGE_FIELDS as unknown as string[]);
}

export function toJsonBytes(header: MessageHeader, records: readonly OutboundRecord[]): Buffer {
  // Encoded in parts: no concatenated copy of the (large) records text is made first.
  return Buffer.concat([Buffer.from(`{"header":${canonicalHeader(header)},"enterprises":`, 'utf8'), Buffer.from(canonicalRecords(records), 'utf8'), Buffer.from('}')]);
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const NEEDS_XML_ESCAPE = /[&<>"']/;
const escapeXml = (s: string): string => (NEEDS_XML_ESCAPE.test(s) ? s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!) : s);
const XML_OPEN = MESSAGE_FIELDS.map((f) => `<${XML_NAMES[f]}>`);
const XML_CLOSE = MESSAGE_FIELDS.map((f) => `</${XML_NAMES[f]}>`);

export function toXmlBytes(header: MessageHeader, records: readonly OutboundRecord[]): Buffer {
  const attrs = HEADER_ORDER.filter((k) => header[k] !== null)
    .map((k) => ` ${k}="${escapeXml(String(header[k]))}"`)
    .join('');
  const parts = new Array<string>(records.length + 2);
  parts[0] = `<?xml version="1.0" encoding="UTF-8"?>\n<AEOList xmlns="${XML_NAMESPACE}"${attrs}>`;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    let e = '<Enterprise>';
    for (let f = 0; f < MESSAGE_FIELDS.length; f++) {
      const v = r[MESSAGE_FIELDS[f]!];
      if (v !== undefined) e += XML_OPEN[f]! + escapeXml(v) + XML_CLOSE[f]!;
    }
    parts[i + 1] = `${e}</Enterprise>`;
  }
  parts[records.length + 1] = '</AEOList>\n';
  return Buffer.from(parts.join(''), 'utf8');
}

export function serialise(format: 'json' | 'xml', header: MessageHeader, records: readonly OutboundRecord[]): { body: Buffer; contentType: string } {
  validateMessage(header, records);
  return format === 'xml'
    ? { body: toXmlBytes(header, records), contentType: 'application/xml' }
    : { body: toJsonBytes(header, records), contentType: 'application/json' };
}
