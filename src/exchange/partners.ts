// The exchange partners as the gateway runs them: definition (manifest, schema, mapping) + trust anchors.
import path from 'node:path';
import type { PartnerDefinition } from '../catalog/types.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { crlsToDer, loadTrustAnchors, type TrustAnchor } from '../crypto/index.js';

export interface PartnerRuntime {
  readonly def: PartnerDefinition;
  /** Only this partner's anchors: a certificate trusted for another partner does not count. */
  readonly anchors: readonly TrustAnchor[];
  /** CRLs (DER) from the partner's definition: `certs/<code-lower>/*.crl`, or a version's `crls`. */
  readonly crls: readonly Buffer[];
}

export class Partners {
  private readonly byCode: ReadonlyMap<string, PartnerRuntime>;

  constructor(list: readonly PartnerRuntime[]) {
    this.byCode = new Map(list.map((p) => [p.def.code, p]));
  }

  /**
   * Joins definitions with `certs/<code-lower>/*.pem`, plus the extra anchor folders given per
   * partner (the sandbox CAs in sandbox mode).
   */
  static load(defs: readonly PartnerDefinition[], certsDir: string, extraAnchorDirs: ReadonlyMap<string, string> = new Map()): Partners {
    return new Partners(
      defs.map((def) => {
        const extra = extraAnchorDirs.get(def.code);
        const anchors = [
          ...loadTrustAnchors(path.join(certsDir, def.code.toLowerCase())),
          ...(extra === undefined ? [] : loadTrustAnchors(extra)),
        ];
        return { def, anchors, crls: loadCrlFiles(path.join(certsDir, def.code.toLowerCase())) };
      }),
    );
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

/** The `*.crl` files (DER or PEM) of a partner's certificate folder, in name order. */
function loadCrlFiles(dir: string): Buffer[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.crl')).sort();
  return crlsToDer(files.map((f) => readFileSync(path.join(dir, f))));
}
