// SQL of the retention job (contract 12.4): raw inbound messages past retention are deleted; the
// run records (hash, signer, counts), operator history and audit rows are never touched.
import type { Queryable } from './db.js';

/**
 * Deletes the stored messages of inbound runs started before `cutoff`, then payloads no run refers
 * to any more. Kept whatever their age: the message of a run still running, of a quarantined run
 * nobody reviewed yet (an approval re-reads it), and of each partner's last applied list (the one a
 * new partner version re-reads on activation). Returns the number of messages deleted.
 */
export async function pruneInboundMessages(tx: Queryable, cutoff: Date): Promise<number> {
  const deleted = await tx.query<{ exchange_id: string }>(
    `DELETE FROM exchange_messages m USING exchanges e
      WHERE e.id = m.exchange_id AND e.started_at < $1 AND e.outcome IS NOT NULL
        AND NOT (e.outcome = 'QUARANTINED' AND e.review IS NULL)
        AND NOT EXISTS (SELECT 1 FROM partner_state s WHERE s.last_exchange_id = e.id)
      RETURNING m.exchange_id::text AS exchange_id`,
    [cutoff.toISOString()],
  );
  if (deleted.length > 0) {
    await tx.query('DELETE FROM payloads p WHERE NOT EXISTS (SELECT 1 FROM exchange_messages m WHERE m.payload_sha256 = p.sha256)');
  }
  return deleted.length;
}
