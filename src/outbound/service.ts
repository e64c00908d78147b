// The outbound exchange as the HTTP routes and the jobs use it: build, deliver, review, read.
import type { Logger } from 'pino';
import * as audit from '../audit/audit-log.js';
import type { RegisterCache } from '../domestic/register-cache.js';
import { AppError } from '../errors.js';
import type { Partners } from '../exchange/partners.js';
import type { Db } from '../store/db.js';
import { batchBytes } from './body.js';
import { OutboundBuilder, outboundSettingsOf } from './builder.js';
import { OutboundDelivery } from './delivery.js';
import { ReceiptService } from './receipts.js';
import {
  batchBySequence, batchEvidence, getBatchRow, insertDownload, latestFull, listBatches, pullable, supersedeBefore, transition, type BatchRow,
} from './repo.js';
import type { RetryPolicy } from './retry.js';
import { pushes } from './settings.js';
import type { OutboundSigner } from './signer.js';

export interface OutboundDeps {
  db: Db;
  partners: Partners;
  signer: OutboundSigner;
  logger: Logger;
  timeZone: string;
  policy: RetryPolicy;
  urlOf: (partner: string) => string | null;
  /** The register in memory, shared with the domestic register service. */
  register?: RegisterCache;
  /** Told after a batch is built (the sandbox's HK simulator pulls then). */
  onBuilt?: (batch: BatchRow) => Promise<void>;
}

/** GET /v1/outbound/{id}: the batch with its evidence (contract 9.6). */
export type BatchView = Awaited<ReturnType<OutboundService['view']>>;

export class OutboundService {
  readonly builder: OutboundBuilder;
  readonly delivery: OutboundDelivery;
  readonly receipts: ReceiptService;

  constructor(private readonly deps: OutboundDeps) {
    this.builder = new OutboundBuilder(deps);
    this.receipts = new ReceiptService(deps);
    this.delivery = new OutboundDelivery({
      ...deps,
      onReceipt: (partner, body, signature) => this.receipts.accept(partner, body, signature),
    });
  }

  /** Partners we send to. */
  partnerCodes(): string[] {
    return this.deps.partners.all().filter((p) => p.def.manifest.outbound?.enabled).map((p) => p.def.code);
  }

  /**
   * True when a start should build for the partner: it has no batch yet (its first FULL), or the register
   * changed after its last build. Otherwise the start leaves it to the partner's schedule (a restart then
   * reads neither the register nor the partner's last state).
   */
  async dueAtStart(partner: string): Promise<boolean> {
    const rows = await this.deps.db.query<{ due: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM outbound_batches WHERE partner = $1)
           OR coalesce((SELECT max(recorded_at) FROM domestic_events) > (SELECT max(built_at) FROM outbound_batches WHERE partner = $1), false) AS due`,
      [partner],
    );
    return rows[0]?.due === true;
  }

  /**
   * Builds now and, for push partners, delivers (waiting for this round of delivery). With `by` (an
   * admin's run), the DONE row commits with the batch, before the delivery.
   */
  async run(partner: string, trigger: string, forceFull = false, by?: audit.ActedBy): Promise<BatchRow> {
    const batch = await this.builder.build({ partner, trigger, forceFull, audit: by });
    if (batch === null) throw new AppError('CONFLICT', `Another process is building ${partner}'s batch now.`);
    await this.afterBuilt(batch);
    return (await getBatchRow(this.deps.db, batch.id))!;
  }

  private async afterBuilt(batch: BatchRow): Promise<void> {
    if (batch.sequence === null || batch.state === 'PENDING_APPROVAL') return;
    if (pushes(outboundSettingsOf(this.deps.partners, batch.partner))) await this.delivery.deliver(batch.partner);
    await this.deps.onBuilt?.(batch);
  }

  /** With `by`, the DONE row (`outbound.approve|reject`) commits with the transition, before any delivery. */
  async review(id: string, decision: 'approve' | 'reject', by?: audit.ActedBy): Promise<BatchRow> {
    const batch = await this.mustGet(id);
    const ok = await this.deps.db.transaction(async (tx) => {
      const moved = await transition(tx, id, ['PENDING_APPROVAL'], decision === 'approve' ? 'BUILT' : 'REJECTED');
      if (moved && decision === 'approve' && batch.kind === 'FULL') await supersedeBefore(tx, batch.partner, batch.sequence!);
      if (moved) await audit.recordDone(tx, by, decision === 'approve' ? 'outbound.approve' : 'outbound.reject', id, () => getBatchRow(tx, id));
      return moved;
    });
    if (!ok) throw new AppError('CONFLICT', `Batch ${id} is ${batch.state}; only a PENDING_APPROVAL batch can be approved or rejected.`);
    const after = (await getBatchRow(this.deps.db, id))!;
    if (decision === 'approve') await this.afterBuilt(after);
    return (await getBatchRow(this.deps.db, id))!;
  }

