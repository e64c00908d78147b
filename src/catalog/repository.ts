// "The catalog is a repository, not a folder": each partner's ACTIVE version, read from the database
// and compiled into an immutable PartnerRuntime. The files seed version 1 (and a changed file set
// becomes a draft); after that NOTIFY and a periodic check keep every process on the active versions.
// A version that does not load here keeps this process on the last good one, and says so.
import path from 'node:path';
import type { Logger } from 'pino';
import { crlsToDer, loadTrustAnchors, parseCertificatesPem, toTrustAnchor, type TrustAnchor } from '../crypto/index.js';
import { partnerLockKey } from '../exchange/locks.js';
import { Partners, type PartnerRuntime } from '../exchange/partners.js';
import type { Db } from '../store/db.js';
import { compileBundle, contentSha256 } from './bundle.js';
import { checkDraft, type DraftFacts } from './check-draft.js';
import { readFileBundles, type CatalogDirs, type FileBundle } from './file-bundles.js';
import {
  activeVersions,
  hasVersions,
  hasVersionWithContent,
  insertActivation,
  insertVersion,
  lastActivationId,
  type StoredVersion,
} from './versions-repo.js';

export const PARTNERS_CHANNEL = 'aeo_partners';
/** Who made what the gateway did by itself (seeding from the files). */
export const SYSTEM_ACTOR = 'system';

export interface DefinitionStatus {
  /** The version this process serves. */
  version: number;
  contentSha256: string;
  /** Set when the active version could not be loaded here (this process serves `version` instead). */
  loadError: string | null;
}

export interface CatalogOptions {
  db: Db;
  logger: Logger;
  /** Extra anchors per partner joined to its version's (the sandbox CAs in sandbox mode). */
  extraAnchorDirs?: ReadonlyMap<string, string>;
}

export class PartnerCatalog {
  readonly partners = new Partners([]);
  private readonly status = new Map<string, DefinitionStatus>();
  private readonly extraAnchors = new Map<string, TrustAnchor[]>();
  private readonly listeners: ((changed: readonly string[]) => void)[] = [];
  private seenActivation = -1;
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly opts: CatalogOptions) {
    for (const [code, dir] of opts.extraAnchorDirs ?? []) this.extraAnchors.set(code, loadTrustAnchors(dir));
  }

  /** Seeds from the files, then loads every active version. */
  async open(dirs: CatalogDirs, facts: () => DraftFacts): Promise<void> {
    await this.seed(await readFileBundles(dirs), facts);
    await this.reload();
    const failed = [...this.status.entries()].filter(([, s]) => s.loadError !== null);
    if (failed.length > 0 && this.partners.all().length === 0) throw new Error(`No partner version could be loaded: ${failed[0]![1].loadError}`);
  }

  /** Called with the codes whose runtime changed, after the swap. */
  onChange(listener: (changed: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  statusOf(code: string): DefinitionStatus | undefined {
    return this.status.get(code);
  }

  /** Re-reads the active versions now (after an activation, a NOTIFY). Loads never overlap. */
  reload(): Promise<void> {
    const run = this.loading.then(() => this.load());
    this.loading = run.catch(() => undefined);
    return run;
  }

  /** The periodic safety net: reloads only when an activation happened that this process has not seen. */
  async checkForChanges(): Promise<void> {
    if ((await lastActivationId(this.opts.db)) !== this.seenActivation) await this.reload();
  }

  private async load(): Promise<void> {
    const seen = await lastActivationId(this.opts.db);
    const active = await activeVersions(this.opts.db);
    const next: PartnerRuntime[] = [];
    const changed: string[] = [];
    for (const stored of active) {
      const current = this.partners.get(stored.partner);
      if (current?.version?.number === stored.version && current.version.contentSha256 === stored.contentSha256) {
        next.push(current);
        continue;
      }
      try {
        next.push(this.compile(stored));
        this.status.set(stored.partner, { version: stored.version, contentSha256: stored.contentSha256, loadError: null });
        changed.push(stored.partner);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        const serving = current?.version;
        this.status.set(stored.partner, {
          version: serving?.number ?? 0,
          contentSha256: serving?.contentSha256 ?? '',
          loadError: `version ${stored.version} could not be loaded in this process (${why.slice(0, 300)})${serving ? `; serving version ${serving.number}` : ''}`,
        });
        this.opts.logger.error({ partner: stored.partner, version: stored.version, serving: serving?.number ?? null, problem: why.slice(0, 300) }, 'partner version not loaded; keeping the last good one');
        if (current) next.push(current);
      }
    }
    // One synchronous swap: lookups and new runs see all of the old set or all of the new one.
    if (changed.length > 0) this.partners.replace(next);
    this.seenActivation = seen;
    for (const listener of changed.length > 0 ? this.listeners : []) listener(changed);
  }

  /** A stored version compiled with this process's anchors (drafts for dry runs, versions about to be activated). */
  compile(stored: StoredVersion): PartnerRuntime {
    const def = compileBundle(stored.partner, stored.bundle, `${stored.partner} version ${stored.version}`);
    const anchors = stored.bundle.trustAnchors.flatMap((pem) => parseCertificatesPem(pem).map(toTrustAnchor));
    const extra = this.extraAnchors.get(stored.partner) ?? [];
    const own = new Set(anchors.map((a) => a.sha256Fingerprint));
    return {
      def,
      anchors: Object.freeze([...anchors, ...extra.filter((a) => !own.has(a.sha256Fingerprint))]),
      crls: Object.freeze(crlsToDer(stored.bundle.crls)),
      version: Object.freeze({ number: stored.version, contentSha256: stored.contentSha256, bundle: stored.bundle }),
    };
  }

  /** Version 1 of a partner the database does not know yet; a file set unlike every stored version becomes a draft. */
  private async seed(files: readonly FileBundle[], facts: () => DraftFacts): Promise<void> {
    const { db, logger } = this.opts;
    for (const file of files) {
      const sha = contentSha256(file.bundle);
      const source = path.basename(file.source);
      await db.withLock(partnerLockKey(file.code, 'catalog'), async () => {
        if (!(await hasVersions(db, file.code))) {
          await db.transaction(async (tx) => {
            const v = await insertVersion(tx, { partner: file.code, contentSha256: sha, bundle: file.bundle, note: `Seeded from ${source}, its payload schema and trust anchors`, createdBy: SYSTEM_ACTOR });
            await insertActivation(tx, { partner: file.code, version: v.version, note: 'Version 1 of a built-in partner, active from the first start', activatedBy: SYSTEM_ACTOR, exchangeId: null });
          });
          logger.info({ partner: file.code }, 'partner seeded from its files as version 1');
          return;
        }
        if (await hasVersionWithContent(db, file.code, sha)) return;
        // The files changed since: offered as a draft, never applied by itself.
        const check = checkDraft(file.code, { note: `Offered from the changed files (${source})`, ...file.bundle }, facts());
        if (!check.ok) {
          logger.warn({ partner: file.code, problems: check.problems.slice(0, 20) }, 'partner files changed but do not make a valid draft; ignored');
          return;
        }
        const draftSha = contentSha256(check.bundle);
        if (await hasVersionWithContent(db, file.code, draftSha)) return;
        const v = await insertVersion(db, { partner: file.code, contentSha256: draftSha, bundle: check.bundle, note: check.note, createdBy: SYSTEM_ACTOR });
        logger.warn({ partner: file.code, version: v.version }, 'partner files changed: offered as a draft version; a dry run and an activation apply it');
      });
    }
  }
}
