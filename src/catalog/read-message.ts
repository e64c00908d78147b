// The whole "bytes → header + operator records" path for any partner, in pipeline order:
// size → parse → validate against the partner schema → map. Same code for every partner.
import { AppError } from '../errors.js';
import type { ListHeader, OperatorRecord } from '../domain/types.js';
import { mapMessage, type MapOptions } from './map.js';
import { parsePayload } from './parse.js';
import { getAt } from './pointer.js';
import { schemaInvalid } from './problems.js';
import type { PartnerDefinition } from './types.js';

export interface ListMessage {
  header: ListHeader;
  records: OperatorRecord[];
}

/**
 * Rejects with AppError TOO_LARGE, PAYLOAD_MALFORMED or SCHEMA_INVALID (`details.problems`, at most
 * 100). Sender, sequence and signature checks belong to the pipeline, not here.
 */
export async function readListMessage(bytes: Uint8Array, partner: PartnerDefinition, options: MapOptions): Promise<ListMessage> {
  const { manifest } = partner;
  if (bytes.byteLength > manifest.maxBytes) {
    throw new AppError('TOO_LARGE', `The message is larger than the ${manifest.maxBytes} bytes allowed for ${partner.code}.`);
  }
  const parsed = await parsePayload(bytes, manifest.format, manifest.xml);
  // A refused list still reports how many records it held (counts.received).
  const received = (): number => {
    const records = getAt(parsed, partner.mapping.recordsKeys);
    return Array.isArray(records) ? records.length : 0;
  };
  const schemaProblems = partner.validatePayload(parsed);
  if (schemaProblems.length > 0) throw schemaInvalid(schemaProblems, received());
  const mapped = mapMessage(parsed, partner.mapping, options);
  if (mapped.problems.length > 0) throw schemaInvalid(mapped.problems, received());
  return { header: mapped.header, records: mapped.records };
}