  /**
   * A DEAD_LETTER or FAILED batch goes again: same bytes, same Idempotency-Key, a fresh retry window.
   * With `by`, the DONE row (`outbound.resend`) commits with the transition, before the delivery.
   */
  async resend(id: string, by?: audit.ActedBy): Promise<BatchRow> {
    const batch = await this.mustGet(id);
    const ok = await this.deps.db.transaction(async (tx) => {
      const moved = await transition(tx, id, ['DEAD_LETTER', 'FAILED'], 'BUILT', { first_attempt_at: null, next_attempt_at: null, partner_answer: null }, 'resend');
      if (moved) await audit.recordDone(tx, by, 'outbound.resend', id, () => getBatchRow(tx, id));
      return moved;
    });
    if (!ok) throw new AppError('CONFLICT', `Batch ${id} is ${batch.state}; only DEAD_LETTER or FAILED batches are resent.`);
    await this.afterBuilt((await getBatchRow(this.deps.db, id))!);
    return (await getBatchRow(this.deps.db, id))!;
  }


  async mustGet(id: string): Promise<BatchRow> {
    const b = await getBatchRow(this.deps.db, id);
    if (!b) throw new AppError('NOT_FOUND', 'No outbound batch has this id.');
    return b;
  }

  async view(id: string) {
    const b = await this.mustGet(id);
    const ev = await batchEvidence(this.deps.db, id);
    return { ...b, attempts: ev.attempts, downloads: ev.downloads, transitions: ev.transitions, receipts: ev.receipts };
  }

  list(f: Parameters<typeof listBatches>[1]): Promise<BatchRow[]> {
    return listBatches(this.deps.db, f);
  }

  // ---- pull (contract 9.5)

  pullMode(partner: string): void {
    const s = this.deps.partners.get(partner)?.def.manifest.outbound;
    if (!s?.enabled || s.delivery.mode === 'push') throw new AppError('NOT_FOUND', `${partner} does not pull its outbound lists.`);
  }

  async messages(partner: string, after: number, limit: number) {
    this.pullMode(partner);
    const rows = await pullable(this.deps.db, partner, after, limit + 1);
    return {
      messages: rows.slice(0, limit).map((b) => ({
        sequence: b.sequence!, kind: b.kind, generatedAt: b.generatedAt, recordCount: b.counts.enterprises, contentSha256: b.contentSha256!, batchId: b.id,
      })),
      more: rows.length > limit,
    };
  }

  /** The signed bytes of one message (or the latest FULL), recorded as a download; 410 past retention. */
  async download(partner: string, which: number | 'latest-full', actor: string) {
    this.pullMode(partner);
    const retentionDays = outboundSettingsOf(this.deps.partners, partner).retentionDays;
    const batch = which === 'latest-full' ? await latestFull(this.deps.db, partner) : await batchBySequence(this.deps.db, partner, which);
    if (!batch || batch.contentSha256 === null || ['PENDING_APPROVAL', 'REJECTED'].includes(batch.state)) {
      throw new AppError('NOT_FOUND', 'No message to this partner has this sequence.');
    }
    // The latest FULL stays available whatever its age: it is where a partner past retention restarts.
    if (which !== 'latest-full' && Date.now() - Date.parse(batch.builtAt) > retentionDays * 86_400_000) {
      throw new AppError('GONE', `Message ${batch.sequence} is past its retention of ${retentionDays} days; take the latest FULL.`);
    }
    const bytes = (await batchBytes(this.deps.db, batch.id))!;
    await insertDownload(this.deps.db, { batchId: batch.id, actor, sequence: batch.sequence!, sha256: batch.contentSha256, bytes: bytes.body.length });
    await transition(this.deps.db, batch.id, ['BUILT'], 'DELIVERED', { delivered_at: new Date().toISOString() }, `downloaded by ${actor}`);
    return { batch, ...bytes };
  }

  // ---- GET /v1/partners

  async partnerBlock(partner: string, nextRunAt: Date | null) {
    const s = this.deps.partners.get(partner)?.def.manifest.outbound;
    if (!s) return null;
    const rows = await this.deps.db.query<{ seq: number | null; state: string | null; ack: string | null }>(
      `SELECT (SELECT max(sequence)::float8 FROM outbound_batches WHERE partner = $1) AS seq,
              (SELECT state FROM outbound_batches WHERE partner = $1 AND sequence IS NOT NULL ORDER BY sequence DESC LIMIT 1) AS state,
              (SELECT to_char(max(acknowledged_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM outbound_batches WHERE partner = $1) AS ack`,
      [partner],
    );
    const r = rows[0];
    return { enabled: s.enabled, lastSequence: r?.seq ?? null, lastState: r?.state ?? null, lastAcknowledgedAt: r?.ack ?? null, nextRunAt: nextRunAt?.toISOString() ?? null };
  }

  async close(): Promise<void> {
    await this.delivery.close();
  }
}
