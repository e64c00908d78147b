// The whole "bytes → header + operator records" path for any partner, in pipeline order:
// size → parse → validate against the partner schema → map. Same code for every partner.
//
// Records are read, validated and mapped one at a time (parseList + the split validator), so a
// large list never exists as one parsed tree; the envelope (header) is checked at the end. Nothing is
// returned unless every record passed: the problems are the same, in the same order, as checking the
// whole message at once, which is still done for schemas that cannot be split.
import { AppError } from '../errors.js';
import type { ListHeader, OperatorRecord } from '../domain/types.js';
import { ListMapper, mapMessage, type MapOptions } from './map.js';
import { parseList, parsePayload } from './parse.js';
import { getAt } from './pointer.js';
import { ProblemList, schemaInvalid } from './problems.js';
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
  const split = partner.validatePayload.split;
  if (split === null) return readWhole(await parsePayload(bytes, manifest.format, manifest.xml), partner, options);

  const recordProblems = new ProblemList();
  const mapper = new ListMapper(partner.mapping, options);
  const parsed = parseList(bytes, manifest.format, manifest.xml, partner.mapping.recordsKeys, (record, index) => {
    // Once a record is schema-invalid the message is, and mapping the rest would be wasted.
    if (split.record(record, index, recordProblems) && recordProblems.items.length === 0) mapper.add(record, index);
  });
  if (!parsed.split) return readWhole(parsed.document, partner, options);

  const schemaProblems = new ProblemList();
  for (const p of [...split.envelope(parsed.envelope), ...recordProblems.items]) schemaProblems.add(p.record, p.path, p.message);
  // A refused list still reports how many records it held (counts.received).
  const received = parsed.records;
  if (schemaProblems.items.length > 0) throw schemaInvalid(schemaProblems.items, received);
  const mapped = mapper.finish(parsed.envelope, parsed.records);
  if (mapped.problems.length > 0) throw schemaInvalid(mapped.problems, received);
  return { header: mapped.header, records: mapped.records };
}

function readWhole(parsed: unknown, partner: PartnerDefinition, options: MapOptions): ListMessage {
  const records = getAt(parsed, partner.mapping.recordsKeys);
  const received = Array.isArray(records) ? records.length : 0;
  const schemaProblems = partner.validatePayload(parsed);
  if (schemaProblems.length > 0) throw schemaInvalid(schemaProblems, received);
  const mapped = mapMessage(parsed, partner.mapping, options);
  if (mapped.problems.length > 0) throw schemaInvalid(mapped.problems, received);
  return { header: mapped.header, records: mapped.records };
}
