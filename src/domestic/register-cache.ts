// The current register in memory, kept up to date by domestic event id: the first read loads it,
// later reads only fetch the events recorded since. Sound because events commit in id order: every
// import appends under the register lock and commits before releasing it (register.ts), so a read
// never sees an event while one with a lower id is still to commit.
// It also keeps the customs codes it changed, in order, so a follower (an outbound partner's list,
// src/outbound/partner-list.ts) can catch up on those alone instead of walking the whole register.
import type { Queryable } from '../store/db.js';
import { currentRegisterWithId, eventsAfter } from './repo.js';
import type { Enterprise } from './types.js';

/** A point in the cache's change log: what a follower has caught up to. */
export interface RegisterMark {
  readonly load: number;
  readonly at: number;
}

/** What a follower of the register reads of its change log. */
export type RegisterChanges = Pick<RegisterCache, 'mark' | 'changedSince'>;

export class RegisterCache {
  private register = new Map<string, Enterprise>();
  /** The newest event id reflected in `register`; null before the first load. */
  private upTo: number | null = null;
  /** Loads of any cache, counted: each load of each cache has its own number. */
  private static loads = 0;
  /** This load's number: marks of an earlier load, or of another cache, are void. */
  private load = 0;
  /** Customs codes changed since the load, in order; `changes[0]` is change number `dropped`. */
  private changes: string[] = [];
  private dropped = 0;

  /**
   * The register as of now, by customs code, read with `q` (a transaction's own connection inside one).
   * Shared and updated in place by later reads: use it before the next await, never change it.
   * Call it before the caller's own transaction appends events (those may still roll back).
   */
  async read(q: Queryable): Promise<ReadonlyMap<string, Enterprise>> {
    if (this.upTo === null) {
      const loaded = await currentRegisterWithId(q);
      // Two first reads at once: keep the newer.
      if (this.upTo === null || loaded.upTo > this.upTo) {
        this.register = loaded.register;
        this.upTo = loaded.upTo;
        this.load = ++RegisterCache.loads;
        this.changes = [];
        this.dropped = 0;
      }
      return this.register;
    }
    const events = await eventsAfter(q, this.upTo);
    // Reads may overlap: each result is every event after its start, in id order, so applying only
    // those past what is already applied keeps the map at one point of the history.
    for (const e of events) {
      if (e.id <= this.upTo) continue;
      if (e.removed) this.register.delete(e.customsCode);
      else this.register.set(e.customsCode, e.enterprise);
      this.changes.push(e.customsCode);
      this.upTo = e.id;
    }
    // Bounded: once the log outgrows the register, its older half goes (followers that far behind reload).
    if (this.changes.length > Math.max(10_000, 2 * this.register.size)) {
      const half = this.changes.length >> 1;
      this.changes = this.changes.slice(half);
      this.dropped += half;
    }
    return this.register;
  }

  /** Where the register read last stands: pass it to changedSince later. */
  mark(): RegisterMark {
    return { load: this.load, at: this.dropped + this.changes.length };
  }

  /** The customs codes changed after `mark` (some may repeat); null when no longer known (reload then). */
  changedSince(mark: RegisterMark): readonly string[] | null {
    if (mark.load !== this.load || mark.at < this.dropped) return null;
    return this.changes.slice(mark.at - this.dropped);
  }
}
