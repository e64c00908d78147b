// Push delivery (contract 9.4) from the durable outbox: per partner, batches go in sequence order,
// each attempt sends the stored bytes with Idempotency-Key = batchId. One delivery loop per partner
// across processes (advisory lock); a loop a killed process left resumes from the database.
import got from 'got';
import type { Logger } from 'pino';
import { isAppError } from '../errors.js';
import { partnerLockKey } from '../exchange/locks.js';
import type { Partners } from '../exchange/partners.js';
import { decodeSignatureHeader, SIGNATURE_HEADER } from '../exchange/signature-header.js';
import type { Db } from '../store/db.js';
import { batchBytes } from './body.js';
import { failDeltasBuiltOn, headOfQueue, insertAttempt, transition, type BatchRow, type BatchState } from './repo.js';
import { backoffMs, isRetryable, retryAfterMs, type RetryPolicy } from './retry.js';
import { pushes } from './settings.js';

const ANSWER_KEEP_BYTES = 64 * 1024;

export interface DeliveryDeps {
  db: Db;
  partners: Partners;
  logger: Logger;
  policy: RetryPolicy;
  /** Where to POST a partner's batches (sandbox: the simulator), or null. */
  urlOf: (partner: string) => string | null;
  /** A receipt that came as the push answer's body. */
  onReceipt: (partner: string, body: Buffer, signature: Buffer | null) => Promise<unknown>;
  random?: () => number;
}

export class OutboundDelivery {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private closed = false;

  constructor(private readonly deps: DeliveryDeps) {}

  pushPartners(): string[] {
    return this.deps.partners.all().filter((p) => p.def.manifest.outbound?.enabled && pushes(p.def.manifest.outbound)).map((p) => p.def.code);
  }

  /** Starts the partner's delivery loop, or asks the running one to look again; resolves when it is idle. */
  deliver(partner: string): Promise<void> {
    const current = this.running.get(partner);
    if (current) {
      this.again.add(partner);
      return current;
    }
    const run = (async () => {
      do {
        this.again.delete(partner);
        await this.deps.db.tryWithLock(partnerLockKey(partner, 'outbound-send'), () => this.loop(partner));
      } while (this.again.has(partner) && !this.closed);
    })()
      .catch((err: unknown) => this.deps.logger.error({ err, partner }, 'outbound delivery failed'))
      .finally(() => this.running.delete(partner));
    this.running.set(partner, run);
    return run;
  }

