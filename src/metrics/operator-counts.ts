// aeo_partner_operators: each operator of a partner counted by the status of its newest statement.
// Read from the database, and again only when the partner's applied list changed.
import type { Db } from '../store/db.js';
import { OPERATOR_STATUSES } from './catalogue.js';

export class OperatorStatusCounts {
  private readonly cache = new Map<string, { exchangeId: string | null; counts: Map<string, number> }>();

  constructor(private readonly db: Db) {}

  async of(partner: string, lastExchangeId: string | null): Promise<Map<string, number>> {
    const cached = this.cache.get(partner);
    if (cached && cached.exchangeId === lastExchangeId) return cached.counts;
    const counts = new Map<string, number>(OPERATOR_STATUSES.map((s) => [s, 0]));
    if (lastExchangeId !== null) {
      const rows = await this.db.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM (
           SELECT DISTINCT ON (partner_id) status FROM operator_events WHERE partner = $1 ORDER BY partner_id, id DESC
         ) newest GROUP BY status`,
        [partner],
      );
      for (const r of rows) counts.set(r.status, r.n);
    }
    this.cache.set(partner, { exchangeId: lastExchangeId, counts });
    return counts;
  }
}
