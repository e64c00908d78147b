// The one inbound pipeline. Pull, push, CLI import, approval and the sandbox all enter here:
// store raw → verify → parse → validate → map → compare → guard → publish → record the run.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { storableText } from '../catalog/storable.js';
import type { OperatorEvent } from '../domain/types.js';
import * as audit from '../audit/audit-log.js';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { Db, Queryable } from '../store/db.js';
import { finishRun, getMessage, getRun, insertRun, lastAppliedMessage, setReview, type RunResult } from '../store/exchanges-repo.js';
import { currentOperators } from '../store/operators-repo.js';
import type { DecodedList } from './check-message.js';
import { distributionPointsOf } from '../crypto/index.js';
import type { DistributionPointCrls } from './crl-fetch.js';
import { DeferredFinishes } from './deferred-finish.js';
import { MessageChecker } from './message-checker.js';
import { partnerLockKey } from './locks.js';
import type { PartnerRuntime, Partners } from './partners.js';
import { diffList, type DiffResult } from './diff.js';
import { publishList, sha256Hex, sha256HexInSlices } from './publish.js';
import type { CrlInput } from './revocation.js';
import { FAILURE_REASONS, QUARANTINE_REASONS, type ExchangeRun, type Signer, type Trigger } from './types.js';

export interface InboundMessage {
  body: Buffer;
  signature: Buffer | null;
}

/** Told each stage as a run enters it (the CLI shows it); never told payload content. */
export type Progress = (stage: string) => void;

/**
 * Called inside the transaction that records a run's outcome, so what it writes (an audit row)
 * commits with the run or not at all.
 */
export type RunRecorder = (tx: Queryable, run: { id: string; outcome: RunResult['outcome']; reason: ErrorCode | null }) => Promise<void>;

export interface PipelineDeps {
  db: Db;
  logger: Logger;
  timeZone: string;
  partners: Partners;
  registry: Registry;
  /** Called after a list was applied or confirmed, so every process refreshes its lookup index. */
  onPublished: (partner: string) => Promise<void>;
  /** An in-memory copy of each partner's current operators (the lookup index), used when up to date. */
  currentOperators?: (partner: string) => { lastEventId: number; current: () => OperatorEvent[] };
  /** CRLs from signer certificates' distribution points (AEO_CRL_FETCH=true); absent → none. */
  distributionPointCrls?: Pick<DistributionPointCrls, 'crlsFor'>;
  /** Run the checks in the worker thread (compiled builds); false or absent → on the main thread. */
  checkInWorker?: boolean;
  now?: () => Date;
  /** Called inside the publish transaction once an applied list's events are written (the crash test holds it there). */
  inPublish?: () => Promise<void>;
}

const emptyResult = (): RunResult => ({
  outcome: 'FAILED',
  reason: null,
  reasonMessage: null,
  sequence: null,
  kind: null,
  generatedAt: null,
  signer: null,
  counts: null,
  problems: [],
  appliedAt: null,
  revocation: null,
});

