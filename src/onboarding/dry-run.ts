// A dry run (contract section 11): the pipeline's own stages — verify, parse, validate, map, compare,
// guard — on a sample list against any partner version, writing nothing. Every stage that can run
// does, so one report shows all that is wrong; the outcome is the first failing stage's, in pipeline
// order. Same inputs (version, sample, signature, active data, day) → the same report.
import { mapMessage } from '../catalog/map.js';
import { parsePayload } from '../catalog/parse.js';
import type { Problem } from '../catalog/problems.js';
import { verifyDetachedCms } from '../crypto/index.js';
import { parseDeclaredCode, type CompiledAgreement } from '../domain/codes.js';
import { dateInZone, parseInstant } from '../domain/dates.js';
import { decide } from '../domain/decision.js';
import { stateOn, withinValidity } from '../domain/timeline.js';
import type { Decision, OperatorEvent, OperatorRecord } from '../domain/types.js';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import type { PartnerRuntime } from '../exchange/partners.js';
import { compareAndGuard } from '../exchange/publish.js';
import type { Counts, Signer } from '../exchange/types.js';
import type { DryRunOutcome } from '../catalog/versions-repo.js';
import { inspectSample } from './sample-fields.js';

export interface DryRunProblem extends Problem {
  severity: 'error' | 'warning';
}

export interface DryRunReport {
  version: number;
  contentSha256: string;
  outcome: DryRunOutcome;
  reason: ErrorCode | null;
  signature: { checked: boolean; verdict: 'VALID' | 'NOT_CHECKED' | ErrorCode; signer: Signer | null };
  counts: Counts;
  problems: DryRunProblem[];
  sample: OperatorRecord[];
  diffVsActive: { added: number; changed: number; removed: number; removalRatio: number };
  decisions: { code: string; decision: Decision }[];
  fieldCoverage: Record<string, number>;
  unmappedFields: string[];
}

export interface DryRunInput {
  partner: PartnerRuntime;
  version: { number: number; contentSha256: string };
  body: Buffer;
  signature: Buffer | null;
  /** The partner's current operators (its active data); [] for a new partner. */
  current: readonly OperatorEvent[];
  /** An operator's stored history by declared code (the lookup index). */
  history: (code: string) => readonly OperatorEvent[] | undefined;
  byEconomy: ReadonlyMap<string, CompiledAgreement>;
  economyAliases: Readonly<Record<string, string>>;
  timeZone: string;
  now: number;
}

const FIRST = 20;
const MAX_PROBLEMS = 100;
const round = (x: number): number => Math.round(x * 10_000) / 10_000;

