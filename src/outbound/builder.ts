// Builds one partner's next batch (contract 9.3) in one transaction under the partner's build lock:
// register → eligible + projected → FULL or DELTA against what the partner holds → canonical bytes →
// schema check → signature → stored. A killed process leaves a whole batch or none. The register and
// the partner's last state come from memory when current (register-cache.ts, snapshot.ts), so a build
// reads from the database only what changed since the last one.
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { dateInZone } from '../domain/dates.js';
import { RegisterCache } from '../domestic/register-cache.js';
import type { Enterprise } from '../domestic/types.js';
import { AppError } from '../errors.js';
import { partnerLockKey } from '../exchange/locks.js';
import type { Partners } from '../exchange/partners.js';
import type { Db, Queryable } from '../store/db.js';
import { compressBody } from './body.js';
import { serialise, type MessageHeader } from './message.js';
import { planBatch } from './plan.js';
import { selectForPartner, type ProjectionMemo } from './project.js';
import { BREAKS_CHAIN, getBatchRow, insertBatch, lastFullBuiltAt, lastReceived, lastSequenced, supersedeBefore, type BatchRow } from './repo.js';
import { durationMs, type OutboundSettings } from './settings.js';
import type { OutboundSigner } from './signer.js';
import { SnapshotCache, type Snapshot } from './snapshot.js';

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

export interface BuilderDeps {
  db: Db;
  partners: Partners;
  signer: OutboundSigner;
  timeZone: string;
  logger: Logger;
  /** The register in memory, shared with the domestic register service (one of its own when left out). */
  register?: RegisterCache;
  now?: () => Date;
}

export class OutboundBuilder {
  private readonly register: RegisterCache;
  private readonly snapshots = new SnapshotCache();
  /** Per partner, the projections of its current allow-list. */
  private readonly memos = new Map<string, { fields: string; memo: ProjectionMemo }>();

  constructor(private readonly deps: BuilderDeps) {
    this.register = deps.register ?? new RegisterCache();
  }

  private memoFor(partner: string, settings: OutboundSettings): ProjectionMemo {
    const fields = settings.fields.join(',');
    let m = this.memos.get(partner);
    if (m?.fields !== fields) {
      m = { fields, memo: new WeakMap() };
      this.memos.set(partner, m);
    }
    return m.memo;
  }

  /** Builds now; null when another process is building this partner's batch. */
  async build(input: BuildInput): Promise<BatchRow | null> {
    const settings = outboundSettingsOf(this.deps.partners, input.partner);
    if (!settings.enabled) throw new AppError('CONFLICT', `Outbound lists to ${input.partner} are disabled.`);
    const result = await this.deps.db.tryWithLock(partnerLockKey(input.partner, 'outbound-build'), () =>
      this.deps.db.transaction((tx) => this.buildIn(tx, input, settings)),
    );
    if (!result.acquired) return null;
    // Committed: the partner's state after this batch is the next build's base.
    if (result.value.state) this.snapshots.remember(input.partner, result.value.id, result.value.state);
    return getBatchRow(this.deps.db, result.value.id);
  }

  private async buildIn(tx: Queryable, input: BuildInput, settings: OutboundSettings): Promise<{ id: string; state: Snapshot | null }> {
    const now = this.deps.now?.() ?? new Date();
    const today = dateInZone(now.getTime(), this.deps.timeZone);
    const last = await lastSequenced(tx, input.partner);
    if (last?.state === 'PENDING_APPROVAL') throw new AppError('CONFLICT', `Batch ${last.id} waits for approval; approve or reject it first.`);
    const chainBroken = !last || BREAKS_CHAIN.includes(last.state);
    const previous = chainBroken ? null : await this.snapshots.after(tx, input.partner, last.id, last.sequence!);
    const got = chainBroken ? await lastReceived(tx, input.partner) : null;
    const received = got ? await this.snapshots.after(tx, input.partner, got.id, got.sequence) : null;
    const lastFull = await lastFullBuiltAt(tx, input.partner);
    const fullDue = input.forceFull === true || lastFull === null || now.getTime() - lastFull >= durationMs(settings.fullEvery);
    // Last await before the plan: the shared register map is used before any other read changes it.
    const register = await this.register.read(tx);
    const selection = selectForPartner(register.values(), settings, this.memoFor(input.partner, settings));
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
        state: 'NO_CHANGE', contentSha256: null, bodyGzip: null, signature: null, signer: null, counts: plan.counts,
      });
      return { id, state: null };
    }
    const sequence = (last?.sequence ?? 0) + 1;
    const header: MessageHeader = {
      sender: 'CN', receiver: input.partner, sequence, previousSequence: last?.sequence ?? null, kind: plan.kind,
      generatedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), recordCount: plan.records.length, batchId: id,
    };
    const { body, contentType } = serialise(settings.format, header, plan.records);
    // Compressed on libuv's pool while this thread hashes and signs.
    const compressed = compressBody(body);
    compressed.catch(() => undefined); // awaited below; not unhandled if signing throws first
    const contentSha256 = createHash('sha256').update(body).digest('hex');
    const signature = this.deps.signer.sign(body);
    const state = plan.guard ? 'PENDING_APPROVAL' : 'BUILT';
    await insertBatch(tx, {
      ...base, sequence, previousSequence: header.previousSequence, contentType, state,
      contentSha256, bodyGzip: await compressed, signature, signer: this.deps.signer.info,
      counts: plan.counts,
      problems: plan.guard ? [{ record: -1, path: '', message: plan.guard }, ...base.problems] : base.problems,
    });
    if (plan.kind === 'FULL' && state === 'BUILT') await supersedeBefore(tx, input.partner, sequence);
    this.deps.logger.info({ partner: input.partner, sequence, kind: plan.kind, state, records: plan.records.length }, 'outbound batch built');
    // What the partner holds once it has this batch: the eligible records now (a FULL's records, or
    // the previous state with this DELTA applied — the same map).
    return { id, state: selection.records };
  }
}