export class InboundPipeline {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;
  private readonly checker: MessageChecker;
  private readonly deferred: DeferredFinishes;
  private running = 0;
  private readonly finishedListeners: ((run: ExchangeRun) => void)[] = [];

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.checker = new MessageChecker(deps.checkInWorker ?? false);
    this.deferred = new DeferredFinishes(deps.db, deps.logger);
  }

  /** Starts the check worker ahead of the first list. */
  warmUp(): Promise<void> {
    return this.checker.warmUp(this.deps.partners.all());
  }

  /** Stops the check worker (after the running exchanges finished) and writes deferred outcomes it can. */
  async close(): Promise<void> {
    await this.deferred.close();
    await this.checker.close();
  }

  /** Told every run that got its outcome here (the metrics count them); never an approval. */
  onRunFinished(listener: (run: ExchangeRun) => void): void {
    this.finishedListeners.push(listener);
  }

  private finished(run: ExchangeRun): ExchangeRun {
    for (const listener of this.finishedListeners) {
      try {
        listener(run);
      } catch (err) {
        this.deps.logger.error({ err, exchangeId: run.id }, 'a run listener failed');
      }
    }
    return run;
  }

  /** Runs currently in this process (graceful shutdown waits for them). */
  get busy(): boolean {
    return this.running > 0;
  }

  private partner(code: string): PartnerRuntime {
    const p = this.deps.partners.get(code);
    if (!p) throw new AppError('UNKNOWN_PARTNER', `No exchange partner has the code ${code}.`);
    return p;
  }

  /**
   * One run at a time per partner: queued in this process, and holding the partner's `run` advisory
   * lock across processes (publishes are also serialised by the partner_state row lock).
   */
  private serial<T>(partner: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(partner) ?? Promise.resolve();
    const locked = (): Promise<T> => this.deps.db.withLock(partnerLockKey(partner, 'run'), fn);
    const next = previous.then(locked, locked);
    this.queues.set(partner, next.catch(() => undefined));
    return next;
  }

  /** Takes a list message through every stage and answers with the recorded run. */
  receive(
    partnerCode: string,
    trigger: Trigger,
    message: InboundMessage,
    progress: Progress = () => undefined,
    recorder?: RunRecorder,
  ): Promise<ExchangeRun> {
    if (!this.partner(partnerCode).def.manifest.enabled) {
      return Promise.reject(new AppError('CONFLICT', `The exchange with ${partnerCode} is disabled in its manifest.`));
    }
    return this.serial(partnerCode, async () => {
      this.running++;
      try {
        // The active version when the run starts; the run finishes on it even if another is activated meanwhile.
        const partner = this.partner(partnerCode);
        const id = randomUUID();
        const sha256 = await sha256HexInSlices(message.body);
        const base = { id, partner: partnerCode, direction: 'inbound' as const, trigger, startedAt: this.now(), payloadSha256: sha256 };
        if (message.body.length > partner.def.manifest.maxBytes) {
          // Too large to keep: record the run without the bytes.
          await insertRun(this.deps.db, { ...base, payloadBytes: message.body.length }, null);
          const tooLarge = new AppError('TOO_LARGE', `The message has ${message.body.length} bytes; the limit for ${partnerCode} is ${partner.def.manifest.maxBytes}.`);
          return await this.finishWithError(id, emptyResult(), tooLarge, recorder);
        }
        progress('storing the message');
        await insertRun(this.deps.db, { ...base, payloadBytes: message.body.length }, message);
        return await this.process(partner, id, sha256, message, null, progress, recorder);
      } finally {
        this.running--;
      }
    });
  }

  /** Records a run that never got a message (network failure, timeout, too large to download). */
  recordFailure(partnerCode: string, trigger: Trigger, error: AppError, recorder?: RunRecorder): Promise<ExchangeRun> {
    this.partner(partnerCode);
    return this.serial(partnerCode, async () => {
      const id = randomUUID();
      await insertRun(
        this.deps.db,
        { id, partner: partnerCode, direction: 'inbound', trigger, startedAt: this.now(), payloadSha256: null, payloadBytes: null },
        null,
      );
      return this.finishWithError(id, emptyResult(), error, recorder);
    });
  }

  /**
   * Activation (contract 11): the partner's last applied message read again with the version now
   * active, through every stage, guards included. Null when the partner has no applied message yet.
   */
  reapplyLast(partnerCode: string, run: { id: string; actor: string }): Promise<ExchangeRun | null> {
    return this.serial(partnerCode, async () => {
      const partner = this.partner(partnerCode);
      const last = await lastAppliedMessage(this.deps.db, partnerCode);
      if (!last) return null;
      this.running++;
      try {
        const started = { id: run.id, partner: partnerCode, direction: 'inbound' as const, trigger: 'activation' as const, startedAt: this.now() };
        await insertRun(this.deps.db, { ...started, payloadSha256: last.sha256, payloadBytes: last.message.body.length, actor: run.actor }, last.message);
        return await this.process(partner, run.id, last.sha256, last.message, null, undefined, undefined, true);
      } finally {
        this.running--;
      }
    });
  }

  /**
   * An admin's decision on a quarantined run: approve applies it (guards skipped), reject closes it.
   * The decision's audit row commits with it.
   */
  async review(id: string, decision: 'approved' | 'rejected', actor: audit.Actor, note: string | null = null): Promise<ExchangeRun> {
    const run = await getRun(this.deps.db, id);
    if (!run) throw new AppError('NOT_FOUND', 'No exchange has this id.');
    const partner = this.partner(run.partner);
    return this.serial(run.partner, async () => {
      const current = await getRun(this.deps.db, id);
      if (current?.outcome !== 'QUARANTINED' || current.review !== null) {
        throw new AppError('CONFLICT', 'Only a quarantined exchange that was not reviewed yet can be approved or rejected.');
      }
      const review = { decision, at: this.now().toISOString(), by: actor.name };
      const recorder: RunRecorder = (tx, done) =>
        audit.record(tx, {
          actor,
          action: decision === 'approved' ? 'exchange.approve' : 'exchange.reject',
          target: id,
          note,
          before: { outcome: 'QUARANTINED', reason: current.reason },
          after: { outcome: done.outcome, reason: done.reason, review },
        }).then(() => undefined);
      if (decision === 'rejected') {
        // One transaction: a crash between two writes would leave a reviewed run still QUARANTINED, stuck.
        await this.deps.db.transaction(async (tx) => {
          await tx.query("UPDATE exchanges SET outcome = 'REJECTED', review = $2 WHERE id = $1", [id, JSON.stringify(review)]);
          await recorder(tx, { id, outcome: 'REJECTED', reason: current.reason });
        });
        return (await getRun(this.deps.db, id))!;
      }
      const message = await getMessage(this.deps.db, id);
      if (!message) throw new AppError('CONFLICT', 'The quarantined message is no longer stored.');
      // A failed approval leaves the quarantined run as it was; a successful one commits the review with the data.
      const reapply = current.trigger === 'activation';
      return this.process(partner, id, current.payloadSha256 ?? sha256Hex(message.body), message, review, () => undefined, recorder, reapply);
    });
  }

  private checkOptions(partner: PartnerRuntime, crls: CrlInput[]): Parameters<MessageChecker['check']>[3] {
    const agreement = this.deps.registry.snapshot().byId.get(partner.def.manifest.agreementId)?.agreement;
    return { now: this.now().getTime(), timeZone: this.deps.timeZone, economyAliases: agreement?.economyAliases ?? {}, crls };
  }

  /**
   * What a stored run's list would change if it were applied now (a quarantine review): the same
   * checks as the run, compared with the partner's current operators; nothing is written.
   */
  async preview(id: string): Promise<{ run: ExchangeRun; diff: DiffResult; current: readonly OperatorEvent[] }> {
    const run = await getRun(this.deps.db, id);
    if (!run) throw new AppError('NOT_FOUND', 'No exchange has this id.');
    const message = await getMessage(this.deps.db, id);
    if (!message) throw new AppError('CONFLICT', 'The message of this run is not stored (too large, never received, or past retention).');
    const partner = this.partner(run.partner);
    const crls = await this.crlsOutsideCms(partner, message.signature);
    const { list } = await this.checker.check(partner, message.body, message.signature, this.checkOptions(partner, crls));
    const current = await currentOperators(this.deps.db, partner.def.code);
    return { run, diff: diffList(list.header.kind, list.records, current, list.listDate), current };
  }

  /**
   * Stages 2–8 for a stored message. With `approval` (an admin approved a quarantined run) the guards
   * are skipped, and a failure is thrown as CONFLICT instead of being recorded over the run.
   */
  private async process(
    partner: PartnerRuntime,
    id: string,
    sha256: string,
    message: InboundMessage,
    approval: NonNullable<ExchangeRun['review']> | null = null,
    progress: Progress = () => undefined,
    recorder?: RunRecorder,
    reapply = false,
  ): Promise<ExchangeRun> {
    const { def } = partner;
    const result = emptyResult();
    let published: Awaited<ReturnType<typeof publishList>>;
    try {
      progress('verifying the signature, parsing, validating, mapping');
      const crls = await this.crlsOutsideCms(partner, message.signature); // may fetch: before taking `now`
      const checked = await this.checker.check(partner, message.body, message.signature, this.checkOptions(partner, crls));
      result.signer = checked.signer;
      result.revocation = checked.revocation;
      const list = checked.list;
      describeList(result, list);
      if (list.header.sender !== def.code) {
        throw new AppError('SENDER_MISMATCH', `The message says it is from ${list.header.sender.slice(0, 20)}, but it came as ${def.code}.`);
      }
      progress(`comparing ${list.records.length} operators with the current list, publishing`);
      published = await this.deps.db.transaction(async (tx) => {
        const outcome = await publishList(tx, {
          partner: def.code,
          exchangeId: id,
          sha256,
          list,
          maxRemovalRatio: def.manifest.maxRemovalRatio,
          approved: approval !== null,
          reapply,
          cached: this.deps.currentOperators?.(def.code),
        });
        if (outcome.outcome === 'APPLIED') await this.deps.inPublish?.();
        result.outcome = outcome.outcome;
        result.counts = outcome.counts;
        if (outcome.outcome === 'APPLIED') result.appliedAt = outcome.appliedAt;
        if (outcome.outcome === 'QUARANTINED') {
          result.reason = outcome.verdict.reason;
          result.reasonMessage = outcome.verdict.message;
        }
        if (approval && outcome.outcome !== 'APPLIED') {
          throw new AppError('CONFLICT', `The list cannot be applied any more: ${outcome.outcome}.`);
        }
        // The run record (and an approval) commits with the data: a killed process leaves neither.
        await finishRun(tx, id, result, this.now());
        if (approval) await setReview(tx, id, approval);
        await recorder?.(tx, { id, outcome: result.outcome, reason: result.reason });
        return outcome;
      });
    } catch (err) {
      if (approval) throw approvalConflict(err);
      return this.finishWithError(id, result, err, recorder);
    }
    // Committed with its run record: nothing below may record a failure over it.
    if (published.outcome !== 'QUARANTINED') await this.deps.onPublished(def.code).catch(() => undefined);
    this.deps.logger.info({ exchangeId: id, partner: def.code, outcome: result.outcome, counts: result.counts }, 'exchange finished');
    const run = (await getRun(this.deps.db, id))!;
    return approval ? run : this.finished(run);
  }

  /** The partner's own CRLs, and those of the signer's distribution points when fetching is on. */
  private async crlsOutsideCms(partner: PartnerRuntime, signature: Buffer | null): Promise<CrlInput[]> {
    const own = partner.crls.map((der): CrlInput => ({ der, source: 'partner' }));
    const dp = this.deps.distributionPointCrls;
    if (!dp || signature === null) return own;
    const fetched = await dp.crlsFor(distributionPointsOf(signature));
    return [...own, ...fetched.map((der): CrlInput => ({ der, source: 'distribution-point' }))];
  }

  private async finishWithError(id: string, result: RunResult, err: unknown, recorder?: RunRecorder): Promise<ExchangeRun> {
    const appError = isAppError(err) ? err : null;
    const code: ErrorCode = appError?.code ?? 'INTERNAL';
    if (!appError) this.deps.logger.error({ err, exchangeId: id }, 'exchange failed unexpectedly');
    result.outcome = FAILURE_REASONS.has(code) ? 'FAILED' : QUARANTINE_REASONS.has(code) ? 'QUARANTINED' : 'REJECTED';
    result.reason = code;
    result.reasonMessage = appError?.message ?? 'The run failed unexpectedly; nothing was applied.';
    result.problems = problemsOf(appError);
    result.signer ??= signerOf(appError);
    result.revocation ??= revocationOf(appError);
    result.counts ??= result.problems.length > 0 ? countsForInvalid(result.problems, receivedOf(appError)) : null;
    await this.recordEnd(id, result, recorder);
    this.deps.logger.warn({ exchangeId: id, outcome: result.outcome, reason: result.reason }, 'exchange not applied');
    return this.finished((await getRun(this.deps.db, id))!);
  }

  /**
   * Records how a run ended, with every text made storable. Should the database still refuse the
   * record, the run ends FAILED / INTERNAL with values that cannot fail, so it never stays open.
   */
  private async recordEnd(id: string, result: RunResult, recorder?: RunRecorder): Promise<void> {
    const finishedAt = this.now();
    const storable = storableResult(result);
    try {
      await this.deps.db.transaction(async (tx) => {
        await finishRun(tx, id, storable, finishedAt);
        await recorder?.(tx, { id, outcome: result.outcome, reason: result.reason });
      });
      return;
    } catch (err) {
      // The database went away: the outcome is written when it is back; the caller hears 503.
      if (isAppError(err) && err.code === 'DATABASE_UNAVAILABLE') {
        this.deferred.add(id, storable, finishedAt);
        throw err;
      }
      // The error's code only: a database message can quote the refused value.
      this.deps.logger.error({ exchangeId: id, dbCode: (err as { code?: unknown }).code }, 'recording the run failed; closing it as INTERNAL');
    }
    const closed: RunResult = { ...emptyResult(), reason: 'INTERNAL', reasonMessage: 'The run could not be recorded as it ended; nothing was applied.' };
    try {
      await this.deps.db.transaction(async (tx) => {
        await finishRun(tx, id, closed, this.now());
        await recorder?.(tx, { id, outcome: closed.outcome, reason: closed.reason });
      });
    } catch {
      // The database is gone: the next start closes the run as INTERRUPTED.
      throw new AppError('NOT_READY', 'The run could not be recorded; send the list again later.');
    }
  }
}

