// One operator's whole recorded history, oldest statement first, with the run that stated each one:
// what the console's timeline shows (valid time: statusSince…; transaction time: recordedAt).
import type { Queryable } from './db.js';

export interface HistoryEntry {
  statusSince: string;
  validUntil: string | null;
  status: string;
  partnerStatus: string;
  tier: string;
  name: string;
  recordedAt: string;
  exchangeId: string;
  sequence: number | null;
  kind: string | null;
}

export async function operatorHistory(q: Queryable, partner: string, partnerId: string): Promise<HistoryEntry[]> {
  const rows = await q.query<{
    status_since: string;
    valid_until: string | null;
    status: string;
    partner_status: string;
    tier: string;
    name: string;
    recorded_at: string;
    exchange_id: string;
    sequence: number | null;
    kind: string | null;
  }>(
    `SELECT e.status_since::text AS status_since, e.valid_until::text AS valid_until, e.status, e.partner_status, e.tier, e.name,
            to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
            e.exchange_id::text AS exchange_id, x.sequence::float8 AS sequence, x.kind
       FROM operator_events e JOIN exchanges x ON x.id = e.exchange_id
      WHERE e.partner = $1 AND e.partner_id = $2
      ORDER BY e.id`,
    [partner, partnerId],
  );
  return rows.map((r) => ({
    statusSince: r.status_since,
    validUntil: r.valid_until,
    status: r.status,
    partnerStatus: r.partner_status,
    tier: r.tier,
    name: r.name,
    recordedAt: r.recorded_at,
    exchangeId: r.exchange_id,
    sequence: r.sequence,
    kind: r.kind,
  }));
}
