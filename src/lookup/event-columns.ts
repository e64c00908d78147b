// The lookup index's events, stored as columns instead of objects: a million operators must fit in
// a few hundred MB. Each event is a slot. Values many events share (partner, tier, status words,
// dates, the exchange and its recording time) are interned and stored as numbers in typed arrays;
// only the strings an operator alone has (code, partner id, name, aliases) are kept as strings, each
// once. `event(slot)` builds the OperatorEvent on demand (a handful per lookup, short-lived).
import type { OperatorEvent, OperatorStatus } from '../domain/types.js';
import { EVENT_ROW } from '../store/operators-repo.js';

type Row = readonly (string | null)[];

interface Kind {
  partner: string;
  tier: string;
  status: OperatorStatus;
  partnerStatus: string;
}

interface Stamp {
  exchangeId: string;
  recordedAt: number;
}

/**
 * A string of our own: substrings of a large text (the embedded engine's COPY output is split into
 * fields) can be slices that keep the whole page of text alive; a copy through a Buffer is flat.
 * Strings shorter than V8's slice minimum (13) are always copies already.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** Values that repeat across events, each stored once and referred to by its number. */
class Interned<T> {
  private readonly ids = new Map<string, number>();
  readonly values: T[] = [];

  id(key: string, make: () => T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(make());
      this.ids.set(ownString(key), id);
    }
    return id;
  }
}

type Nested<T> = Map<string, T>;

/** The inner map under `key` (created empty the first time). */
function level<T>(outer: Map<string, Map<string, T>>, key: string): Map<string, T> {
  let inner = outer.get(key);
  if (inner === undefined) {
    inner = new Map();
    outer.set(ownString(key), inner);
  }
  return inner;
}

/** Grows (or trims) a typed array to `capacity`, keeping the first `used` values. */
function resized<A extends Uint32Array | Int32Array>(a: A, capacity: number, used: number): A {
  const next = new (a.constructor as new (n: number) => A)(capacity);
  next.set(a.subarray(0, used));
  return next;
}

export class EventColumns {
  private readonly kinds: Kind[] = [];
  private readonly kindIds: Nested<Nested<Nested<Map<string, number>>>> = new Map();
  private readonly stamps = new Interned<Stamp>();
  /** Dates (and null: id 0) as the store writes them, `YYYY-MM-DD`. */
  private readonly dates = new Interned<string | null>();
  private capacity = 1024;
  private kind = new Uint32Array(this.capacity);
  private stamp = new Uint32Array(this.capacity);
  private statusSince = new Uint32Array(this.capacity);
  private validFrom = new Uint32Array(this.capacity);
  private validUntil = new Uint32Array(this.capacity);
  /** The same operator's previous event (-1: none): an operator's history is a chain back from its newest. */
  private prev = new Int32Array(this.capacity);
  private readonly declaredCode: string[] = [];
  /** The same string as declaredCode when equal (EU: the EORI is both). */
  private readonly partnerId: string[] = [];
  private readonly name: string[] = [];
  /** null: none; a string: the one alias; an array: several. */
  private readonly aliases: (string | readonly string[] | null)[] = [];
  private n = 0;
  /** The previous row's kind and stamp: the next row usually has the same (no key built, no map read). */
  private kindMemo: Kind | null = null;
  private kindMemoId = 0;
  private stampMemo: { exchangeId: string; recordedAt: string; id: number } | null = null;

  constructor() {
    this.dates.values.push(null); // id 0 stands for null
  }

  get length(): number {
    return this.n;
  }

