// SQL for operator history: append-only events, read back in recording order.
import type { OperatorEvent, OperatorStatus } from '../domain/types.js';
import type { Queryable } from './db.js';

interface EventRow {
  id: number;
  partner: string;
  partner_id: string;
  declared_code: string;
  aliases: string[];
  name: string;
  tier: string;
  status: OperatorStatus;
  partner_status: string;
  status_since: string;
  valid_until: string | null;
  exchange_id: string;
  recorded_at: number;
  [key: string]: unknown;
}

export interface StoredEvent extends OperatorEvent {
  id: number;
}

const EVENT_COLUMNS = `id::float8 AS id, partner, partner_id, declared_code, aliases, name, tier, status, partner_status,
  status_since::text AS status_since, valid_until::text AS valid_until, exchange_id::text AS exchange_id,
  (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_at`;

const toEvent = (r: EventRow): StoredEvent => ({
  id: r.id,
  partner: r.partner,
  partnerId: r.partner_id,
  declaredCode: r.declared_code,
  aliases: r.aliases,
  name: r.name,
  tier: r.tier,
  status: r.status,
  partnerStatus: r.partner_status,
  statusSince: r.status_since,
  validUntil: r.valid_until,
  exchangeId: r.exchange_id,
  recordedAt: r.recorded_at,
});

/** Events of one partner with id > afterId, in id order (per partner, id order is commit order). */
export async function eventsAfter(q: Queryable, partner: string, afterId: number): Promise<StoredEvent[]> {
  const rows = await q.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM operator_events WHERE partner = $1 AND id > $2 ORDER BY id`, [
    partner,
    afterId,
  ]);
  return rows.map(toEvent);
}

/** The newest statement about each of the partner's operators: the current list, as the diff needs it. */
export async function currentOperators(q: Queryable, partner: string): Promise<StoredEvent[]> {
  const rows = await q.query<EventRow>(
    `SELECT DISTINCT ON (partner_id) ${EVENT_COLUMNS} FROM operator_events WHERE partner = $1 ORDER BY partner_id, id DESC`,
    [partner],
  );
  return rows.map(toEvent);
}

/** Appends events in one statement (arrays unnested), whatever their number. */
export async function insertEvents(tx: Queryable, events: readonly OperatorEvent[], recordedAt: Date): Promise<void> {
  const CHUNK = 20_000; // keeps each statement's parameters to a few MB
  for (let start = 0; start < events.length; start += CHUNK) {
    const chunk = events.slice(start, start + CHUNK);
    await tx.query(
      `INSERT INTO operator_events (partner, partner_id, declared_code, aliases, name, tier, status, partner_status,
         status_since, valid_until, exchange_id, recorded_at)
       SELECT p, pid, dc, CASE WHEN al = '' THEN '{}'::text[] ELSE string_to_array(al, ' ') END, n, t, s, ps, ss, vu, ex, $12
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::date[], $10::date[], $11::uuid[]) AS u(p, pid, dc, al, n, t, s, ps, ss, vu, ex)`,
      [
        chunk.map((e) => e.partner),
        chunk.map((e) => e.partnerId),
        chunk.map((e) => e.declaredCode),
        // Codes never contain spaces (normalised), so a space-joined text carries the alias list.
        chunk.map((e) => e.aliases.join(' ')),
        chunk.map((e) => e.name),
        chunk.map((e) => e.tier),
        chunk.map((e) => e.status),
        chunk.map((e) => e.partnerStatus),
        chunk.map((e) => e.statusSince),
        chunk.map((e) => e.validUntil),
        chunk.map((e) => e.exchangeId),
        recordedAt.toISOString(),
      ],
    );
  }
}
