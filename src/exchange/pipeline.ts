// The one inbound pipeline. Pull, push, CLI import, approval and the sandbox all enter here:
// store raw → verify → parse → validate → map → compare → guard → publish → record the run.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OperatorEvent } from '../domain/types.js';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { Db } from '../store/db.js';
import { currentOperators } from '../store/operators-repo.js';
import { finishRun, getMessage, getRun, insertRun, setReview, type RunResult } from '../store/exchanges-repo.js';
import type { DecodedList } from './check-message.js';
import { MessageChecker } from './message-checker.js';
import { partnerLockKey } from './locks.js';
import type { PartnerRuntime, Partners } from './partners.js';
import { diffList, type DiffResult } from './diff.js';
import { publishList, sha256Hex } from './publish.js';
import { FAILURE_REASONS, QUARANTINE_REASONS, type ExchangeRun, type Signer, type Trigger } from './types.js';

export interface InboundMessage {
  body: Buffer;
  signature: Buffer | null;
}

/** Told each stage as a run enters it (the CLI shows it); never told payload content. */
export type Progress = (stage: string) => void;

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
  /** Where the check worker loads the catalog from; null → checks run on the main thread. */
  catalogDirs?: { partnersDir: string; schemasDir: string } | null;
  now?: () => Date;
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
});

export class InboundPipeline {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => Date;
  private readonly checker: MessageChecker;
  private running = 0;

  constructor(private readonly deps: PipelineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.checker = new MessageChecker(deps.catalogDirs ?? null);
  }

  /** Starts the check worker ahead of the first list. */
  warmUp(): Promise<void> {
    return this.checker.warmUp();
  }

