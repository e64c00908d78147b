// "Is this consignor a recognised AEO?" — the decision table applied to the index, with provenance.
import { parseDeclaredCode, type ParsedCode } from '../domain/codes.js';
import { dateInZone } from '../domain/dates.js';
import { decide } from '../domain/decision.js';
import { latestKnown, stateOn, withinValidity } from '../domain/timeline.js';
import type { Decision, IsoDate, OperatorEvent } from '../domain/types.js';
import type { Partners } from '../exchange/partners.js';
import type { Registry } from '../registry/registry.js';
import { DecisionTally, type TallyCell } from './decision-tally.js';
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
  /** Where this answer's decision is counted (aeo_lookup_decisions_total). */
  tally: TallyCell;
}

export class LookupService {
  /** date → raw code → answer (two levels: no key string built per lookup). */
  private cache = new Map<IsoDate, Map<string, CachedAnswer>>();
  private cacheSize = 0;
  private cacheFor: { index: number; registry: unknown; partners: number } = { index: -1, registry: null, partners: -1 };
  private todayCache = { minute: -1, date: '' };
  /** Decisions answered, per partner (read by the metrics). */
  readonly decisions = new DecisionTally();

  constructor(private readonly deps: LookupDeps) {}

  /**
   * The answer as JSON bytes, for "as known now" (no asKnownAt): served from a cache of serialised
   * answers that is emptied whenever the index, the registry or a partner version changes, so
   * clearance systems asking the same codes all day cost a map read, not a decision and a JSON.stringify.
   */
  recogniseJson(raw: string, date: IsoDate, now: number): { bytes: Buffer; invalid: boolean } {
    return this.cachedAnswer(this.answersOn(date), raw, date, now);
  }

  /**
   * A batch's answers "as known now", as the JSON of `{"results":[…]}`: one cache check for the
   * whole batch, and the cached bytes copied once into the answer (no array of parts to concat),
   * in a buffer from `alloc` (the route reuses them).
   */
  recogniseJsonBatch(codes: readonly string[], date: IsoDate, now: number, alloc = (bytes: number): Buffer => Buffer.allocUnsafe(bytes)): Buffer {
    const answers = this.answersOn(date);
    const entries = new Array<Buffer>(codes.length);
    let length = BATCH_OPEN.length + BATCH_CLOSE.length + Math.max(0, codes.length - 1);
    for (let i = 0; i < codes.length; i++) {
      const bytes = this.cachedAnswer(answers, codes[i]!, date, now).bytes;
      entries[i] = bytes;
      length += bytes.length;
    }
    const out = alloc(length).subarray(0, length);
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

  /** The cached answers of one date, after emptying the cache if the index, the registry or a partner version changed. */
  private answersOn(date: IsoDate): Map<string, CachedAnswer> {
    const registry = this.deps.registry.snapshot();
    const partners = this.deps.partners.version;
    const changed = this.cacheFor.index !== this.deps.index.version || this.cacheFor.registry !== registry || this.cacheFor.partners !== partners;
    if (changed || this.cacheSize >= CACHE_LIMIT) {
      this.cache = new Map();
      this.cacheSize = 0;
      this.cacheFor = { index: this.deps.index.version, registry, partners };
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
    if (hit && now < hit.expiresAt) {
      hit.tally.n++;
      return hit;
    }
    const answer = this.recognise(raw, date, now, now);
    const entry: CachedAnswer = {
      bytes: Buffer.from(JSON.stringify(answer)),
      invalid: answer.decision === 'INVALID_CODE',
      expiresAt: this.expiresAt(answer, now),
      tally: this.decisions.cell(answer.partner, answer.decision),
    };
    entry.tally.n++;
    if (cacheable) {
      if (!hit) this.cacheSize += 1;
      answers.set(raw, entry);
    }
    return entry;
  }

  /** One answer to a client "as known at" an instant: `recognise`, counted in the decision metrics. */
  answer(raw: string, date: IsoDate, asKnownAt: number, now: number): RecognitionAnswer {
    const answer = this.recognise(raw, date, asKnownAt, now);
    this.decisions.count(answer.partner, answer.decision);
    return answer;
  }

  /**
   * When a cached answer may change by time alone: `stale` turns true, or a list recorded at a
   * database time still ahead of this process's clock comes into view (clocks differ a little).
   */
  private expiresAt(answer: RecognitionAnswer, now: number): number {
    if (answer.agreement === null) return Infinity;
    const exchange = this.deps.partners.forAgreement(answer.agreement.id);
    if (!exchange) return Infinity;
    const data = this.deps.index.partner(exchange.def.code);
    const newest = data?.lists.at(-1)?.appliedAt ?? -Infinity;
    const staleAt = answer.stale ? Infinity : staleFrom(data, exchange.def.manifest.freshnessHours);
    return Math.min(staleAt, newest > now ? newest : Infinity);
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
    // The list the answer is computed from: the newest one applied at asKnownAt. Its generatedAt is
    // dataAsOf, and its age then is what `stale` says (an answer as known earlier is not aged by later days).
    const list = exchange ? this.deps.index.listAsKnownAt(exchange.def.code, asKnownAt) : null;
    const hasData = list !== null;
    const history = hasData ? this.historyOf(parsed.spellings) : undefined;
    const state = history ? stateOn(history, date, asKnownAt) : null;
    const known = state ?? (history ? latestKnown(history, asKnownAt) : null);
    const valid = history !== undefined && state?.status === 'VALID' && withinValidity(history, date, asKnownAt);
    const manifest = exchange?.def.manifest;
    const stale = manifest !== undefined && list !== null && isStale({ lastGeneratedAt: list.generatedAt }, manifest.freshnessHours, Math.min(now, asKnownAt));
    const decision = decide({ parsed, date, hasData, state, withinValidity: valid, stale, onStale: manifest?.onStale ?? 'serve' });
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
      dataAsOf: list?.generatedAt ?? null,
      stale: hasData && stale,
    };
  }

  /** The first spelling the index knows (Greece: EL… and GR… are one operator). */
  private historyOf(spellings: readonly string[]): readonly OperatorEvent[] | undefined {
    for (const code of spellings) {
      const history = this.deps.index.history(code);
      if (history) return history;
    }
    return undefined;
  }

  private withoutOperator(parsed: Exclude<ParsedCode, { kind: 'ok' }>, date: IsoDate): RecognitionAnswer {
    return {
      code: parsed.code,
      date,
      recognised: false,
      decision: decide({ parsed, date, hasData: false, state: null, withinValidity: false, stale: false, onStale: 'serve' }),
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
