// The gateway's metrics: process-local counters fed by events (HTTP, lookups, runs), and per-partner
// gauges read from the database at scrape time so that every replica reports the same values.
import type { RequestHandler } from 'express';
import type { Partners } from '../exchange/partners.js';
import type { ExchangeRun } from '../exchange/types.js';
import { DECISIONS, NO_PARTNER, type DecisionTally, type TallyCell } from '../lookup/decision-tally.js';
import type { OperatorIndex } from '../lookup/operator-index.js';
import type { CertificateEntry } from '../ops/certificates.js';
import { HEALTH_WORDS } from '../ops/health.js';
import { healthOf, readPartnerFacts } from '../ops/partner-facts.js';
import type { Db } from '../store/db.js';
import { AUTH_FAILURE_REASONS, DIRECTIONS, OUTBOUND_STATES, OUTCOMES, REJECTION_REASONS, TRIGGERS, createCatalogue, type AuthFailureReason } from './catalogue.js';
import { OperatorStatusCounts } from './operator-counts.js';

/** What the outbound side reports; until it is wired, every batch gauge is 0 and no ack time is known. */
export interface OutboundMetricsSource {
  batchCounts(): Promise<{ partner: string; state: string; count: number }[]>;
  lastAcknowledged(): Promise<{ partner: string; at: number }[]>;
}

export interface MetricsDeps {
  db: Db;
  partners: Partners;
  index: OperatorIndex;
  decisions: DecisionTally;
  /** Partner codes of the agreement registry, for the zero series of lookup decisions. */
  registryPartners: () => readonly string[];
  timeZone: string;
  certificates: () => Promise<CertificateEntry[]>;
  outbound?: OutboundMetricsSource;
}

const seconds = (ms: number): number => ms / 1000;

export class GatewayMetrics {
  private readonly m = createCatalogue();
  private readonly reported = new WeakMap<TallyCell, number>();
  private readonly operatorCounts: OperatorStatusCounts;

  constructor(private readonly deps: MetricsDeps) {
    this.operatorCounts = new OperatorStatusCounts(deps.db);
    for (const reason of AUTH_FAILURE_REASONS) this.m.authFailures.inc({ reason }, 0);
    for (const p of deps.partners.all()) this.zeroPartner(p.def.code);
  }

  get contentType(): string {
    return this.m.register.contentType;
  }

  /** Times every request under its route template (never the path: it holds codes). */
  httpMiddleware(): RequestHandler {
    const histogram = this.m.httpDuration;
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const route = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
        const status = res.statusCode;
        histogram.observe({ method: req.method, route, status_code: status }, Number(process.hrtime.bigint() - started) / 1e9);
        if (status === 401) this.authFailed(req.headers.authorization === undefined ? 'missing_token' : 'unknown_token');
        else if (status === 403) this.authFailed('forbidden');
      });
      next();
    };
  }

  authFailed(reason: AuthFailureReason): void {
    this.m.authFailures.inc({ reason });
  }

  /** A run got its outcome in this process. */
  exchangeFinished(run: ExchangeRun): void {
    if (run.outcome === null) return;
    const { partner, direction } = run;
    this.m.exchangeRuns.inc({ partner, direction, trigger: run.trigger, outcome: run.outcome });
    if (run.outcome === 'REJECTED' && run.reason !== null) this.m.exchangeRejections.inc({ partner, reason: run.reason });
    if (run.finishedAt !== null) {
      this.m.exchangeDuration.observe({ partner, direction }, seconds(Date.parse(run.finishedAt) - Date.parse(run.startedAt)));
    }
  }

  /** The Prometheus text: gauges refreshed from the database and this process's index first. */
  async scrape(now = Date.now()): Promise<string> {
    await this.refreshGauges(now);
    this.collectDecisions();
    return this.m.register.metrics();
  }

  private zeroPartner(partner: string): void {
    for (const direction of DIRECTIONS) {
      this.m.exchangeDuration.zero({ partner, direction });
      for (const trigger of TRIGGERS) for (const outcome of OUTCOMES) this.m.exchangeRuns.inc({ partner, direction, trigger, outcome }, 0);
    }
    for (const reason of REJECTION_REASONS) this.m.exchangeRejections.inc({ partner, reason }, 0);
  }

  /** Lookups bump plain numbers; the counter catches up with them here. */
  private collectDecisions(): void {
    const { decisions } = this.deps;
    for (const partner of [NO_PARTNER, ...this.deps.registryPartners()]) for (const decision of DECISIONS) decisions.cell(partner, decision);
    for (const cell of decisions.all()) {
      const before = this.reported.get(cell) ?? 0;
      this.m.lookupDecisions.inc({ partner: cell.partner, decision: cell.decision }, cell.n - before);
      this.reported.set(cell, cell.n);
    }
  }

  private async refreshGauges(now: number): Promise<void> {
    const { db, partners, index, timeZone } = this.deps;
    const codes = partners.all().map((p) => p.def.code);
    const facts = await readPartnerFacts(db, codes);
    const m = this.m;
    for (const p of partners.all()) {
      const partner = p.def.code;
      const f = facts.get(partner);
      const word = healthOf(p, f, timeZone, now);
      for (const health of HEALTH_WORDS) m.health.set({ partner, health }, health === word ? 1 : 0);
      m.quarantinePending.set({ partner }, f?.quarantinePending ?? 0);
      setOrRemove(m.lastSuccess, partner, f?.data?.lastSuccessAt ?? null);
      setOrRemove(m.dataAsOf, partner, f?.data?.lastGeneratedAt == null ? null : Date.parse(f.data.lastGeneratedAt));
      m.indexSequence.set({ partner }, index.partner(partner)?.lastSequence ?? 0);
      const counts = await this.operatorCounts.of(partner, f?.lastExchangeId ?? null);
      for (const [status, n] of counts) m.operators.set({ partner, status }, n);
    }
    await this.refreshOutbound(codes);
    m.certificateNotAfter.reset();
    for (const c of await this.deps.certificates()) {
      m.certificateNotAfter.set({ partner: c.partner, role: c.role, sha256_prefix: c.sha256.slice(0, 16) }, seconds(Date.parse(c.notAfter)));
    }
  }

  private async refreshOutbound(codes: readonly string[]): Promise<void> {
    const counts = (await this.deps.outbound?.batchCounts()) ?? [];
    for (const partner of codes) {
      for (const state of OUTBOUND_STATES) {
        const n = counts.find((c) => c.partner === partner && c.state === state)?.count ?? 0;
        this.m.outboundBatches.set({ partner, state }, n);
      }
    }
    for (const { partner, at } of (await this.deps.outbound?.lastAcknowledged()) ?? []) this.m.outboundLastAcknowledged.set({ partner }, seconds(at));
  }
}

/** A timestamp gauge in seconds; no series while the time is unknown (0 would read as 1970). */
function setOrRemove(gauge: ReturnType<typeof createCatalogue>['lastSuccess'], partner: string, atMs: number | null): void {
  if (atMs === null) gauge.remove({ partner });
  else gauge.set({ partner }, seconds(atMs));
}
