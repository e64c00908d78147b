// Builds one partner's next batch (contract 9.3) in one transaction under the partner's build lock:
// register → eligible + projected → FULL or DELTA against what the partner holds → canonical bytes →
// schema check → signature → stored. A killed process leaves a whole batch or none. The register and
// the partner's last state come from memory when current (register-cache.ts, snapshot.ts), so a build
// reads from the database only what changed since the last one.
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import * as audit from '../audit/audit-log.js';
import { dateInZone } from '../domain/dates.js';
import { RegisterCache } from '../domestic/register-cache.js';
import type { Enterprise } from '../domestic/types.js';
import { AppError } from '../errors.js';
import { partnerLockKey } from '../exchange/locks.js';
import type { Partners } from '../exchange/partners.js';
import type { Db, Queryable } from '../store/db.js';
import { compressBody } from './body.js';
import { messageBytes, serialise, type Allocate, type MessageHeader } from './message.js';
import { planBatch } from './plan.js';
import { PartnerList, listKey } from './partner-list.js';
import { BREAKS_CHAIN, getBatchRow, insertBatch, lastFullBuiltAt, lastReceived, lastSequenced, supersedeBefore, type BatchRow } from './repo.js';
import { durationMs, type OutboundSettings } from './settings.js';
import type { OutboundSigner } from './signer.js';
import { ScratchBuffers, type Scratch } from './scratch.js';
import { SnapshotCache, type KnownState } from './snapshot.js';

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
  /** An admin's run: its DONE row (`outbound.run`) commits with the batch. A scheduled build gives none. */
  audit?: audit.ActedBy;
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
  private readonly scratch = new ScratchBuffers();
  /** Per partner, its list as the register stands, for its current settings. */
  private readonly lists = new Map<string, PartnerList>();

  constructor(private readonly deps: BuilderDeps) {
    this.register = deps.register ?? new RegisterCache();
  }

  private listFor(partner: string, settings: OutboundSettings): PartnerList {
    let list = this.lists.get(partner);
    if (list?.key !== listKey(settings)) {
      list = new PartnerList(settings);
      this.lists.set(partner, list);
    }
    return list;
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
    if (result.value.known) this.snapshots.remember(input.partner, result.value.id, result.value.known);
    return getBatchRow(this.deps.db, result.value.id);
  }

  private async buildIn(tx: Queryable, input: BuildInput, settings: OutboundSettings): Promise<{ id: string; known: KnownState | null }> {
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
    const list = this.listFor(input.partner, settings);
    list.catchUp(this.register, register);
    const stateBase = previous ?? received;
    const plan = planBatch({
      now: list.records,
      previous: previous?.state ?? null,
      received: received?.state ?? null,
      fullDue,
      heldBack: list.heldBack,
      removedSince: removedSince(register, today),
      maxRemovalRatio: settings.maxRemovalRatio,
      changed: stateBase?.mark ? list.changedSince(stateBase.mark) : null,
      inOrder: () => list.inOrder(),
    });
    const problems = list.heldBack > 0 ? list.problems().slice(0, 100) : [];
    // What the partner holds once it has this batch: the eligible records now (a FULL's records, or
    // the previous state with this DELTA applied — the same records), taken with the plan.
    const after: KnownState = { state: list.snapshot(), mark: list.mark() };

    const id = randomUUID();
    const base = { id, partner: input.partner, kind: plan.kind, format: settings.format, trigger: input.trigger, builtAt: now, generatedAt: now, problems };
    if (plan.records === null) {
      await insertBatch(tx, {
        ...base, sequence: null, previousSequence: last?.sequence ?? null, contentType: settings.format === 'xml' ? 'application/xml' : 'application/json',
        state: 'NO_CHANGE', contentSha256: null, bodyBrotli: null, signature: null, signer: null, counts: plan.counts,
      });
      await audit.recordDone(tx, input.audit, 'outbound.run', input.partner, () => getBatchRow(tx, id));
      return { id, known: null };
    }
    const sequence = (last?.sequence ?? 0) + 1;
    const header: MessageHeader = {
      sender: 'CN', receiver: input.partner, sequence, previousSequence: last?.sequence ?? null, kind: plan.kind,
      generatedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), recordCount: plan.records.length, batchId: id,
    };
    // A FULL is the whole list, whose records' bytes the list keeps (partner-list.ts); a DELTA its changes.
    const records = plan.records;
    const { contentType, digest, signature, bodyBrotli } = await this.seal((allocate) =>
      plan.kind === 'FULL' ? messageBytes(settings.format, header, list.bytesInOrder(), allocate) : serialise(settings.format, header, records),
    );
    const contentSha256 = digest.toString('hex');
    const state = plan.guard ? 'PENDING_APPROVAL' : 'BUILT';
    await insertBatch(tx, {
      ...base, sequence, previousSequence: header.previousSequence, contentType, state,
      contentSha256, bodyBrotli, signature, signer: this.deps.signer.info,
      counts: plan.counts,
      problems: plan.guard ? [{ record: -1, path: '', message: plan.guard }, ...base.problems] : base.problems,
    });
    if (plan.kind === 'FULL' && state === 'BUILT') await supersedeBefore(tx, input.partner, sequence);
    await audit.recordDone(tx, input.audit, 'outbound.run', input.partner, () => getBatchRow(tx, id));
    this.deps.logger.info({ partner: input.partner, sequence, kind: plan.kind, state, records: plan.records.length }, 'outbound batch built');
    return { id, known: after };
  }

  /**
   * The message written (into scratch memory when large), hashed once, signed with that digest, and
   * compressed on libuv's pool meanwhile. The scratch memory is given back only once the compression
   * is over, whatever happens before.
   */
  private async seal(write: (allocate: Allocate) => { body: Buffer; contentType: string }): Promise<{ contentType: string; digest: Buffer; signature: Buffer; bodyBrotli: Buffer }> {
    const held: { scratch?: Scratch } = {};
    const { body, contentType } = write((size) => (held.scratch = this.scratch.take(size)).buffer);
    const compressed = compressBody(body);
    const release = (): void => held.scratch?.release();
    const compressedDone = compressed.then(release, release);
    try {
      const digest = createHash('sha256').update(body).digest();
      const signature = this.deps.signer.sign(body, digest);
      return { contentType, digest, signature, bodyBrotli: await compressed };
    } finally {
      await compressedDone;
    }
  }
}
