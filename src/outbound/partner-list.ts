// One partner's list as the register stands now — the same records selectForPartner gives — kept up
// to date from the register's change log (register-cache.ts): a build after a few changes visits
// those enterprises only, not the whole register, and the list in aeoCode order is kept between
// builds with each record's message bytes beside it (so a FULL after a few changes copies the rest).
// It logs the aeoCodes whose record changed, so the plan compares just those with what the partner
// last received (plan.ts `changed`).
import type { RegisterChanges, RegisterMark } from '../domestic/register-cache.js';
import { aeoCodeOf, type Enterprise, type RecordProblem } from '../domestic/types.js';
import type { RecordLookup } from './plan.js';
import { Arena } from './arena.js';
import { recordText } from './message.js';
import { heldBackPath, place, sentFields, type OutboundRecord, type ProjectionMemo } from './project.js';
import type { MessageField, OutboundSettings } from './settings.js';

/** A point in a list's own change log (the list by number: a mark kept with a state does not keep the list). */
export interface ListMark {
  readonly list: number;
  readonly load: number;
  readonly at: number;
}

/** The settings a list's content depends on: another value of this means another list. */
export const listKey = (s: OutboundSettings): string => JSON.stringify([s.acceptedLevels, s.fields, s.requireEnglishName, s.format]);

/** The first index in `records` (in aeoCode order) whose aeoCode is not below `code`, from `lo` on. */
function lowerBound(records: readonly OutboundRecord[], code: string, lo = 0): number {
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.aeoCode < code) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Records in aeoCode order, looked up by binary search: a state kept without copying it into a Map. */
export class SortedRecords implements RecordLookup {
  constructor(private readonly records: readonly OutboundRecord[]) {}

  get size(): number {
    return this.records.length;
  }

  get(aeoCode: string): OutboundRecord | undefined {
    const r = this.records[lowerBound(this.records, aeoCode)];
    return r?.aeoCode === aeoCode ? r : undefined;
  }

  *keys(): Iterable<string> {
    for (const r of this.records) yield r.aeoCode;
  }
}

export class PartnerList {
  private static made = 0;
  private readonly id = ++PartnerList.made;
  readonly key: string;
  private readonly fields: readonly MessageField[];
  private readonly memo: ProjectionMemo = new WeakMap();
  /** Eligible and complete, by aeoCode. */
  private readonly byCode = new Map<string, OutboundRecord>();
  /** Eligible but held back, by aeoCode: the problem. */
  private readonly held = new Map<string, string>();
  /** What of the register is reflected here; null before the first catch-up. */
  private registerMark: RegisterMark | null = null;

  // The records in aeoCode order as last put in order, their bytes beside them, and the aeoCodes
  // changed since (put in order on the next inOrder).
  private ordered: readonly OutboundRecord[] = [];
  private orderedBytes: readonly Buffer[] = [];
  private readonly unordered = new Set<string>();
  /** Where the records' bytes are kept (arena.ts). */
  private arena = new Arena();

  // The list's own change log: aeoCodes whose record changed, since load number `load`.
  private load = 0;
  private changes: string[] = [];
  private dropped = 0;

  constructor(private readonly settings: OutboundSettings) {
    this.key = listKey(settings);
    this.fields = sentFields(settings);
  }

  /** Brings the list to `register`, which `cache` has just read (before the next await). */
  catchUp(cache: RegisterChanges, register: ReadonlyMap<string, Enterprise>): void {
    const changed = this.registerMark === null ? null : cache.changedSince(this.registerMark);
    if (changed === null) this.reload(register);
    else for (const code of changed) this.place(aeoCodeOf(code), register.get(code));
    this.registerMark = cache.mark();
    if (this.changes.length > Math.max(10_000, 2 * this.byCode.size)) {
      const half = this.changes.length >> 1;
      this.changes = this.changes.slice(half);
      this.dropped += half;
    }
  }

