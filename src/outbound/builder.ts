// Builds one partner's next batch (contract 9.3) in one transaction under the partner's build lock:
// register → eligible + projected → FULL or DELTA against the last snapshot → canonical bytes →
// schema check → signature → stored with its snapshot. A killed process leaves a whole batch or none.
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Logger } from 'pino';
import { dateInZone } from '../domain/dates.js';
import { currentRegister } from '../domestic/repo.js';
import type { Enterprise } from '../domestic/types.js';
import { AppError } from '../errors.js';
import { partnerLockKey } from '../exchange/locks.js';
import type { Partners } from '../exchange/partners.js';
import type { Db, Queryable } from '../store/db.js';
import { canonicalRecords, serialise, type MessageHeader } from './message.js';
import { byCode, planBatch } from './plan.js';
import { selectForPartner, type OutboundRecord } from './project.js';
import { BREAKS_CHAIN, getBatchRow, insertBatch, lastFullBuiltAt, lastReceivedSnapshot, lastSequenced, supersedeBefore, type BatchRow } from './repo.js';
import { durationMs, type OutboundSettings } from './settings.js';
import type { OutboundSigner } from './signer.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function outboundSettingsOf(partners: Partners, code: string): OutboundSettings {
  const s = partners.get(code)?.def.manifest.outbound;
  if (!s) throw new AppError('UNKNOWN_PARTNER', 'No exchange partner with outbound settings has this code.');
  return s;
}

/** The date an enterprise that left a partner's list left it: its own status or grade date. */
function removedSince(register: ReadonlyMap<string, Enterprise>, today: string): (aeoCode: string) => string {
  return (aeoCode) => {
    const e = register.get(aeoCode.slice(5));
    if (!e) return today;
    return e.status !== 'VALID' ? e.statusSince : e.levelSince;
  };
}

export interface BuildInput {
  partner: string;
  trigger: string;
  forceFull?: boolean;
}

export class OutboundBuilder {
  constructor(
    private readonly deps: { db: Db; partners: Partners; signer: OutboundSigner; timeZone: string; logger: Logger; now?: () => Date },
  ) {}

  /** Builds now; null when another process is building this partner's batch. */
  async build(input: BuildInput): Promise<BatchRow | null> {
    const settings = outboundSettingsOf(this.deps.partners, input.partner);
    if (!settings.enabled) throw new AppError('CONFLICT', `Outbound lists to ${input.partner} are disabled.`);
    const result = await this.deps.db.tryWithLock(partnerLockKey(input.partner, 'outbound-build'), () =>
      this.deps.db.transaction((tx) => this.buildIn(tx, input, settings)),
    );
    if (!result.acquired) return null;
    return getBatchRow(this.deps.db, result.value);
  }

  private async buildIn(tx: Queryable, input: BuildInput, settings: OutboundSettings): Promise<string> {
    const now = this.deps.now?.() ?? new Date();
    const today = dateInZone(now.getTime(), this.deps.timeZone);
    const register = await currentRegister(tx);
    const selection = selectForPartner(register.values(), settings);
    const last = await lastSequenced(tx, input.partner);
    if (last?.state === 'PENDING_APPROVAL') throw new AppError('CONFLICT', `Batch ${last.id} waits for approval; approve or reject it first.`);
    const chainBroken = !last || BREAKS_CHAIN.includes(last.state) || last.snapshotGzip === null;
    const previous = chainBroken ? null : await readSnapshot(last.snapshotGzip!);
    const receivedGz = chainBroken ? await lastReceivedSnapshot(tx, input.partner) : null;
    const received = receivedGz ? await readSnapshot(receivedGz) : null;
    const lastFull = await lastFullBuiltAt(tx, input.partner);
    const fullDue = input.forceFull === true || lastFull === null || now.getTime() - lastFull >= durationMs(settings.fullEvery);
    const plan = planBatch({
      now: selection.records,
      previous,
      received,
      fullDue,
      heldBack: selection.problems.length,
      removedSince: removedSince(register, today),
      maxRemovalRatio: settings.maxRemovalRatio,
    });

    const id = randomUUID();
    const base = { id, partner: input.partner, kind: plan.kind, format: settings.format, trigger: input.trigger, builtAt: now, generatedAt: now, problems: selection.problems.slice(0, 100) };
    if (plan.records === null) {
      await insertBatch(tx, {
        ...base, sequence: null, previousSequence: last?.sequence ?? null, contentType: settings.format === 'xml' ? 'application/xml' : 'application/json',
        state: 'NO_CHANGE', contentSha256: null, body: null, signature: null, signer: null, counts: plan.counts, snapshotGzip: null,
      });
      return id;
    }
    const sequence = (last?.sequence ?? 0) + 1;
    const header: MessageHeader = {
      sender: 'CN', receiver: input.partner, sequence, previousSequence: last?.sequence ?? null, kind: plan.kind,
      generatedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), recordCount: plan.records.length, batchId: id,
    };
    const { body, contentType } = serialise(settings.format, header, plan.records);
    const snapshot = await gzipAsync(Buffer.from(canonicalRecords([...selection.records.values()].sort(byCode))));
    const state = plan.guard ? 'PENDING_APPROVAL' : 'BUILT';
    await insertBatch(tx, {
      ...base, sequence, previousSequence: header.previousSequence, contentType, state,
      contentSha256: createHash('sha256').update(body).digest('hex'), body, signature: this.deps.signer.sign(body), signer: this.deps.signer.info,
      counts: plan.counts, snapshotGzip: snapshot,
      problems: plan.guard ? [{ record: -1, path: '', message: plan.guard }, ...base.problems] : base.problems,
    });
    if (plan.kind === 'FULL' && state === 'BUILT') await supersedeBefore(tx, input.partner, sequence);
    this.deps.logger.info({ partner: input.partner, sequence, kind: plan.kind, state, records: plan.records.length }, 'outbound batch built');
    return id;
  }
}

export async function readSnapshot(gz: Buffer): Promise<Map<string, OutboundRecord>> {
  const records = JSON.parse((await gunzipAsync(gz)).toString('utf8')) as OutboundRecord[];
  return new Map(records.map((r) => [r.aeoCode, r]));
}
