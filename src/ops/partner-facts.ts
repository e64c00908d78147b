// What partner health and the per-partner gauges are made of, read from the database at the moment
// they are asked for, so every replica answers the same (contract 12.2).
import type { PartnerRuntime } from '../exchange/partners.js';
import type { Outcome } from '../exchange/types.js';
import { isStale } from '../lookup/freshness.js';
import type { PartnerData } from '../lookup/operator-index.js';
import type { Queryable } from '../store/db.js';
import { listPartnerStates } from '../store/exchanges-repo.js';
import { previousDueAt } from './cron-previous.js';
import { partnerHealth, type HealthWord } from './health.js';

export interface PartnerFacts {
  /** The partner's applied data as the lookup index would hold it; undefined before the first list. */
  data: Omit<PartnerData, 'lists'> | undefined;
  /** The run whose list is applied now (its signer is the partner's last signer). */
  lastExchangeId: string | null;
  quarantinePending: number;
  /** Newest finished inbound runs first, at most two. */
  recentOutcomes: Outcome[];
}

const EMPTY: PartnerFacts = { data: undefined, lastExchangeId: null, quarantinePending: 0, recentOutcomes: [] };

/** One read of every partner's facts (four small queries, whatever the number of partners). */
export async function readPartnerFacts(q: Queryable, partners: readonly string[]): Promise<Map<string, PartnerFacts>> {
  const states = await listPartnerStates(q);
  const firsts = await q.query<{ partner: string; first: number }>(
    `SELECT partner, (extract(epoch FROM min(applied_at)) * 1000)::float8 AS first FROM exchanges
      WHERE direction = 'inbound' AND applied_at IS NOT NULL GROUP BY partner`,
  );
  const pending = await q.query<{ partner: string; n: number }>(
    `SELECT partner, count(*)::int AS n FROM exchanges
      WHERE direction = 'inbound' AND outcome = 'QUARANTINED' AND review IS NULL GROUP BY partner`,
  );
  const recent = await q.query<{ partner: string; outcome: Outcome }>(
    `SELECT p.partner, r.outcome FROM unnest($1::text[]) AS p(partner)
       CROSS JOIN LATERAL (SELECT outcome, started_at FROM exchanges
                            WHERE partner = p.partner AND direction = 'inbound' AND outcome IS NOT NULL
                            ORDER BY started_at DESC LIMIT 2) r
      ORDER BY p.partner, r.started_at DESC`,
    [partners],
  );
  const facts = new Map<string, PartnerFacts>();
  for (const code of partners) {
    const state = states.find((s) => s.partner === code);
    const first = firsts.find((f) => f.partner === code)?.first;
    facts.set(code, {
      data:
        state && first !== undefined && state.lastAppliedAt !== null
          ? {
              firstAppliedAt: first,
              lastGeneratedAt: state.lastGeneratedAt,
              lastSuccessAt: state.lastSuccessAt === null ? null : Date.parse(state.lastSuccessAt),
              lastSequence: state.lastSequence,
              operatorCount: state.operatorCount,
            }
          : undefined,
      lastExchangeId: state?.lastExchangeId ?? null,
      quarantinePending: pending.find((p) => p.partner === code)?.n ?? 0,
      recentOutcomes: recent.filter((r) => r.partner === code).map((r) => r.outcome),
    });
  }
  return facts;
}

/** The partner's health word now: the facts, the manifest, and its schedule in AEO_TIMEZONE. */
export function healthOf(partner: PartnerRuntime, facts: PartnerFacts | undefined, timeZone: string, now: number): HealthWord {
  const f = facts ?? EMPTY;
  const { manifest } = partner.def;
  return partnerHealth({
    enabled: manifest.enabled,
    everApplied: f.data !== undefined,
    quarantinePending: f.quarantinePending,
    stale: isStale(f.data, manifest.freshnessHours, now),
    recentOutcomes: f.recentOutcomes,
    lastSuccessAt: f.data?.lastSuccessAt ?? null,
    previousDueAt: dueBefore(manifest.schedule, timeZone, now),
    now,
  });
}

function dueBefore(schedule: string, timeZone: string, now: number): number | null {
  try {
    return previousDueAt(schedule, timeZone, now);
  } catch {
    return null; // manifests are checked at load; a schedule node-cron refuses never runs, so never due
  }
}