export async function dryRun(input: DryRunInput): Promise<DryRunReport> {
  const { partner, body } = input;
  const { manifest, mapping, validatePayload, code } = partner.def;
  let reason: ErrorCode | null = null;
  const fail = (c: ErrorCode): void => void (reason ??= c);
  const errors: Problem[] = [];

  if (body.length > manifest.maxBytes) fail('TOO_LARGE');
  const signature = checkSignature(input, fail);

  let parsed: unknown;
  try {
    parsed = await parsePayload(body, manifest.format, manifest.xml);
  } catch (err) {
    fail(isAppError(err) ? err.code : 'PAYLOAD_MALFORMED');
    errors.push({ record: null, path: '', message: err instanceof Error ? err.message : 'The message cannot be parsed.' });
  }

  let records: OperatorRecord[] = [];
  let list = null;
  if (parsed !== undefined) {
    const schemaProblems = validatePayload(parsed);
    if (schemaProblems.length > 0) fail('SCHEMA_INVALID');
    const dateOf = (generatedAt: string): string => dateInZone(parseInstant(generatedAt) ?? Number.NaN, input.timeZone);
    const mapped = mapMessage(parsed, mapping, { fallbackDate: dateOf, economyAliases: input.economyAliases });
    if (mapped.problems.length > 0) fail('SCHEMA_INVALID');
    errors.push(...schemaProblems, ...mapped.problems);
    records = mapped.records;
    if (mapped.header.sender !== '' && mapped.header.sender !== code) fail('SENDER_MISMATCH');
    if (mapped.header.generatedAt !== '') list = { header: mapped.header, records, listDate: dateOf(mapped.header.generatedAt) };
  }

  const { diff, verdict } = list ? await compareAndGuard(list, input.current, manifest.maxRemovalRatio, false) : { diff: null, verdict: null };
  const fields = parsed === undefined ? { fieldCoverage: {}, unmappedFields: [], unmatched: [] } : inspectSample(parsed, mapping);
  const warnings: DryRunProblem[] = fields.unmatched.map((u) => ({
    record: null,
    path: u.pointer,
    message: `manifest ${u.at}: the pointer ${u.pointer} matches nothing in any record of the sample`,
    severity: 'warning',
  }));
  const invalid = new Set(errors.filter((p) => p.record !== null).map((p) => p.record)).size;
  const counts = diff ? { ...diff.counts, invalid } : { received: records.length, added: 0, changed: 0, removed: 0, unchanged: 0, invalid };
  const outcome: DryRunOutcome = reason !== null ? 'WOULD_REJECT' : verdict ? 'WOULD_QUARANTINE' : 'WOULD_APPLY';
  return {
    version: input.version.number,
    contentSha256: input.version.contentSha256,
    outcome,
    reason: reason ?? verdict?.reason ?? null,
    signature,
    counts,
    problems: [...warnings, ...errors.map((p) => ({ ...p, severity: 'error' as const }))].slice(0, MAX_PROBLEMS),
    sample: records.slice(0, FIRST),
    diffVsActive: {
      added: diff?.counts.added ?? 0,
      changed: diff?.counts.changed ?? 0,
      removed: diff?.counts.removed ?? 0,
      removalRatio: diff && diff.activeBefore > 0 ? round(diff.counts.removed / diff.activeBefore) : 0,
    },
    decisions: records.slice(0, FIRST).map((r) => ({ code: r.declaredCode, decision: decisionToday(r, input) })),
    fieldCoverage: fields.fieldCoverage,
    unmappedFields: fields.unmappedFields,
  };
}

/** Stage 2, as the pipeline runs it; without a signature the sample is checked unsigned. */
function checkSignature(input: DryRunInput, fail: (c: ErrorCode) => void): DryRunReport['signature'] {
  if (input.signature === null) return { checked: false, verdict: 'NOT_CHECKED', signer: null };
  try {
    const v = verifyDetachedCms(input.body, input.signature, input.partner.anchors, new Date(input.now));
    return { checked: true, verdict: 'VALID', signer: { subject: v.subject, sha256Fingerprint: v.sha256Fingerprint } };
  } catch (err) {
    const verdict: ErrorCode = err instanceof AppError ? err.code : 'SIGNATURE_INVALID';
    fail(verdict);
    return { checked: true, verdict, signer: null };
  }
}

/** The decision a lookup would give today if the record were applied now (on top of the stored history). */
function decisionToday(record: OperatorRecord, input: DryRunInput): Decision {
  const today = dateInZone(input.now, input.timeZone);
  const code = input.partner.def.code;
  const event: OperatorEvent = { ...record, partner: code, exchangeId: 'dry-run', recordedAt: input.now };
  const history = (input.history(record.declaredCode) ?? []).filter((e) => e.partner === code && e.recordedAt <= input.now);
  const all = [...history, event];
  const state = stateOn(all, today, input.now);
  const valid = state?.status === 'VALID' && withinValidity(all, today, input.now);
  const parsed = parseDeclaredCode(record.declaredCode, input.byEconomy);
  return decide({ parsed, date: today, hasData: true, state, withinValidity: valid, stale: false, onStale: input.partner.def.manifest.onStale });
}
