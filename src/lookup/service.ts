// "Is this consignor a recognised AEO?" — the decision table applied to the index, with provenance.
import { parseDeclaredCode, type ParsedCode } from '../domain/codes.js';
import { dateInZone } from '../domain/dates.js';
import { decide } from '../domain/decision.js';
import { latestKnown, stateOn } from '../domain/timeline.js';
import type { Decision, IsoDate, OperatorEvent } from '../domain/types.js';
import type { Partners } from '../exchange/partners.js';
import type { Registry } from '../registry/registry.js';
import { isStale, staleFrom } from './freshness.js';
import type { OperatorIndex, Provenance } from './operator-index.js';

export interface OperatorView {
  partnerId: string;
  declaredCode: string;
  name: string;
  tier: string;
  status: OperatorEvent['status'];
  partnerStatus: string;
  statusSince: IsoDate;
  validUntil: IsoDate | null;
}

export interface RecognitionAnswer {
  code: string;
  date: IsoDate;
  recognised: boolean;
  decision: Decision;
  partner: string | null;
  economy: string | null;
  agreement: { id: string; inForceOn: IsoDate | null } | null;
  operator: OperatorView | null;
  provenance: Provenance | null;
  dataAsOf: string | null;
  stale: boolean;
}

export interface LookupDeps {
  registry: Registry;
  partners: Partners;
  index: OperatorIndex;
  timeZone: string;
}


/** Cached answers: at most this many, and only for short raw codes (hostile input is not cached). */
const CACHE_LIMIT = 100_000; // ~70 MB of answers at most
const CACHE_KEY_MAX = 64;

export const BATCH_OPEN = Buffer.from('{"results":[');
export const BATCH_CLOSE = Buffer.from(']}');
const COMMA = 0x2c;

interface CachedAnswer {
  /** The answer as UTF-8 JSON, encoded once: batches are concatenations of these. */
  bytes: Buffer;
  invalid: boolean;
  /** When `stale` would flip (epoch ms). */
  expiresAt: number;
}

export class LookupService {
  /** date → raw code → answer (two levels: no key string built per lookup). */
  private cache = new Map<IsoDate, Map<string, CachedAnswer>>();
  private cacheSize = 0;
  private cacheFor: { index: number; registry: unknown } = { index: -1, registry: null };
  private todayCache = { minute: -1, date: '' };

  constructor(private readonly deps: LookupDeps) {}

  /**
   * The answer as JSON bytes, for "as known now" (no asKnownAt): served from a cache of serialised
   * answers that is emptied whenever the index or the registry changes, so clearance systems asking
   * the same codes all day cost a map read, not a decision and a JSON.stringify.
   */
  recogniseJson(raw: string, date: IsoDate, now: number): { bytes: Buffer; invalid: boolean } {
    return this.cachedAnswer(this.answersOn(date), raw, date, now);
  }

