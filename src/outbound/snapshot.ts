// What a partner holds after a batch — the base of the next DELTA. Nothing extra is stored for it:
// a FULL's records are that state, and a DELTA's records are exactly its changes (eligible records
// are VALID, so a REVOKED record is a departure). After each build the state is kept in memory under
// the batch id; on a miss (a restart, another process built) it is rebuilt from the stored messages:
// the last FULL up to that batch, then every DELTA after it in sequence order.
// A retention pruner must keep each partner's messages since its latest FULL for this.
import type { Queryable } from '../store/db.js';
import { bodyOf } from './body.js';
import { XML_NAMES } from './message.js';
import type { ListMark } from './partner-list.js';
import type { RecordLookup } from './plan.js';
import type { OutboundRecord } from './project.js';
import { storedBodies } from './repo.js';
import { MESSAGE_FIELDS, type MessageField } from './settings.js';

export type Snapshot = RecordLookup;

const FIELD_OF_XML = new Map<string, MessageField>(MESSAGE_FIELDS.map((f) => [XML_NAMES[f], f]));
const XML_TEXT: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

/** The records of one of our own XML messages (message.ts: escaped text, no attributes on records). */
export function recordsFromXml(xml: string): OutboundRecord[] {
  const out: OutboundRecord[] = [];
  for (const [, inner] of xml.matchAll(/<Enterprise>(.*?)<\/Enterprise>/gs)) {
    const r: Record<string, string> = {};
    for (const [, tag, text] of inner!.matchAll(/<([A-Za-z]+)>([^<]*)<\/\1>/g)) {
      const field = FIELD_OF_XML.get(tag!);
      if (!field) throw new Error(`not an outbound record element: ${tag}`);
      r[field] = text!.replace(/&(?:amp|lt|gt|quot|apos);/g, (e) => XML_TEXT[e]!);
    }
    out.push(r as OutboundRecord);
  }
  return out;
}

/** The records of a stored message body. */
export function recordsOf(body: Buffer, format: 'json' | 'xml'): OutboundRecord[] {
  const text = body.toString('utf8');
  return format === 'xml' ? recordsFromXml(text) : (JSON.parse(text) as { enterprises: OutboundRecord[] }).enterprises;
}

/** A DELTA's records applied to the state before it (pure; `into` is changed). */
export function applyDelta(into: Map<string, OutboundRecord>, records: readonly OutboundRecord[]): void {
  for (const r of records) {
    if (r.status === 'REVOKED') into.delete(r.aeoCode);
    else into.set(r.aeoCode, r);
  }
}

/** The state after `sequence`, from the stored messages (null when they are not all there). */
export async function snapshotFromMessages(q: Queryable, partner: string, sequence: number): Promise<Map<string, OutboundRecord> | null> {
  const rows = await storedBodies(
    q,
    `partner = $1 AND sequence <= $2
       AND sequence >= (SELECT max(sequence) FROM outbound_batches WHERE partner = $1 AND kind = 'FULL' AND sequence <= $2)
     ORDER BY sequence`,
    [partner, sequence],
  );
  if (rows.length === 0 || rows[0]!.kind !== 'FULL') return null;
  const state = new Map<string, OutboundRecord>();
  for (const r of rows) {
    const body = await bodyOf(r);
    if (body === null) return null;
    applyDelta(state, recordsOf(body, r.format));
  }
  return state;
}

/** A partner's state after a batch; `mark`: where the builder's list stood then (null when rebuilt from messages). */
export interface KnownState {
  state: Snapshot;
  mark: ListMark | null;
}

/** The last state built per partner, under its batch id (immutable: a batch's state never changes). */
export class SnapshotCache {
  private readonly last = new Map<string, { batchId: string } & KnownState>();

  remember(partner: string, batchId: string, known: KnownState): void {
    this.last.set(partner, { batchId, ...known });
  }

  /** The state after batch `batchId` (sequence `sequence`): from memory, else from the messages. */
  async after(q: Queryable, partner: string, batchId: string, sequence: number): Promise<KnownState | null> {
    const hit = this.last.get(partner);
    if (hit?.batchId === batchId) return hit;
    const state = await snapshotFromMessages(q, partner, sequence);
    return state && { state, mark: null };
  }
}
