// The current register in memory, kept up to date by domestic event id: the first read loads it,
// later reads only fetch the events recorded since. Sound because events commit in id order: every
// import appends under the register lock and commits before releasing it (register.ts), so a read
// never sees an event while one with a lower id is still to commit.
import type { Queryable } from '../store/db.js';
import { currentRegisterWithId, eventsAfter } from './repo.js';
import type { Enterprise } from './types.js';

export class RegisterCache {
  private register = new Map<string, Enterprise>();
  /** The newest event id reflected in `register`; null before the first load. */
  private upTo: number | null = null;

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
      this.upTo = e.id;
    }
    return this.register;
  }
}