  /** Appends one SELECT_EVENTS row (operators-repo.ts) as a new slot; returns the slot. */
  append(r: Row): number {
    const slot = this.n;
    if (slot === this.capacity) this.reserve(this.capacity + (this.capacity >>> 1));
    const partner = r[EVENT_ROW.partner]!;
    const tier = r[EVENT_ROW.tier]!;
    const status = r[EVENT_ROW.status]!;
    const partnerStatus = r[EVENT_ROW.partnerStatus]!;
    const k = this.kindMemo;
    if (k === null || k.partner !== partner || k.tier !== tier || k.status !== status || k.partnerStatus !== partnerStatus) {
      // Nested maps of short words: no key string built per row.
      const byStatus = level(level(level(this.kindIds, partner), tier), status);
      let id = byStatus.get(partnerStatus);
      if (id === undefined) {
        id = this.kinds.length;
        this.kinds.push({ partner: ownString(partner), tier: ownString(tier), status: status as OperatorStatus, partnerStatus: ownString(partnerStatus) });
        byStatus.set(ownString(partnerStatus), id);
      }
      this.kindMemo = this.kinds[id]!;
      this.kindMemoId = id;
    }
    this.kind[slot] = this.kindMemoId;
    // Rows come in id order: events of one exchange (one stamp) follow each other.
    const exchangeId = r[EVENT_ROW.exchangeId]!;
    const recordedAt = r[EVENT_ROW.recordedAt]!;
    const m = this.stampMemo;
    if (m === null || m.exchangeId !== exchangeId || m.recordedAt !== recordedAt) {
      const id = this.stamps.id(`${exchangeId}\u0000${recordedAt}`, () => ({ exchangeId: ownString(exchangeId), recordedAt: Number(recordedAt) }));
      // Own copies: a memo of the row's own text would keep its whole page alive.
      this.stampMemo = { exchangeId: this.stamps.values[id]!.exchangeId, recordedAt: ownString(recordedAt), id };
    }
    this.stamp[slot] = this.stampMemo!.id;
    this.statusSince[slot] = this.date(r[EVENT_ROW.statusSince]!);
    this.validFrom[slot] = this.date(r[EVENT_ROW.validFrom] ?? null);
    this.validUntil[slot] = this.date(r[EVENT_ROW.validUntil] ?? null);
    this.prev[slot] = -1;
    const code = ownString(r[EVENT_ROW.declaredCode]!);
    const partnerId = r[EVENT_ROW.partnerId]!;
    this.declaredCode.push(code);
    this.partnerId.push(partnerId === code ? code : ownString(partnerId));
    this.name.push(ownString(r[EVENT_ROW.name]!));
    // Codes never contain spaces (normalised), so the store joins the alias list with them.
    const joined = r[EVENT_ROW.aliases] ?? '';
    this.aliases.push(joined === '' ? null : !joined.includes(' ') ? ownString(joined) : joined.split(' ').map(ownString));
    this.n = slot + 1;
    return slot;
  }

  /** Drops the slots from `length` on (a refresh that failed after reading some rows). */
  truncate(length: number): void {
    if (length >= this.n) return;
    this.n = length;
    this.declaredCode.length = length;
    this.partnerId.length = length;
    this.name.length = length;
    this.aliases.length = length;
  }

  /** Gives back most unused capacity (after a load: growth leaves up to a third unused). */
  trim(): void {
    const target = this.n + (this.n >>> 4) + 1024;
    if (this.capacity > target + (this.n >>> 4)) this.reserve(target);
  }

  /** Bytes held in typed arrays (outside the JS heap's object counts). */
  get typedBytes(): number {
    return [this.kind, this.stamp, this.statusSince, this.validFrom, this.validUntil, this.prev].reduce((sum, a) => sum + a.byteLength, 0);
  }

  partnerOf(slot: number): string {
    return this.kinds[this.kind[slot]!]!.partner;
  }

  partnerIdOf(slot: number): string {
    return this.partnerId[slot]!;
  }

  prevOf(slot: number): number {
    return this.prev[slot]!;
  }

  setPrev(slot: number, prev: number): void {
    this.prev[slot] = prev;
  }

  declaredCodeOf(slot: number): string {
    return this.declaredCode[slot]!;
  }

  /** The event's aliases as stored: null (none), the one alias, or several. */
  aliasesOf(slot: number): string | readonly string[] | null {
    return this.aliases[slot] ?? null;
  }

  event(slot: number): OperatorEvent {
    const k = this.kinds[this.kind[slot]!]!;
    const s = this.stamps.values[this.stamp[slot]!]!;
    const dates = this.dates.values;
    const a = this.aliases[slot];
    return {
      partner: k.partner,
      partnerId: this.partnerId[slot]!,
      declaredCode: this.declaredCode[slot]!,
      aliases: a === null || a === undefined ? [] : typeof a === 'string' ? [a] : [...a],
      name: this.name[slot]!,
      tier: k.tier,
      status: k.status,
      partnerStatus: k.partnerStatus,
      statusSince: dates[this.statusSince[slot]!]!,
      validFrom: dates[this.validFrom[slot]!] ?? null,
      validUntil: dates[this.validUntil[slot]!] ?? null,
      exchangeId: s.exchangeId,
      recordedAt: s.recordedAt,
    };
  }

  private date(d: string | null): number {
    return d === null ? 0 : this.dates.id(d, () => ownString(d));
  }

  private reserve(capacity: number): void {
    const used = this.n;
    this.kind = resized(this.kind, capacity, used);
    this.stamp = resized(this.stamp, capacity, used);
    this.statusSince = resized(this.statusSince, capacity, used);
    this.validFrom = resized(this.validFrom, capacity, used);
    this.validUntil = resized(this.validUntil, capacity, used);
    this.prev = resized(this.prev, capacity, used);
    this.capacity = capacity;
  }
}
