// Partner onboarding (contract section 11): drafts, dry runs, activation and rollback, and the
// version history. HTTP routes and the CLI both call this; one partner's changes run one at a time
// (in this process, and across processes through the partner's `catalog` advisory lock). Each action's
// DONE audit row (contract 12.3) commits in the transaction of the row it records.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import * as audit from '../audit/audit-log.js';
import { contentSha256 } from '../catalog/bundle.js';
import { checkDraft, type DraftFacts } from '../catalog/check-draft.js';
import { PARTNERS_CHANNEL, type PartnerCatalog } from '../catalog/repository.js';
import {
  getVersion,
  hasPassingDryRun,
  insertActivation,
  insertDryRun,
  insertVersion,
  listActivations,
  listDryRuns,
  listVersions,
  type ActivationRow,
  type StoredVersion,
  type VersionRow,
} from '../catalog/versions-repo.js';
import { AppError } from '../errors.js';
import { partnerLockKey } from '../exchange/locks.js';
import type { Partners } from '../exchange/partners.js';
import type { InboundMessage, InboundPipeline } from '../exchange/pipeline.js';
import { sha256Hex } from '../exchange/publish.js';
import type { ExchangeRun } from '../exchange/types.js';
import type { OperatorIndex } from '../lookup/operator-index.js';
import type { Registry } from '../registry/registry.js';
import type { Db } from '../store/db.js';
import { listPartnerStates } from '../store/exchanges-repo.js';
import { currentOperators } from '../store/operators-repo.js';
import { dryRun, type DryRunReport } from './dry-run.js';

export type VersionState = 'DRAFT' | 'ACTIVE' | 'RETIRED';

export interface VersionSummary {
  code: string;
  version: number;
  state: VersionState;
  contentSha256: string;
  note: string;
  createdBy: string;
  createdAt: string;
}

const summary = (v: VersionRow, state: VersionState): VersionSummary => ({
  code: v.partner,
  version: v.version,
  state,
  contentSha256: v.contentSha256,
  note: v.note,
  createdBy: v.createdBy,
  createdAt: v.createdAt,
});

export interface OnboardingDeps {
  db: Db;
  logger: Logger;
  catalog: PartnerCatalog;
  registry: Registry;
  pipeline: InboundPipeline;
  index: OperatorIndex;
  timeZone: string;
  now?: () => Date;
}

export interface ActivationResult {
  code: string;
  version: number;
  state: 'ACTIVE';
  previousVersion: number | null;
  rollback: boolean;
  activatedBy: string;
  note: string;
  /** The run that read the last applied message again with this version; null when there was none. */
  exchange: ExchangeRun | null;
}

/** What a draft is checked against: the registry's agreements and the partners serving them now. */
export function draftFacts(registry: Registry, partners: Partners, now = new Date()): DraftFacts {
  const snapshot = registry.snapshot();
  return {
    agreementPartner: (id) => snapshot.byId.get(id)?.agreement.partner,
    servedBy: (id) => partners.forAgreement(id)?.def.code,
    now,
  };
}

function stateOf(version: number, activations: readonly ActivationRow[]): VersionState {
  if (activations.at(-1)?.version === version) return 'ACTIVE';
  return activations.some((a) => a.version === version) ? 'RETIRED' : 'DRAFT';
}

export class PartnerOnboarding {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;