  /** Every push partner once (the periodic sweep and the start). */
  async deliverAll(): Promise<void> {
    await Promise.all(this.pushPartners().map((p) => this.deliver(p)));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.running.values());
  }

  private wakeAt(partner: string, at: number): void {
    if (this.closed) return;
    clearTimeout(this.timers.get(partner));
    const t = setTimeout(() => {
      this.timers.delete(partner);
      void this.deliver(partner);
    }, Math.max(0, at - Date.now()));
    t.unref();
    this.timers.set(partner, t);
  }

  private async loop(partner: string): Promise<void> {
    const url = this.deps.urlOf(partner);
    if (url === null) return;
    for (let guard = 0; guard < 10_000 && !this.closed; guard++) {
      const head = await headOfQueue(this.deps.db, partner);
      if (!head || head.state === 'PENDING_APPROVAL') return; // a later batch waits behind an unapproved one
      if (head.state === 'RETRY_WAIT' && head.nextAttemptAt !== null && Date.parse(head.nextAttemptAt) > Date.now()) {
        this.wakeAt(partner, Date.parse(head.nextAttemptAt));
        return;
      }
      const settled = await this.attempt(partner, head, url);
      if (!settled) return;
    }
  }

  /** One POST. True when the batch left the queue (delivered or failed for good), so the next may go. */
  private async attempt(partner: string, batch: BatchRow, url: string): Promise<boolean> {
    const bytes = await batchBytes(this.deps.db, batch.id);
    if (!bytes || batch.sequence === null) throw new Error(`batch ${batch.id} has no stored bytes`);
    const firstAt = batch.firstAttemptAt ?? new Date().toISOString();
    if (batch.state !== 'SENDING') await transition(this.deps.db, batch.id, ['BUILT', 'RETRY_WAIT'], 'SENDING', { first_attempt_at: firstAt });
    const timeoutMs = (this.deps.partners.get(partner)?.def.manifest.outbound?.delivery.timeoutSeconds ?? 60) * 1000;
    const started = Date.now();
    let status: number | null = null;
    let error: string | null = null;
    let answer: Buffer | null = null;
    let headers: Record<string, string | string[] | undefined> = {};
    try {
      const res = await got.post(url, {
        body: bytes.body,
        headers: {
          'content-type': batch.contentType,
          [SIGNATURE_HEADER]: bytes.signature.toString('base64'),
          'x-aeo-sequence': String(batch.sequence),
          'idempotency-key': batch.id,
        },
        responseType: 'buffer',
        throwHttpErrors: false,
        followRedirect: false,
        retry: { limit: 0 },
        timeout: { request: timeoutMs },
      });
      status = res.statusCode;
      answer = res.rawBody;
      headers = res.headers;
    } catch (err) {
      error = (err as { code?: string }).code ?? 'NETWORK_ERROR';
    }
    const durationMs = Date.now() - started;
    const kept = answer === null ? null : answer.subarray(0, ANSWER_KEEP_BYTES).toString('utf8');
    await insertAttempt(this.deps.db, { batchId: batch.id, at: new Date(started), httpStatus: status, error, durationMs, answer: kept });
    const attempts = batch.attemptCount + 1;
    await this.deps.db.query('UPDATE outbound_batches SET attempt_count = $2 WHERE id = $1', [batch.id, attempts]);

    if (status !== null && status >= 200 && status < 300) {
      await transition(this.deps.db, batch.id, ['SENDING'], 'DELIVERED', { delivered_at: new Date().toISOString(), next_attempt_at: null });
      const signature = decodeSignatureHeader(headers[SIGNATURE_HEADER]);
      if (answer !== null && answer.length > 0 && signature !== null) await this.receiptFromAnswer(partner, answer, signature);
      return true;
    }
    if (isRetryable(status)) {
      const now = Date.now();
      const wait = (status === 429 || status === 503 ? retryAfterMs(headers['retry-after'] as string | undefined, now) : null) ?? backoffMs(attempts, this.deps.policy, this.deps.random);
      if (now + wait - Date.parse(firstAt) > this.deps.policy.giveUpMs) {
        await this.endUndelivered(batch, 'DEAD_LETTER', { next_attempt_at: null }, `gave up after ${attempts} attempts`);
        return true;
      }
      const next = new Date(now + wait).toISOString();
      await transition(this.deps.db, batch.id, ['SENDING'], 'RETRY_WAIT', { next_attempt_at: next }, status === null ? error : `HTTP ${status}`);
      this.wakeAt(partner, now + wait);
      return false;
    }
    await this.endUndelivered(batch, 'FAILED', { partner_answer: kept, next_attempt_at: null }, `HTTP ${status}`);
    return true;
  }

  /** Ends a batch that did not reach the partner, with the DELTAs waiting behind it (they build on it). */
  private async endUndelivered(batch: BatchRow, state: BatchState, set: Record<string, unknown>, note: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      if (await transition(tx, batch.id, ['SENDING'], state, set, note)) await failDeltasBuiltOn(tx, batch.partner, batch.sequence!);
    });
  }

  private async receiptFromAnswer(partner: string, body: Buffer, signature: Buffer): Promise<void> {
    try {
      await this.deps.onReceipt(partner, body, signature);
    } catch (err) {
      // Recorded by the receipt service; the batch stays DELIVERED (a good receipt may still come).
      if (!isAppError(err)) throw err;
      this.deps.logger.warn({ partner, code: err.code }, 'the receipt in the push answer was refused');
    }
  }
}
