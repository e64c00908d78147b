// The metrics of contract 12.2: names, help, labels and buckets, in one registry per gateway (tests
// and the benchmark run several gateways in one process). Label values are bounded: partner codes,
// enum words, route templates; never declared codes, names, tokens or URLs.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const TRIGGERS = ['schedule', 'manual', 'push', 'startup', 'import', 'activation'] as const;
export const OUTCOMES = ['APPLIED', 'NO_CHANGE', 'QUARANTINED', 'REJECTED', 'FAILED'] as const;
/** Reasons a list is REJECTED for (contract 5); others (INTERNAL) are counted when they happen. */
export const REJECTION_REASONS = [
  'SIGNATURE_INVALID',
  'SIGNER_UNTRUSTED',
  'SIGNER_EXPIRED',
  'SIGNER_REVOKED',
  'SIGNER_REVOCATION_UNKNOWN',
  'SENDER_MISMATCH',
  'PAYLOAD_MALFORMED',
  'SCHEMA_INVALID',
  'SEQUENCE_REPLAYED',
  'SEQUENCE_CONFLICT',
  'TOO_LARGE',
] as const;
export const OPERATOR_STATUSES = ['VALID', 'SUSPENDED', 'REVOKED'] as const;
/** Outbound batch states (contract 9.4). */
export const OUTBOUND_STATES = [
  'BUILT',
  'PENDING_APPROVAL',
  'SENDING',
  'RETRY_WAIT',
  'DELIVERED',
  'ACKNOWLEDGED',
  'REJECTED_BY_PARTNER',
  'RECEIPT_MISMATCH',
  'RECEIPT_OVERDUE',
  'DEAD_LETTER',
  'FAILED',
  'SUPERSEDED',
  'NO_CHANGE',
  'REJECTED',
] as const;
export const AUTH_FAILURE_REASONS = ['missing_token', 'unknown_token', 'forbidden'] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const EXCHANGE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export function createCatalogue() {
  const register = new Registry();
  collectDefaultMetrics({ register });
  const registers = [register];
  // Three defaults are gauges named *_total, which `promtool check metrics` rejects; the same counts
  // remain by type in nodejs_active_handles, nodejs_active_requests and nodejs_active_resources.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) register.removeSingleMetric(name);
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers });
  return {
    register,
    httpDuration: histogram('aeo_http_request_duration_seconds', 'HTTP requests by method, route template and status code.', ['method', 'route', 'status_code'], HTTP_BUCKETS),
    lookupDecisions: counter('aeo_lookup_decisions_total', 'Recognition lookups answered, by partner ("none" without one) and decision.', ['partner', 'decision']),
    exchangeRuns: counter('aeo_exchange_runs_total', 'Exchange runs finished by this process, by partner, direction, trigger and outcome.', ['partner', 'direction', 'trigger', 'outcome']),
    exchangeRejections: counter('aeo_exchange_rejections_total', 'Lists rejected by this process, by partner and reason.', ['partner', 'reason']),
    exchangeDuration: histogram('aeo_exchange_duration_seconds', 'How long exchange runs took, start to recorded outcome.', ['partner', 'direction'], EXCHANGE_BUCKETS),
    lastSuccess: gauge('aeo_partner_last_success_timestamp_seconds', 'When the partner last confirmed its list (APPLIED or NO_CHANGE); absent before the first.', ['partner']),
    dataAsOf: gauge('aeo_partner_data_as_of_timestamp_seconds', 'The generatedAt of the list lookups answer from (their dataAsOf); absent before the first.', ['partner']),
    health: gauge('aeo_partner_health', 'Partner health (contract 12.1): 1 for the current word, 0 for the others.', ['partner', 'health']),
    operators: gauge('aeo_partner_operators', "Operators of the partner's applied list, by status of their newest statement.", ['partner', 'status']),
    quarantinePending: gauge('aeo_quarantine_pending', 'Quarantined inbound lists waiting for an admin review.', ['partner']),
    outboundBatches: gauge('aeo_outbound_batches', 'Outbound batches by partner and state.', ['partner', 'state']),
    outboundLastAcknowledged: gauge('aeo_outbound_last_acknowledged_timestamp_seconds', "When the partner last acknowledged one of our lists; absent before the first.", ['partner']),
    certificateNotAfter: gauge('aeo_certificate_not_after_timestamp_seconds', 'When each certificate expires (partner "CN" for our own).', ['partner', 'role', 'sha256_prefix']),
    authFailures: counter('aeo_auth_failures_total', 'Requests refused by authentication (401) or by scope (403).', ['reason']),
    indexSequence: gauge('aeo_lookup_index_sequence', "The sequence of each partner's list this process's lookup index serves (0: none yet).", ['partner']),
  };
}

export type MetricsCatalogue = ReturnType<typeof createCatalogue>;