  constructor(private readonly deps: OnboardingDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** One change of a partner at a time: queued here, and under its advisory lock across processes. */
  private serial<T>(code: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(code) ?? Promise.resolve();
    const locked = (): Promise<T> => this.deps.db.withLock(partnerLockKey(code, 'catalog'), fn);
    const next = previous.then(locked, locked);
    this.queues.set(code, next.catch(() => undefined));
    return next;
  }

  /** A checked draft; every problem at once in one BUNDLE_INVALID. Refused drafts use no number. */
  draft(code: string, body: unknown, actor: audit.Actor, note: string | null = null): Promise<VersionSummary> {
    return this.serial(code, async () => {
      const check = checkDraft(code, body, draftFacts(this.deps.registry, this.deps.catalog.partners, this.now()));
      if (!check.ok) {
        const n = check.problems.length;
        throw new AppError('BUNDLE_INVALID', `The partner version has ${n} problem${n === 1 ? '' : 's'}; nothing was stored.`, { problems: check.problems });
      }
      const stored = await this.deps.db.transaction(async (tx) => {
        const row = await insertVersion(tx, { partner: code, contentSha256: contentSha256(check.bundle), bundle: check.bundle, note: check.note, createdBy: actor.name });
        await audit.record(tx, { actor, action: 'partner.draft', target: code, note, after: { version: row.version, contentSha256: row.contentSha256 } });
        return row;
      });
      this.deps.logger.info({ partner: code, version: stored.version, actor: actor.name }, 'partner version drafted');
      return summary(stored, 'DRAFT');
    });
  }

  /** The sample through the pipeline's stages against version N; only the report is stored. */
  async dryRun(code: string, n: number, message: InboundMessage, actor: audit.Actor, note: string | null = null): Promise<DryRunReport> {
    const stored = await this.version(code, n);
    const active = this.deps.catalog.partners.get(code);
    const partner = active?.version?.contentSha256 === stored.contentSha256 ? active : this.compiled(stored);
    const agreement = this.deps.registry.snapshot().byId.get(partner.def.manifest.agreementId)?.agreement;
    const report = await dryRun({
      partner,
      version: { number: stored.version, contentSha256: stored.contentSha256 },
      body: message.body,
      signature: message.signature,
      current: await currentOperators(this.deps.db, code),
      history: (c) => this.deps.index.history(c),
      byEconomy: this.deps.registry.snapshot().byEconomy,
      economyAliases: agreement?.economyAliases ?? {},
      timeZone: this.deps.timeZone,
      now: this.now().getTime(),
    });
    await this.deps.db.transaction(async (tx) => {
      await insertDryRun(tx, { partner: code, version: n, outcome: report.outcome, payloadSha256: sha256Hex(message.body), report, createdBy: actor.name });
      await audit.record(tx, { actor, action: 'partner.dryRun', target: `${code}/${n}`, note, after: { outcome: report.outcome, reason: report.reason } });
    });
    this.deps.logger.info({ partner: code, version: n, outcome: report.outcome, reason: report.reason, actor: actor.name }, 'partner version dry run');
    return report;
  }
  /**
   * Makes version N active (a formerly active one needs no new dry run: that is the rollback), switches
   * every process, then reads the last applied message again with it. The activation and its audit
   * row (the note is the audit row's note) commit together; the re-application is a run of its own.
   */
  activate(code: string, n: number, note: unknown, actor: audit.Actor): Promise<ActivationResult> {
    const text = typeof note === 'string' ? note.trim() : '';
    return this.serial(code, async () => {
      if (text === '' || text.length > 2000) throw new AppError('INVALID_BODY', 'A note (1–2000 characters) saying why is required: {"note": "…"}.');
      const stored = await this.version(code, n);
      const activations = await listActivations(this.deps.db, code);
      const previous = activations.at(-1)?.version ?? null;
      if (previous === n) throw new AppError('CONFLICT', `Version ${n} of ${code} is already active.`);
      const rollback = activations.some((a) => a.version === n);
      if (!rollback && !(await hasPassingDryRun(this.deps.db, code, n))) {
        throw new AppError('DRY_RUN_REQUIRED', `Version ${n} of ${code} needs a dry run that does not end WOULD_REJECT before it can be activated.`);
      }
      this.compiled(stored); // throws CONFLICT here, before anything changes, if it does not load
      const lastApplied = (await listPartnerStates(this.deps.db)).find((s) => s.partner === code)?.lastExchangeId ?? null;
      const runId = lastApplied === null ? null : randomUUID();
      await this.deps.db.transaction(async (tx) => {
        await insertActivation(tx, { partner: code, version: n, note: text, activatedBy: actor.name, exchangeId: runId });
        await audit.record(tx, { actor, action: 'partner.activate', target: `${code}/${n}`, note: text, after: { version: n, previousVersion: previous, rollback, exchangeId: runId } });
      });
      await this.deps.catalog.reload();
      await this.deps.db.notify(PARTNERS_CHANNEL, code).catch(() => undefined);
      this.deps.logger.info({ partner: code, version: n, previous, rollback, actor: actor.name }, rollback ? 'partner version rolled back to' : 'partner version activated');
      const exchange = runId === null ? null : await this.deps.pipeline.reapplyLast(code, { id: runId, actor: actor.name });
      return { code, version: n, state: 'ACTIVE' as const, previousVersion: previous, rollback, activatedBy: actor.name, note: text, exchange };
    });
  }

  async list(code: string): Promise<{ code: string; activeVersion: number | null; versions: VersionSummary[] }> {
    const versions = await listVersions(this.deps.db, code);
    if (versions.length === 0) throw new AppError('UNKNOWN_PARTNER', `No version of a partner ${code} exists.`);
    const activations = await listActivations(this.deps.db, code);
    return { code, activeVersion: activations.at(-1)?.version ?? null, versions: versions.map((v) => summary(v, stateOf(v.version, activations))) };
  }

  /** One version: the whole bundle, its dry runs and activations, and who did what, in time order. */
  async get(code: string, n: number) {
    const stored = await this.version(code, n);
    const activations = await listActivations(this.deps.db, code);
    const dryRuns = await listDryRuns(this.deps.db, code, n);
    const mine = activations.filter((a) => a.version === n);
    const history = [
      { at: stored.createdAt, by: stored.createdBy, action: 'draft', note: stored.note },
      ...dryRuns.map((d) => ({ at: d.createdAt, by: d.createdBy, action: 'dryRun', outcome: d.outcome })),
      ...mine.map((a) => ({ at: a.activatedAt, by: a.activatedBy, action: activations.indexOf(a) > activations.findIndex((b) => b.version === n) ? 'rollback' : 'activate', note: a.note, exchangeId: a.exchangeId })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    return {
      code,
      version: stored.version,
      state: stateOf(n, activations),
      contentSha256: stored.contentSha256,
      note: stored.note,
      createdBy: stored.createdBy,
      createdAt: stored.createdAt,
      bundle: stored.bundle,
      dryRuns: dryRuns.map((d) => ({ id: d.id, at: d.createdAt, by: d.createdBy, outcome: d.outcome, payloadSha256: d.payloadSha256, report: d.report })),
      activations: mine.map((a) => ({ at: a.activatedAt, by: a.activatedBy, note: a.note, exchangeId: a.exchangeId })),
      history,
    };
  }

  private async version(code: string, n: number): Promise<StoredVersion> {
    const stored = await getVersion(this.deps.db, code, n);
    if (!stored) throw new AppError('NOT_FOUND', `${code} has no version ${n}.`);
    return stored;
  }

  private compiled(stored: StoredVersion) {
    try {
      return this.deps.catalog.compile(stored);
    } catch (err) {
      throw new AppError('CONFLICT', `Version ${stored.version} of ${stored.partner} does not load: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}.`);
    }
  }
}
