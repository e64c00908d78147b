// Eligibility and projection (pure): which enterprises a partner gets, and only the fields it may see.
import type { Enterprise } from '../domestic/types.js';
import type { RecordProblem } from '../domestic/types.js';
import { ALWAYS_SENT, MESSAGE_FIELDS, type MessageField, type OutboundSettings } from './settings.js';

/** One enterprise as a partner receives it: message fields only, in message order; empty text left out. */
export type OutboundRecord = Readonly<Partial<Record<MessageField, string>> & { aeoCode: string; status: string }>;

/**
 * Projections already made, per enterprise object, for one allow-list. The register in memory keeps
 * an unchanged enterprise's object, so an unchanged enterprise gives the same record again — which
 * the schema check (checked once per record) and the comparison with the last state take cheaply.
 */
export type ProjectionMemo = WeakMap<Enterprise, OutboundRecord>;

/** Eligible: a grade the partner accepts and status VALID (rectification, suspension, revocation are not). */
export function isEligible(e: Enterprise, s: Pick<OutboundSettings, 'acceptedLevels'>): boolean {
  return e.status === 'VALID' && s.acceptedLevels.includes(e.level);
}

/** The fields to send, in message order; aeoCode and status always. */
export function sentFields(s: Pick<OutboundSettings, 'fields'>): MessageField[] {
  return MESSAGE_FIELDS.filter((f) => ALWAYS_SENT.includes(f) || s.fields.includes(f));
}

/**
 * Records made here (and departures): only message fields, strings, keys in message order — so plain
 * JSON.stringify writes their canonical form (message.ts takes that fast path for them).
 */
const CANONICAL = new WeakSet<OutboundRecord>();
export const isCanonical = (r: OutboundRecord): boolean => CANONICAL.has(r);

/** Copies only the allowed fields: nothing else about the enterprise can leave through this record. */
export function project(e: Enterprise, fields: readonly MessageField[]): OutboundRecord {
  const out: Record<string, string> = {};
  // In message order whatever order `fields` has: the keys are then in canonical order.
  for (const f of MESSAGE_FIELDS) {
    if (!fields.includes(f)) continue;
    const v = e[f];
    if (typeof v === 'string' && v !== '') out[f] = v;
  }
  CANONICAL.add(out as OutboundRecord);
  return out as OutboundRecord;
}

/** An enterprise that left the partner's list, as a DELTA carries it. */
export function departure(aeoCode: string, statusSince: string): OutboundRecord {
  const r: OutboundRecord = { aeoCode, status: 'REVOKED', statusSince };
  CANONICAL.add(r);
  return r;
}

/** What the partner gets of one enterprise: its record, a problem (held back), or nothing (not eligible). */
export type Placement = { record: OutboundRecord; problem?: undefined } | { record?: undefined; problem: string } | null;

/** Where one enterprise stands for a partner; `fields` = sentFields(s), `memo` belongs to them. */
export function place(e: Enterprise, s: OutboundSettings, fields: readonly MessageField[], memo?: ProjectionMemo): Placement {
  if (!isEligible(e, s)) return null;
  if (s.requireEnglishName && e.nameEn.trim() === '') return { problem: `${e.aeoCode} has no English name, which this partner requires; held back` };
  let r = memo?.get(e);
  if (r === undefined) {
    r = project(e, fields);
    memo?.set(e, r);
  }
  return { record: r };
}

export const heldBackPath = (aeoCode: string): string => `/${aeoCode}/nameEn`;

export interface Selection {
  /** Eligible and complete, by aeoCode. */
  records: Map<string, OutboundRecord>;
  /** Eligible but held back for a missing required field. */
  problems: RecordProblem[];
}

/** What a partner may receive from the register now; `memo` must belong to `s.fields`. */
export function selectForPartner(register: Iterable<Enterprise>, s: OutboundSettings, memo?: ProjectionMemo): Selection {
  const fields = sentFields(s);
  const records = new Map<string, OutboundRecord>();
  const problems: RecordProblem[] = [];
  for (const e of register) {
    const p = place(e, s, fields, memo);
    if (p?.record) records.set(e.aeoCode, p.record);
    else if (p) problems.push({ record: problems.length, path: heldBackPath(e.aeoCode), message: p.problem });
  }
  return { records, problems };
}
