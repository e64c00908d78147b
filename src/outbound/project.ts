// Eligibility and projection (pure): which enterprises a partner gets, and only the fields it may see.
import type { Enterprise } from '../domestic/types.js';
import type { RecordProblem } from '../domestic/types.js';
import { ALWAYS_SENT, MESSAGE_FIELDS, type MessageField, type OutboundSettings } from './settings.js';

/** One enterprise as a partner receives it: message fields only, in message order; empty text left out. */
export type OutboundRecord = Partial<Record<MessageField, string>> & { aeoCode: string; status: string };

/** Eligible: a grade the partner accepts and status VALID (rectification, suspension, revocation are not). */
export function isEligible(e: Enterprise, s: Pick<OutboundSettings, 'acceptedLevels'>): boolean {
  return e.status === 'VALID' && s.acceptedLevels.includes(e.level);
}

/** The fields to send, in message order; aeoCode and status always. */
export function sentFields(s: Pick<OutboundSettings, 'fields'>): MessageField[] {
  return MESSAGE_FIELDS.filter((f) => ALWAYS_SENT.includes(f) || s.fields.includes(f));
}

/** Copies only the allowed fields: nothing else about the enterprise can leave through this record. */
export function project(e: Enterprise, fields: readonly MessageField[]): OutboundRecord {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = e[f];
    if (typeof v === 'string' && v !== '') out[f] = v;
  }
  return out as OutboundRecord;
}

export interface Selection {
  /** Eligible and complete, by aeoCode. */
  records: Map<string, OutboundRecord>;
  /** Eligible but held back for a missing required field. */
  problems: RecordProblem[];
}

/** What a partner may receive from the register now. */
export function selectForPartner(register: Iterable<Enterprise>, s: OutboundSettings): Selection {
  const fields = sentFields(s);
  const records = new Map<string, OutboundRecord>();
  const problems: RecordProblem[] = [];
  for (const e of register) {
    if (!isEligible(e, s)) continue;
    if (s.requireEnglishName && e.nameEn.trim() === '') {
      problems.push({ record: problems.length, path: `/${e.aeoCode}/nameEn`, message: `${e.aeoCode} has no English name, which this partner requires; held back` });
      continue;
    }
    records.set(e.aeoCode, project(e, fields));
  }
  return { records, problems };
}
