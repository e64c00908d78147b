// CN AEO list v1 (contract 9.3): canonical JSON bytes, the XML form, and the schema check before signing.
// Canonical: records sorted by aeoCode, fields in message order, header fields in a fixed order,
// no insignificant whitespace — the same state and settings give the same bytes (same SHA-256).
import type { ValidateFunction } from 'ajv/dist/2020.js';
import messageSchema from '../../schemas/outbound/cn-aeo-list.v1.schema.json' with { type: 'json' };
import { AppError } from '../errors.js';
import { createAjv, describeErrors } from '../json-schema.js';
import type { BatchKind } from './plan.js';
import type { OutboundRecord } from './project.js';
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
const XML_NAMES: Record<(typeof MESSAGE_FIELDS)[number], string> = {
  aeoCode: 'AEOCode', nameZh: 'NameZh', nameEn: 'NameEn', addressZh: 'AddressZh', addressEn: 'AddressEn', level: 'Level', status: 'Status', statusSince: 'StatusSince',
};
export const XML_NAMESPACE = 'urn:aeo-mra:cn:aeo-list:1';

let validator: ValidateFunction | undefined;

/** Throws SCHEMA_INVALID (with the first problems) unless the message fits cn-aeo-list.v1. */
export function validateMessage(header: MessageHeader, records: readonly OutboundRecord[]): void {
  validator ??= createAjv(false).compile(messageSchema as Record<string, unknown>);
  if (!validator({ header, enterprises: records })) {
    throw new AppError('SCHEMA_INVALID', `The outbound message does not fit CN AEO list v1: ${describeErrors(validator.errors, 3).join('; ')}`);
  }
}

/** A record with its fields in message order (whatever order the object has). */
function canonicalRecord(r: OutboundRecord): string {
  let out = '';
  for (const f of MESSAGE_FIELDS) {
    const v = r[f];
    if (v !== undefined) out += `${out === '' ? '' : ','}"${f}":${JSON.stringify(v)}`;
  }
  return `{${out}}`;
}

export function canonicalHeader(h: MessageHeader): string {
  return `{${HEADER_ORDER.map((k) => `"${k}":${JSON.stringify(h[k])}`).join(',')}}`;
}

/** The records part alone (also the snapshot format): `[{...},{...}]`, sorted as given. */
export function canonicalRecords(records: readonly OutboundRecord[]): string {
  return `[${records.map(canonicalRecord).join(',')}]`;
}

export function toJsonBytes(header: MessageHeader, records: readonly OutboundRecord[]): Buffer {
  return Buffer.from(`{"header":${canonicalHeader(header)},"enterprises":${canonicalRecords(records)}}`, 'utf8');
}

const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export function toXmlBytes(header: MessageHeader, records: readonly OutboundRecord[]): Buffer {
  const attrs = HEADER_ORDER.filter((k) => header[k] !== null)
    .map((k) => ` ${k}="${escapeXml(String(header[k]))}"`)
    .join('');
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<AEOList xmlns="${XML_NAMESPACE}"${attrs}>`];
  for (const r of records) {
    let e = '<Enterprise>';
    for (const f of MESSAGE_FIELDS) {
      const v = r[f];
      if (v !== undefined) e += `<${XML_NAMES[f]}>${escapeXml(v)}</${XML_NAMES[f]}>`;
    }
    parts.push(`${e}</Enterprise>`);
  }
  parts.push('</AEOList>\n');
  return Buffer.from(parts.join(''), 'utf8');
}

export function serialise(format: 'json' | 'xml', header: MessageHeader, records: readonly OutboundRecord[]): { body: Buffer; contentType: string } {
  validateMessage(header, records);
  return format === 'xml'
    ? { body: toXmlBytes(header, records), contentType: 'application/xml' }
    : { body: toJsonBytes(header, records), contentType: 'application/json' };
}