/** What a decoded list says about itself; its values passed the storable checks, so recording them cannot fail. */
function describeList(result: RunResult, list: DecodedList): void {
  result.sequence = list.header.sequence;
  result.kind = list.header.kind;
  result.generatedAt = list.header.generatedAt;
  // A list refused later (sender, sequence) still reports how many records it held.
  result.counts = { received: list.records.length, added: 0, changed: 0, removed: 0, unchanged: 0, invalid: 0 };
}

function approvalConflict(err: unknown): AppError {
  if (isAppError(err) && (err.code === 'CONFLICT' || err.code === 'DATABASE_UNAVAILABLE')) return err;
  const why = isAppError(err) ? `${err.code}: ${err.message}` : 'an internal error';
  return new AppError('CONFLICT', `The list cannot be applied any more (${why}); the run stays quarantined.`);
}

/** The signer, when the signature verified before a later check failed. */
function signerOf(err: AppError | null): RunResult['signer'] {
  const signer = (err?.details as { signer?: Signer } | undefined)?.signer;
  return signer ?? null;
}

/** Which CRL revoked the signer, or that none covered it (SIGNER_REVOKED, SIGNER_REVOCATION_UNKNOWN). */
function revocationOf(err: AppError | null): RunResult['revocation'] {
  return (err?.details as { revocation?: RunResult['revocation'] } | undefined)?.revocation ?? null;
}

function problemsOf(err: AppError | null): RunResult['problems'] {
  const problems = (err?.details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems) ? (problems as RunResult['problems']) : [];
}

/** How many records a refused message held, when it was read that far. */
function receivedOf(err: AppError | null): number {
  const received = (err?.details as { received?: unknown } | undefined)?.received;
  return typeof received === 'number' && Number.isSafeInteger(received) ? received : 0;
}

/** The run's texts with every character a text or jsonb column cannot hold replaced (problems quote partner content). */
function storableResult(r: RunResult): RunResult {
  return {
    ...r,
    reasonMessage: r.reasonMessage === null ? null : storableText(r.reasonMessage),
    signer: r.signer && { subject: storableText(r.signer.subject), sha256Fingerprint: r.signer.sha256Fingerprint },
    problems: r.problems.map((p) => ({ record: p.record, path: storableText(p.path), message: storableText(p.message) })),
  };
}

/** Invalid = records with at least one problem (of the first 100 problems kept). */
const countsForInvalid = (problems: RunResult['problems'], received: number): RunResult['counts'] => ({
  received,
  added: 0,
  changed: 0,
  removed: 0,
  unchanged: 0,
  invalid: new Set(problems.filter((p) => p.record !== null).map((p) => p.record)).size,
});
