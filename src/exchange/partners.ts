// The exchange partners as the gateway runs them: definition (manifest, schema, mapping) + trust anchors,
// compiled from each partner's active version (src/catalog/repository.ts keeps this set current).
import type { PartnerBundle } from '../catalog/bundle.js';
import type { PartnerDefinition } from '../catalog/types.js';
import type { TrustAnchor } from '../crypto/index.js';

export interface PartnerVersionInfo {
  number: number;
  contentSha256: string;
  bundle: PartnerBundle;
}

export interface PartnerRuntime {
  readonly def: PartnerDefinition;
  /** Only this partner's anchors: a certificate trusted for another partner does not count. */
  readonly anchors: readonly TrustAnchor[];
  /** CRLs (DER) from the partner's definition (its version's `crls`, seeded from `certs/<code-lower>/*.crl`). */
  readonly crls: readonly Buffer[];
  /** The stored version it was compiled from (absent for definitions built in code, e.g. unit tests). */
  readonly version?: PartnerVersionInfo;
}

export class Partners {
  private byCode: ReadonlyMap<string, PartnerRuntime>;
  private generation = 0;

  constructor(list: readonly PartnerRuntime[]) {
    this.byCode = new Map(list.map((p) => [p.def.code, p]));
  }

  /**
   * Swaps in a new set in one step: a lookup or a run sees the old set or the new one, never a mix.
   * A run keeps the PartnerRuntime it started with, so it finishes on that version.
   */
  replace(list: readonly PartnerRuntime[]): void {
    this.byCode = new Map(list.map((p) => [p.def.code, p]));
    this.generation++;
  }

  /** Changes whenever the set is replaced (the answer cache keys on it). */
  get version(): number {
    return this.generation;
  }

  get(code: string): PartnerRuntime | undefined {
    return this.byCode.get(code);
  }

  all(): PartnerRuntime[] {
    return [...this.byCode.values()];
  }

  /** How the registry shows an agreement's exchange: its partner code and whether it is enabled. */
  exchangeLink(agreementId: string): { partnerCode: string; enabled: boolean } | null {
    const p = this.forAgreement(agreementId);
    return p ? { partnerCode: p.def.code, enabled: p.def.manifest.enabled } : null;
  }

  /** The exchange partner serving an agreement, if any. */
  forAgreement(agreementId: string): PartnerRuntime | undefined {
    for (const p of this.byCode.values()) if (p.def.manifest.agreementId === agreementId) return p;
    return undefined;
  }
}