  /** Stops the check worker (after the running exchanges finished). */
  close(): Promise<void> {
    return this.checker.close();
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
  receive(partnerCode: string, trigger: Trigger, message: InboundMessage, progress: Progress = () => undefined): Promise<ExchangeRun> {
    const partner = this.partner(partnerCode);
    if (!partner.def.manifest.enabled) {
      return Promise.reject(new AppError('CONFLICT', `The exchange with ${partnerCode} is disabled in its manifest.`));
    }
    return this.serial(partnerCode, async () => {
      this.running++;
      try {
        const id = randomUUID();
        const sha256 = sha256Hex(message.body);
        const base = { id, partner: partnerCode, direction: 'inbound' as const, trigger, startedAt: this.now(), payloadSha256: sha256 };
        if (message.body.length > partner.def.manifest.maxBytes) {
          // Too large to keep: record the run without the bytes.
          await insertRun(this.deps.db, { ...base, payloadBytes: message.body.length }, null);
          const tooLarge = new AppError('TOO_LARGE', `The message has ${message.body.length} bytes; the limit for ${partnerCode} is ${partner.def.manifest.maxBytes}.`);
          return await this.finishWithError(id, emptyResult(), tooLarge);
        }
        progress('storing the message');
        await insertRun(this.deps.db, { ...base, payloadBytes: message.body.length }, message);
        return await this.process(partner, id, sha256, message, null, progress);
      } finally {
        this.running--;
      }
    });
  }

  /** Records a run that never got a message (network failure, timeout, too large to download). */
  recordFailure(partnerCode: string, trigger: Trigger, error: AppError): Promise<ExchangeRun> {
    this.partner(partnerCode);
    return this.serial(partnerCode, async () => {
      const id = randomUUID();
      await insertRun(
        this.deps.db,
        { id, partner: partnerCode, direction: 'inbound', trigger, startedAt: this.now(), payloadSha256: null, payloadBytes: null },
        null,
      );
      return this.finishWithError(id, emptyResult(), error);
    });
  }

  /** An admin's decision on a quarantined run: approve applies it (guards skipped), reject closes it. */
  async review(id: string, decision: 'approved' | 'rejected', actor: string): Promise<ExchangeRun> {
    const run = await getRun(this.deps.db, id);
    if (!run) throw new AppError('NOT_FOUND', 'No exchange has this id.');
    const partner = this.partner(run.partner);
    return this.serial(run.partner, async () => {
      const current = await getRun(this.deps.db, id);
      if (current?.outcome !== 'QUARANTINED' || current.review !== null) {
        throw new AppError('CONFLICT', 'Only a quarantined exchange that was not reviewed yet can be approved or rejected.');
      }
      const review = { decision, at: this.now().toISOString(), by: actor };
      if (decision === 'rejected') {
        // One statement: a crash between two would leave a reviewed run still QUARANTINED, stuck.
        await this.deps.db.query("UPDATE exchanges SET outcome = 'REJECTED', review = $2 WHERE id = $1", [id, JSON.stringify(review)]);
        return (await getRun(this.deps.db, id))!;
      }
      const message = await getMessage(this.deps.db, id);
      if (!message) throw new AppError('CONFLICT', 'The quarantined message is no longer stored.');
      // A failed approval leaves the quarantined run as it was; a successful one commits the review with the data.
      return this.process(partner, id, current.payloadSha256 ?? sha256Hex(message.body), message, review);
    });
  }

  private checkOptions(partner: PartnerRuntime): Parameters<MessageChecker['check']>[3] {
    const agreement = this.deps.registry.snapshot().byId.get(partner.def.manifest.agreementId)?.agreement;
    return { now: this.now().getTime(), timeZone: this.deps.timeZone, economyAliases: agreement?.economyAliases ?? {} };
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
    const { list } = await this.checker.check(partner, message.body, message.signature, this.checkOptions(partner));
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
  ): Promise<ExchangeRun> {
    const { def } = partner;
    const result = emptyResult();
    try {
      progress('verifying the signature, parsing, validating, mapping');
      const checked = await this.checker.check(partner, message.body, message.signature, this.checkOptions(partner));
      result.signer = checked.signer;
      const list = checked.list;
      describeList(result, list);
      if (list.header.sender !== def.code) {
        throw new AppError('SENDER_MISMATCH', `The message says it is from ${list.header.sender.slice(0, 20)}, but it came as ${def.code}.`);
      }
      progress(`comparing ${list.records.length} operators with the current list, publishing`);
      const published = await this.deps.db.transaction(async (tx) => {
        const outcome = await publishList(tx, {
          partner: def.code,
          exchangeId: id,
          sha256,
          list,
          maxRemovalRatio: def.manifest.maxRemovalRatio,
          approved: approval !== null,
          now: this.now,
          cached: this.deps.currentOperators?.(def.code),
        });
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
        return outcome;
      });
      if (published.outcome !== 'QUARANTINED') await this.deps.onPublished(def.code).catch(() => undefined);
      this.deps.logger.info({ exchangeId: id, partner: def.code, outcome: result.outcome, counts: result.counts }, 'exchange finished');
      return (await getRun(this.deps.db, id))!;
    } catch (err) {
      if (approval) throw approvalConflict(err);
      return this.finishWithError(id, result, err);
    }
  }

  private async finishWithError(id: string, result: RunResult, err: unknown): Promise<ExchangeRun> {
    const appError = isAppError(err) ? err : null;
    const code: ErrorCode = appError?.code ?? 'INTERNAL';
    if (!appError) this.deps.logger.error({ err, exchangeId: id }, 'exchange failed unexpectedly');
    result.outcome = FAILURE_REASONS.has(code) ? 'FAILED' : QUARANTINE_REASONS.has(code) ? 'QUARANTINED' : 'REJECTED';
    result.reason = code;
    result.reasonMessage = appError?.message ?? 'The run failed unexpectedly; nothing was applied.';
    result.problems = problemsOf(appError);
    result.signer ??= signerOf(appError);
    result.counts ??= result.problems.length > 0 ? countsForInvalid(result.problems) : null;
    await finishRun(this.deps.db, id, result, this.now());
    this.deps.logger.warn({ exchangeId: id, outcome: result.outcome, reason: code }, 'exchange not applied');
    return (await getRun(this.deps.db, id))!;
  }
}

function describeList(result: RunResult, list: DecodedList): void {
  result.sequence = list.header.sequence;
  result.kind = list.header.kind;
  result.generatedAt = list.header.generatedAt;
}

function approvalConflict(err: unknown): AppError {
  if (isAppError(err) && err.code === 'CONFLICT') return err;
  const why = isAppError(err) ? `${err.code}: ${err.message}` : 'an internal error';
  return new AppError('CONFLICT', `The list cannot be applied any more (${why}); the run stays quarantined.`);
}

/** The signer, when the signature verified before a later check failed. */
function signerOf(err: AppError | null): RunResult['signer'] {
  const signer = (err?.details as { signer?: Signer } | undefined)?.signer;
  return signer ?? null;
}

function problemsOf(err: AppError | null): RunResult['problems'] {
  const problems = (err?.details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems) ? (problems as RunResult['problems']) : [];
}

/** Invalid = records with at least one problem (of the first 100 problems kept). */
const countsForInvalid = (problems: RunResult['problems']): RunResult['counts'] => ({
  received: 0,
  added: 0,
  changed: 0,
  removed: 0,
  unchanged: 0,
  invalid: new Set(problems.filter((p) => p.record !== null).map((p) => p.record)).size,
});
