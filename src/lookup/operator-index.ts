// The in-memory lookup index: every operator's history, by declared code and alias, plus what the
// answers cite (exchange provenance, partner freshness). Loaded from the store, then patched with
// each partner's new events; a patch is applied synchronously, so a lookup never sees half of one.
// Events live in columns (event-columns.ts); codes map to operator numbers, operators to their
// newest event, and each event to the operator's previous one.
import type { OperatorEvent } from '../domain/types.js';
import type { Signer } from '../exchange/types.js';
import type { Db, Queryable } from '../store/db.js';
import { listPartnerStates, type PartnerState } from '../store/exchanges-repo.js';
import { EVENT_PAGE_ROWS, EVENT_ROW, eventRowPagesAfter } from '../store/operators-repo.js';
import { EventColumns } from './event-columns.js';

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
  private readonly events = new EventColumns();
  /** Declared code or alias → operator number: every code the operator was ever known by. */
  private readonly byCode = new Map<string, number>();
  /** Operator number → slot of its newest event. */
  private heads = new Int32Array(1024);
  private operators = 0;
  /**
   * partner NUL partnerId → operator, for the operators `byCode.get(partnerId)` does not lead to
   * (their partner id is not one of their codes, or another operator took it): see findOperator.
   * Empty for partners whose partner id is the declared code (EU's EORI).
   */
  private readonly byIdentity = new Map<string, number>();
  private readonly lastEventId = new Map<string, number>();
  private readonly provenance = new Map<string, Provenance>();
  private partnerData = new Map<string, PartnerData>();
  private refreshing: Promise<void> = Promise.resolve();
  private loadedOnce = false;
  private generation = 0;

  /** `partnerCodes`: the partners a full refresh reads (a function: partners are activated while running). */
  constructor(
    private readonly db: Db,
    private readonly partnerCodes: readonly string[] | (() => readonly string[]),
    /** Rows per read page (tests use small pages). */
    private readonly pageRows = EVENT_PAGE_ROWS,
  ) {}

  get loaded(): boolean {
    return this.loadedOnce;
  }

  /** Changes whenever an answer could change: new events or new partner state. */
  get version(): number {
    return this.generation;
  }

  get operatorCount(): number {
    return this.operators;
  }

  /** Bytes the index holds in typed arrays (not in the JS heap's count; the memory bench adds them). */
  get typedBytes(): number {
    return this.events.typedBytes + this.heads.byteLength;
  }

  /** The id of the partner's newest event the index holds (0: none). */
  lastEventIdOf(partner: string): number {
    return this.lastEventId.get(partner) ?? 0;
  }

  /** The newest statement about each of the partner's operators, as the index holds them. */
  currentOf(partner: string): OperatorEvent[] {
    const current: OperatorEvent[] = [];
    for (let op = 0; op < this.operators; op++) {
      const head = this.heads[op]!;
      if (this.events.partnerOf(head) === partner) current.push(this.events.event(head));
    }
    return current;
  }

  /** The operator's events, sorted by recording time (built on each call: the index keeps columns). */
  history(code: string): readonly OperatorEvent[] | undefined {
    const op = this.byCode.get(code);
    if (op === undefined) return undefined;
    let count = 0;
    for (let s = this.heads[op]!; s >= 0; s = this.events.prevOf(s)) count++;
    const out = new Array<OperatorEvent>(count);
    for (let s = this.heads[op]!; s >= 0; s = this.events.prevOf(s)) out[--count] = this.events.event(s);
    return out;
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
    // Rows go into new slots as pages arrive; no code leads to them until they are linked below.
    const start = this.events.length;
    let read: Awaited<ReturnType<OperatorIndex['read']>>;
    try {
      read = await this.db.transaction((tx) => this.read(tx, partners));
    } catch (err) {
      this.events.truncate(start);
      throw err;
    }
    // From here on, synchronous: lookups see the index before or after, never between.
    for (const { partner, first, end, lastId, prov } of read.loaded) {
      for (const p of prov) {
        this.provenance.set(p.id, {
          exchangeId: p.id,
          sequence: p.sequence,
          receivedAt: p.started_at,
          payloadSha256: p.payload_sha256,
          signer: p.signer,
        });
      }
      for (let slot = first; slot < end; slot++) this.link(slot);
      if (lastId > 0) this.lastEventId.set(partner, lastId);
      const before = JSON.stringify(this.partnerData.get(partner) ?? null);
      this.setPartner(partner, prov, read.states.find((s) => s.partner === partner));
      if (end > first || JSON.stringify(this.partnerData.get(partner) ?? null) !== before) this.generation++;
    }
    this.events.trim();
    this.loadedOnce = true;
  }

  /**
   * Events, provenance and partner state in one snapshot (REPEATABLE READ): a list published
   * meanwhile is seen whole or not at all, never its state without its events. Events are read a
   * page at a time straight into columns (no array of all rows, no event objects).
   */
  private async read(tx: Queryable, partners: readonly string[]) {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    // Pages come from the (partner, id) index in order. Without statistics (the embedded engine never
    // analyses) the planner would sort every remaining row for each page: a million-event load is
    // then quadratic. Local to this read-only transaction.
    await tx.query('SET LOCAL enable_sort = off');
    const loaded: { partner: string; first: number; end: number; lastId: number; prov: ProvenanceRow[] }[] = [];
    for (const partner of partners) {
      const first = this.events.length;
      let lastId = 0;
      for await (const rows of eventRowPagesAfter(tx, partner, this.lastEventId.get(partner) ?? 0, this.pageRows)) {
        for (const row of rows) this.events.append(row);
        lastId = Number(rows[rows.length - 1]![EVENT_ROW.id]);
      }
      const end = this.events.length;
      const prov = await tx.query<ProvenanceRow>(
        `SELECT id::text AS id, partner, sequence::float8 AS sequence,
                to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
                to_char(generated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS generated_at,
                payload_sha256, signer, (extract(epoch FROM applied_at) * 1000)::float8 AS applied_at
           FROM exchanges WHERE partner = $1 AND applied_at IS NOT NULL ORDER BY applied_at, id`,
        [partner],
      );
      loaded.push({ partner, first, end, lastId, prov });
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

  /**
   * The operator a (partner, partnerId) names. Invariant kept by `link`: every operator is found
   * either through byCode under its partner id, or in byIdentity.
   */
  private findOperator(partner: string, partnerId: string): number | undefined {
    const op = this.byCode.get(partnerId);
    if (op !== undefined) {
      const head = this.heads[op]!;
      if (this.events.partnerIdOf(head) === partnerId && this.events.partnerOf(head) === partner) return op;
    }
    return this.byIdentity.size === 0 ? undefined : this.byIdentity.get(`${partner}\u0000${partnerId}`);
  }

  /** Makes a read slot part of its operator's history, and every code it names lead there. */
  private link(slot: number): void {
    const partner = this.events.partnerOf(slot);
    const partnerId = this.events.partnerIdOf(slot);
    let op = this.findOperator(partner, partnerId);
    if (op === undefined) {
      op = this.operators++;
      if (op === this.heads.length) this.heads = grown(this.heads, op + (op >>> 1));
    } else {
      this.events.setPrev(slot, this.heads[op]!);
    }
    this.heads[op] = slot;
    // Every code the operator was ever known by resolves to the same history; the newest claim wins.
    this.claim(this.events.declaredCodeOf(slot), op);
    const aliases = this.events.aliasesOf(slot);
    if (typeof aliases === 'string') this.claim(aliases, op);
    else if (aliases !== null) for (const alias of aliases) this.claim(alias, op);
    if (this.byCode.get(partnerId) !== op) this.byIdentity.set(`${partner}\u0000${partnerId}`, op);
  }

  private claim(code: string, op: number): void {
    const before = this.byCode.get(code);
    if (before !== undefined && before !== op) {
      const head = this.heads[before]!;
      // That operator was found under this code (its partner id): from now on, by identity.
      if (this.events.partnerIdOf(head) === code) this.byIdentity.set(`${this.events.partnerOf(head)}\u0000${code}`, before);
    }
    this.byCode.set(code, op);
  }
}

function grown(a: Int32Array<ArrayBuffer>, capacity: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(capacity);
  next.set(a);
  return next;
}
