// "Is this consignor a recognised AEO?" — the decision table applied to the index, with provenance.
import { parseDeclaredCode, type ParsedCode } from '../domain/codes.js';
import { dateInZone } from '../domain/dates.js';
import { decide } from '../domain/decision.js';
import { latestKnown, stateOn } from '../domain/timeline.js';
import type { Decision, IsoDate, OperatorEvent } from '../domain/types.js';
import type { Partners } from '../exchange/partners.js';
import type { Registry } from '../registry/registry.js';
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

const HOUR = 3_600_000;

export class LookupService {
  constructor(private readonly deps: LookupDeps) {}

  today(now = Date.now()): IsoDate {
    return dateInZone(now, this.deps.timeZone);
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
    const stale =
      manifest !== undefined && data !== undefined && (data.lastSuccessAt === null || now - data.lastSuccessAt > manifest.freshnessHours * HOUR);
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
