// Stages 3–5: parse the verified bytes, validate them against the partner schema, map them to operators.
import { mapMessage } from '../catalog/map.js';
import { parsePayload } from '../catalog/parse.js';
import { schemaInvalid } from '../catalog/problems.js';
import type { PartnerDefinition } from '../catalog/types.js';
import { dateInZone, parseInstant } from '../domain/dates.js';
import type { ListHeader, OperatorRecord } from '../domain/types.js';

export interface DecodedList {
  header: ListHeader;
  records: OperatorRecord[];
  /** The calendar date of generatedAt in the gateway's zone: removals and undated statuses take it. */
  listDate: string;
}

export async function decodeList(
  def: PartnerDefinition,
  body: Buffer,
  ctx: { timeZone: string; economyAliases: Readonly<Record<string, string>> },
): Promise<DecodedList> {
  const parsed = await parsePayload(body, def.manifest.format, def.manifest.xml);
  const problems = def.validatePayload(parsed);
  if (problems.length > 0) throw schemaInvalid(problems);
  // The schema checked generatedAt's format; its date (in our zone) stands in for missing status dates.
  const dateOf = (generatedAt: string): string => dateInZone(parseInstant(generatedAt) ?? Number.NaN, ctx.timeZone);
  const mapped = mapMessage(parsed, def.mapping, { fallbackDate: dateOf, economyAliases: ctx.economyAliases });
  if (mapped.problems.length > 0) throw schemaInvalid(mapped.problems);
  return { header: mapped.header, records: mapped.records, listDate: dateOf(mapped.header.generatedAt) };
}