  /** The records by aeoCode (shared, changed by the next catch-up: copy it to keep it). */
  get records(): ReadonlyMap<string, OutboundRecord> {
    return this.byCode;
  }

  /** The records in aeoCode order (an array never changed once returned). */
  inOrder(): readonly OutboundRecord[] {
    this.putInOrder();
    return this.ordered;
  }

  /** Each record's message bytes (message.ts recordText, UTF-8), aligned with inOrder(). */
  bytesInOrder(): readonly Buffer[] {
    this.putInOrder();
    return this.orderedBytes;
  }

  /** The state as it is now, kept as it is: later changes to the list do not reach it. */
  snapshot(): RecordLookup {
    return new SortedRecords(this.inOrder());
  }

  /** Held back records' problems, in aeoCode order. */
  problems(): RecordProblem[] {
    return [...this.held.keys()].sort().map((code, record) => ({ record, path: heldBackPath(code), message: this.held.get(code)! }));
  }

  get heldBack(): number {
    return this.held.size;
  }

  mark(): ListMark {
    return { list: this.id, load: this.load, at: this.dropped + this.changes.length };
  }

  /** The aeoCodes whose record changed after `mark` (may repeat); null when not known. */
  changedSince(mark: ListMark): readonly string[] | null {
    if (mark.list !== this.id || mark.load !== this.load || mark.at < this.dropped) return null;
    return this.changes.slice(mark.at - this.dropped);
  }

  /**
   * The last order with the changed codes edited in: k changes cost k binary searches and one copy
   * of the arrays, not a sort of the whole list.
   */
  private putInOrder(): void {
    if (this.unordered.size === 0) return;
    const before = this.ordered;
    const beforeBytes = this.orderedBytes;
    // Exactly the list's size: every record is in byCode.
    const records = new Array<OutboundRecord>(this.byCode.size);
    const bytes = new Array<Buffer>(this.byCode.size);
    let k = 0;
    let j = 0;
    const copyTo = (end: number): void => {
      for (; j < end; j++, k++) {
        records[k] = before[j]!;
        bytes[k] = beforeBytes[j]!;
      }
    };
    for (const code of [...this.unordered].sort()) {
      const i = lowerBound(before, code, j);
      copyTo(i);
      const old = before[i]?.aeoCode === code ? before[i] : undefined;
      if (old) j = i + 1;
      const r = this.byCode.get(code);
      if (!r) continue;
      bytes[k] = r === old ? beforeBytes[i]! : this.arena.write(recordText(this.settings.format, r, k));
      records[k++] = r;
    }
    copyTo(before.length);
    this.ordered = records;
    this.orderedBytes = bytes;
    this.unordered.clear();
    let live = 0;
    for (const b of bytes) live += b.length;
    if (this.arena.wasteful(live)) ({ arena: this.arena, parts: this.orderedBytes } = Arena.compact(bytes));
  }

  private reload(register: ReadonlyMap<string, Enterprise>): void {
    this.byCode.clear();
    this.held.clear();
    this.ordered = [];
    this.orderedBytes = [];
    this.unordered.clear();
    this.arena = new Arena();
    this.load++;
    this.changes = [];
    this.dropped = 0;
    for (const e of register.values()) this.place(e.aeoCode, e);
  }

  /** Puts one enterprise (undefined: gone from the register) where it now belongs. */
  private place(aeoCode: string, e: Enterprise | undefined): void {
    const p = e ? place(e, this.settings, this.fields, this.memo) : null;
    const before = this.byCode.get(aeoCode);
    if (p?.problem) this.held.set(aeoCode, p.problem);
    else this.held.delete(aeoCode);
    const after = p?.record;
    if (after === before) return;
    this.changes.push(aeoCode);
    this.unordered.add(aeoCode);
    if (after === undefined) this.byCode.delete(aeoCode);
    else this.byCode.set(aeoCode, after);
  }
}
