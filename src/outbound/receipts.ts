// Partner receipts (contract 9.4): signed JSON, verified against that partner's inbound trust
// anchors. Every receipt is kept as evidence, good or bad; a refused one changes no batch.
import { verifyDetachedCms } from '../crypto/index.js';
import { AppError, isAppError } from '../errors.js';
import type { Partners } from '../exchange/partners.js';
import type { Db } from '../store/db.js';
import { failDeltasBuiltOn, getBatchRow, insertReceipt, transition, type BatchRow } from './repo.js';

export interface Receipt {
  batchId: string;
  sequence: number;
  contentSha256: string;
  outcome: 'ACCEPTED' | 'REJECTED';
  receivedAt: string;
  problems: unknown[];
}

/** The receipt's fields, or null when the JSON is not a receipt (pure). */
export function parseReceipt(body: Buffer): Receipt | null {
  let r: unknown;
  try {
    r = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  const o = r as Partial<Receipt> | null;
  if (o === null || typeof o !== 'object') return null;
  if (typeof o.batchId !== 'string' || !Number.isInteger(o.sequence) || typeof o.contentSha256 !== 'string') return null;
  if (o.outcome !== 'ACCEPTED' && o.outcome !== 'REJECTED') return null;
  if (typeof o.receivedAt !== 'string' || (o.problems !== undefined && !Array.isArray(o.problems))) return null;
  return { batchId: o.batchId, sequence: o.sequence!, contentSha256: o.contentSha256, outcome: o.outcome, receivedAt: o.receivedAt, problems: o.problems ?? [] };
}

/** States a receipt may settle: delivered, or overdue (a late receipt is still accepted). */
const AWAITING: readonly BatchRow['state'][] = ['DELIVERED', 'RECEIPT_OVERDUE'];

export class ReceiptService {
  constructor(private readonly deps: { db: Db; partners: Partners }) {}

  async accept(partner: string, body: Buffer, signature: Buffer | null): Promise<BatchRow> {
    if (signature === null) throw new AppError('BAD_REQUEST', 'A receipt needs its signature (X-AEO-Signature).');
    const anchors = this.deps.partners.get(partner)?.anchors ?? [];
    let signer: { subject: string; sha256Fingerprint: string };
    try {
      const v = verifyDetachedCms(body, signature, anchors, new Date());
      signer = { subject: v.subject, sha256Fingerprint: v.sha256Fingerprint };
    } catch (err) {
      if (!isAppError(err)) throw err;
      await insertReceipt(this.deps.db, { partner, batchId: null, body, signature, verified: false, error: err.code, signer: null, receipt: null });
      throw err;
    }
    const receipt = parseReceipt(body);
    const batch = receipt ? await getBatchRow(this.deps.db, receipt.batchId) : null;
    const mine = batch !== null && batch.partner === partner;
    await insertReceipt(this.deps.db, {
      partner, batchId: mine ? batch.id : null, body, signature, verified: true, error: receipt ? (mine ? null : 'NOT_FOUND') : 'INVALID_BODY', signer, receipt,
    });
    if (!receipt) throw new AppError('INVALID_BODY', 'The receipt is not { batchId, sequence, contentSha256, outcome, receivedAt, problems }.');
    if (!mine) throw new AppError('NOT_FOUND', 'No batch to this partner has the receipt\'s batchId.');
    const record = { ...receipt, signer, verifiedAt: new Date().toISOString() };
    const matches = receipt.contentSha256.toLowerCase() === batch.contentSha256 && receipt.sequence === batch.sequence;
    const state = !matches ? 'RECEIPT_MISMATCH' : receipt.outcome === 'ACCEPTED' ? 'ACKNOWLEDGED' : 'REJECTED_BY_PARTNER';
    await this.deps.db.transaction(async (tx) => {
      const moved = await transition(tx, batch.id, AWAITING, state, {
        receipt: JSON.stringify(record),
        ...(state === 'ACKNOWLEDGED' ? { acknowledged_at: new Date().toISOString() } : {}),
      });
      // The partner refused it: what was built on it has no base there.
      if (moved && state === 'REJECTED_BY_PARTNER') await failDeltasBuiltOn(tx, partner, batch.sequence!);
    });
    return (await getBatchRow(this.deps.db, batch.id))!;
  }

  /** DELIVERED batches of receipt-requiring partners past their receipt timeout become RECEIPT_OVERDUE. */
  async markOverdue(): Promise<void> {
    for (const p of this.deps.partners.all()) {
      const s = p.def.manifest.outbound;
      if (!s?.enabled || s.delivery.receipt !== 'required') continue;
      const rows = await this.deps.db.query<{ id: string }>(
        `SELECT id::text AS id FROM outbound_batches WHERE partner = $1 AND state = 'DELIVERED' AND delivered_at < now() - make_interval(mins => $2)`,
        [p.def.code, s.delivery.receiptTimeoutMinutes],
      );
      for (const r of rows) await transition(this.deps.db, r.id, ['DELIVERED'], 'RECEIPT_OVERDUE');
    }
  }
}
