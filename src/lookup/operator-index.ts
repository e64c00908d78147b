// The in-memory lookup index: every operator's history, by declared code and alias, plus what the
// answers cite (exchange provenance, partner freshness). Loaded from the store, then patched with
// each partner's new events; a patch is applied synchronously, so a lookup never sees half of one.
import type { OperatorEvent } from '../domain/types.js';
import type { Signer } from '../exchange/types.js';
import type { Db, Queryable } from '../store/db.js';
import { listPartnerStates, type PartnerState } from '../store/exchanges-repo.js';
import { eventsAfter } from '../store/operators-repo.js';

export interface Provenance {
  exchangeId: string;
  sequence: number;
  receivedAt: string;
  payloadSha256: string;
  signer: Signer | null;
}

/** One applied list: when it was applied (transaction time, epoch ms) and its own generatedAt. */
export interface AppliedList {
  appliedAt: number;
  generatedAt: string;
}

export interface PartnerData {
  /** When the first list of this partner was applied (transaction time), epoch ms. */
  firstAppliedAt: number;
  lastGeneratedAt: string | null;
  /** Every applied list, oldest first: what answers as known at an earlier instant cite. */
  lists: readonly AppliedList[];
  /** Last APPLIED or NO_CHANGE: the partner confirmed its list then. */
  lastSuccessAt: number | null;
  lastSequence: number | null;
  operatorCount: number;
}

interface ProvenanceRow {
  id: string;
  partner: string;
  sequence: number;
  started_at: string;
  payload_sha256: string;
  signer: Signer | null;
  applied_at: number;
  generated_at: string | null;
  [key: string]: unknown;
}

export class OperatorIndex {
  /** Declared code or alias → the operator's events, sorted by recording time. */
  private readonly byCode = new Map<string, OperatorEvent[]>();
  private readonly byOperator = new Map<string, OperatorEvent[]>();
  private readonly lastEventId = new Map<string, number>();
  private readonly provenance = new Map<string, Provenance>();
  private partnerData = new Map<string, PartnerData>();
  private refreshing: Promise<void> = Promise.resolve();
  private loadedOnce = false;
  private generation = 0;

  /** `partnerCodes`: the partners a full refresh reads (a function: partners are activated while running). */
  constructor(private readonly db: Db, private readonly partnerCodes: readonly string[] | (() => readonly string[])) {}

  get loaded(): boolean {
    return this.loadedOnce;
  }

  /** Changes whenever an answer could change: new events or new partner state. */
  get version(): number {
    return this.generation;
  }

  get operatorCount(): number {
    return this.byOperator.size;
  }

  /** The id of the partner's newest event the index holds (0: none). */
  lastEventIdOf(partner: string): number {
    return this.lastEventId.get(partner) ?? 0;
  }

  /** The newest statement about each of the partner's operators, as the index holds them. */
  currentOf(partner: string): OperatorEvent[] {
    const current: OperatorEvent[] = [];
    for (const events of this.byOperator.values()) {
      const last = events[events.length - 1]!;
      if (last.partner === partner) current.push(last);
    }
    return current;
  }

  history(code: string): readonly OperatorEvent[] | undefined {
    return this.byCode.get(code);
  }

  provenanceOf(exchangeId: string): Provenance | undefined {
    return this.provenance.get(exchangeId);
  }

  partner(code: string): PartnerData | undefined {
    return this.partnerData.get(code);
  }

  /** The newest list of the partner applied at or before `asKnownAt`, or null (none yet then). */
  listAsKnownAt(code: string, asKnownAt: number): AppliedList | null {
    const lists = this.partnerData.get(code)?.lists ?? [];
    let lo = 0;
    let hi = lists.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lists[mid]!.appliedAt <= asKnownAt) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? lists[lo - 1]! : null;
  }

  /** Brings the index up to date with the store (all partners, or one). Refreshes never overlap. */
  refresh(partner?: string): Promise<void> {
    const codes = typeof this.partnerCodes === 'function' ? this.partnerCodes : () => this.partnerCodes as readonly string[];
    const run = this.refreshing.then(() => this.load(partner === undefined ? codes() : [partner]));
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async load(partners: readonly string[]): Promise<void> {
    const { loaded, states } = await this.db.transaction((tx) => this.read(tx, partners));
    // From here on, synchronous: lookups see the index before or after, never between.
    for (const { partner, events, prov } of loaded) {
      for (const p of prov) {
        this.provenance.set(p.id, {
          exchangeId: p.id,
          sequence: p.sequence,
          receivedAt: p.started_at,
          payloadSha256: p.payload_sha256,
          signer: p.signer,
        });
      }
      for (const e of events) this.add(e);
      const last = events.at(-1);
      if (last) this.lastEventId.set(partner, last.id);
      const before = JSON.stringify(this.partnerData.get(partner) ?? null);
      this.setPartner(partner, prov, states.find((s) => s.partner === partner));
      if (events.length > 0 || JSON.stringify(this.partnerData.get(partner) ?? null) !== before) this.generation++;
    }
    this.loadedOnce = true;
  }

  /**
   * Events, provenance and partner state in one snapshot (REPEATABLE READ): a list published
   * meanwhile is seen whole or not at all, never its state without its events.
   */
  private async read(tx: Queryable, partners: readonly string[]) {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const loaded: { partner: string; events: (OperatorEvent & { id: number })[]; prov: ProvenanceRow[] }[] = [];
    for (const partner of partners) {
      const events = await eventsAfter(tx, partner, this.lastEventId.get(partner) ?? 0);
      const prov = await tx.query<ProvenanceRow>(
        `SELECT id::text AS id, partner, sequence::float8 AS sequence,
                to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
                to_char(generated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS generated_at,
                payload_sha256, signer, (extract(epoch FROM applied_at) * 1000)::float8 AS applied_at
           FROM exchanges WHERE partner = $1 AND applied_at IS NOT NULL ORDER BY applied_at, id`,
        [partner],
      );
      loaded.push({ partner, events, prov });
    }
    return { loaded, states: await listPartnerStates(tx) };
  }

  private setPartner(partner: string, prov: readonly ProvenanceRow[], state: PartnerState | undefined): void {
    const first = prov[0];
    if (!state || !first) return;
    const next = new Map(this.partnerData);
    next.set(partner, {
      firstAppliedAt: first.applied_at,
      lastGeneratedAt: state.lastGeneratedAt,
      lists: prov.map((p) => ({ appliedAt: p.applied_at, generatedAt: p.generated_at ?? '' })),
      lastSuccessAt: state.lastSuccessAt === null ? null : Date.parse(state.lastSuccessAt),
      lastSequence: state.lastSequence,
      operatorCount: state.operatorCount,
    });
    this.partnerData = next;
  }

  private add(stored: OperatorEvent & { id: number }): void {
    const { id, ...event } = stored;
    void id; // the store's id orders refreshes; the index keeps the event itself
    const key = `${event.partner}\u0000${event.partnerId}`;
    let events = this.byOperator.get(key);
    if (!events) {
      events = [];
      this.byOperator.set(key, events);
    }
    events.push(event);
    // Every code the operator was ever known by resolves to the same history.
    this.byCode.set(event.declaredCode, events);
    for (const alias of event.aliases) this.byCode.set(alias, events);
  }
}