  /**
   * A batch's answers "as known now", as the JSON of `{"results":[…]}`: one cache check for the
   * whole batch, and the cached bytes copied once into the answer (no array of parts to concat).
   */
  recogniseJsonBatch(codes: readonly string[], date: IsoDate, now: number): Buffer {
    const answers = this.answersOn(date);
    const entries = new Array<Buffer>(codes.length);
    let length = BATCH_OPEN.length + BATCH_CLOSE.length + Math.max(0, codes.length - 1);
    for (let i = 0; i < codes.length; i++) {
      const bytes = this.cachedAnswer(answers, codes[i]!, date, now).bytes;
      entries[i] = bytes;
      length += bytes.length;
    }
    const out = Buffer.allocUnsafe(length);
    out.set(BATCH_OPEN, 0);
    let at = BATCH_OPEN.length;
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) out[at++] = COMMA;
      const bytes = entries[i]!;
      out.set(bytes, at);
      at += bytes.length;
    }
    out.set(BATCH_CLOSE, at);
    return out;
  }

  /** The cached answers of one date, after emptying the cache if the index or the registry changed. */
  private answersOn(date: IsoDate): Map<string, CachedAnswer> {
    const registry = this.deps.registry.snapshot();
    if (this.cacheFor.index !== this.deps.index.version || this.cacheFor.registry !== registry || this.cacheSize >= CACHE_LIMIT) {
      this.cache = new Map();
      this.cacheSize = 0;
      this.cacheFor = { index: this.deps.index.version, registry };
    }
    let answers = this.cache.get(date);
    if (!answers) {
      answers = new Map();
      this.cache.set(date, answers);
    }
    return answers;
  }

  private cachedAnswer(answers: Map<string, CachedAnswer>, raw: string, date: IsoDate, now: number): CachedAnswer {
    const cacheable = raw.length <= CACHE_KEY_MAX;
    const hit = cacheable ? answers.get(raw) : undefined;
    if (hit && now < hit.expiresAt) return hit;
    const answer = this.recognise(raw, date, now, now);
    const entry: CachedAnswer = {
      bytes: Buffer.from(JSON.stringify(answer)),
      invalid: answer.decision === 'INVALID_CODE',
      expiresAt: this.staleFlipsAt(answer),
    };
    if (cacheable) {
      if (!hit) this.cacheSize += 1;
      answers.set(raw, entry);
    }
    return entry;
  }

  /** The instant `stale` turns true for this answer's partner; never, when it cannot flip by time alone. */
  private staleFlipsAt(answer: RecognitionAnswer): number {
    if (answer.stale || answer.agreement === null) return Infinity;
    const exchange = this.deps.partners.forAgreement(answer.agreement.id);
    if (!exchange) return Infinity;
    return staleFrom(this.deps.index.partner(exchange.def.code), exchange.def.manifest.freshnessHours);
  }

  /** Today in AEO_TIMEZONE; recomputed once a minute (zone offsets are whole minutes). */
  today(now = Date.now()): IsoDate {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.todayCache.minute) this.todayCache = { minute, date: dateInZone(now, this.deps.timeZone) };
    return this.todayCache.date;
  }

  /** Answers one code; `asKnownAt` and `now` are epoch milliseconds. */
  recognise(raw: string, date: IsoDate, asKnownAt: number, now: number): RecognitionAnswer {
    const parsed = parseDeclaredCode(raw, this.deps.registry.snapshot().byEconomy);
    if (parsed.kind !== 'ok') return this.withoutOperator(parsed, date);

    const agreement = parsed.agreement.agreement;
    const exchange = this.deps.partners.forAgreement(agreement.id);
    const data = exchange ? this.deps.index.partner(exchange.def.code) : undefined;
    const hasData = data !== undefined && data.firstAppliedAt <= asKnownAt;
    const history = hasData ? this.deps.index.history(parsed.code) : undefined;
    const state = history ? stateOn(history, date, asKnownAt) : null;
    const known = state ?? (history ? latestKnown(history, asKnownAt) : null);
    const manifest = exchange?.def.manifest;
    const stale = manifest !== undefined && isStale(data, manifest.freshnessHours, now);
    const decision = decide({ parsed, date, hasData, state, stale, onStale: manifest?.onStale ?? 'serve' });
    return {
      code: parsed.code,
      date,
      recognised: decision === 'RECOGNISED',
      decision,
      partner: agreement.partner,
      economy: parsed.economy,
      agreement: { id: agreement.id, inForceOn: agreement.inForceOn },
      operator: known ? operatorView(known) : null,
      provenance: known ? (this.deps.index.provenanceOf(known.exchangeId) ?? null) : null,
      dataAsOf: hasData ? (data.lastGeneratedAt ?? null) : null,
      stale: hasData && stale,
    };
  }

  private withoutOperator(parsed: Exclude<ParsedCode, { kind: 'ok' }>, date: IsoDate): RecognitionAnswer {
    return {
      code: parsed.code,
      date,
      recognised: false,
      decision: decide({ parsed, date, hasData: false, state: null, stale: false, onStale: 'serve' }),
      partner: null,
      economy: parsed.kind === 'no-agreement' ? parsed.economy : null,
      agreement: null,
      operator: null,
      provenance: null,
      dataAsOf: null,
      stale: false,
    };
  }
}

function operatorView(e: OperatorEvent): OperatorView {
  return {
    partnerId: e.partnerId,
    declaredCode: e.declaredCode,
    name: e.name,
    tier: e.tier,
    status: e.status,
    partnerStatus: e.partnerStatus,
    statusSince: e.statusSince,
    validUntil: e.validUntil,
  };
}
