// `aeo-gateway partner draft|dry-run|activate`: contract section 11 from the command line, on the same
// store as `serve` (a running gateway on the same PostgreSQL switches through NOTIFY).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isAppError } from './errors.js';
import { cliActor } from './onboarding/actor.js';
import type { DryRunReport } from './onboarding/dry-run.js';
import type { PartnerOnboarding } from './onboarding/service.js';

export const PARTNER_USAGE = `Usage:
  aeo-gateway partner draft DIR --note "why"          DIR: manifest.json, payload.schema.json, anchors/*.pem [, crls/*.crl]
  aeo-gateway partner dry-run CODE N LIST [SIG] [--json]
  aeo-gateway partner activate CODE N --note "why"`;

type Out = (text: string) => void;

const readJsonFile = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8')) as unknown;

/** The files of one folder with this ending, as text, in name order ([] without the folder). */
function texts(dir: string, ending: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ending))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** A draft folder as the request body of POST /admin/partners/{CODE}/versions. */
export function readDraftFolder(dir: string, note: string): { code: string; body: Record<string, unknown> } {
  const manifest = readJsonFile(path.join(dir, 'manifest.json')) as Record<string, unknown>;
  const payloadSchema = readJsonFile(path.join(dir, 'payload.schema.json'));
  const code = typeof manifest.code === 'string' ? manifest.code.toUpperCase() : '';
  return { code, body: { note, manifest, payloadSchema, trustAnchors: texts(path.join(dir, 'anchors'), '.pem'), crls: texts(path.join(dir, 'crls'), '.crl') } };
}

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

export function renderReport(code: string, r: DryRunReport): string {
  const lines = [
    `${code} version ${r.version} (sha256 ${r.contentSha256.slice(0, 16)}…): ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`,
    `signature: ${r.signature.verdict}${r.signature.signer ? ` — ${r.signature.signer.subject}` : ''}`,
    `counts: received ${r.counts.received}, added ${r.counts.added}, changed ${r.counts.changed}, removed ${r.counts.removed}, unchanged ${r.counts.unchanged}, invalid ${r.counts.invalid}`,
    `against the active data: +${r.diffVsActive.added} ~${r.diffVsActive.changed} -${r.diffVsActive.removed} (removal ratio ${r.diffVsActive.removalRatio})`,
  ];
  if (r.problems.length > 0) {
    lines.push(`problems (${r.problems.length}):`);
    for (const p of r.problems) lines.push(`  ${p.severity} ${p.record === null ? '' : `record ${p.record} `}${p.path || '/'}: ${p.message}`);
  }
  if (r.decisions.length > 0) {
    lines.push('decisions today, as if applied (first 20):');
    for (const d of r.decisions) lines.push(`  ${d.code.padEnd(24)} ${d.decision}`);
  }
  lines.push(`field coverage: ${Object.entries(r.fieldCoverage).map(([f, share]) => `${f} ${pct(share)}`).join(', ') || '—'}`);
  lines.push(`not mapped: ${r.unmappedFields.join(', ') || '—'}`);
  return lines.join('\n');
}

/** Runs one `partner …` command; returns the exit code. */
export async function partnerCommand(args: string[], onboarding: PartnerOnboarding, out: Out): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { note: { type: 'string' }, json: { type: 'boolean' } } });
  const [sub, ...rest] = positionals;
  const actor = cliActor();
  try {
    if (sub === 'draft' && rest.length === 1 && values.note) {
      const { code, body } = readDraftFolder(rest[0]!, values.note);
      const v = await onboarding.draft(code, body, actor, values.note);
      out(values.json ? JSON.stringify(v, null, 2) : `${v.code} version ${v.version}: ${v.state} (sha256 ${v.contentSha256}) by ${v.createdBy}`);
      return 0;
    }
    if (sub === 'dry-run' && (rest.length === 3 || rest.length === 4)) {
      const [code, n, list, sig] = rest as [string, string, string, string | undefined];
      const message = { body: readFileSync(list), signature: sig === undefined ? null : readFileSync(sig) };
      const report = await onboarding.dryRun(code.toUpperCase(), Number(n), message, actor, values.note ?? null);
      out(values.json ? JSON.stringify(report, null, 2) : renderReport(code.toUpperCase(), report));
      return report.outcome === 'WOULD_REJECT' ? 1 : 0;
    }
    if (sub === 'activate' && rest.length === 2 && values.note) {
      const [code, n] = rest as [string, string];
      const a = await onboarding.activate(code.toUpperCase(), Number(n), values.note, actor);
      if (values.json) out(JSON.stringify(a, null, 2));
      else {
        out(`${a.code} version ${a.version} is ACTIVE${a.previousVersion === null ? '' : ` (was version ${a.previousVersion}${a.rollback ? '; rollback' : ''})`}`);
        if (a.exchange) out(`  last applied list read again: ${a.exchange.outcome}${a.exchange.reason ? ` (${a.exchange.reason})` : ''}, exchange ${a.exchange.id}`);
      }
      return 0;
    }
  } catch (err) {
    const problems = isAppError(err) ? (err.details as { problems?: { path: string; message: string }[] } | undefined)?.problems : undefined;
    if (!isAppError(err) || err.code !== 'BUNDLE_INVALID' || !problems) throw err;
    out(`${err.code}: ${err.message}`);
    for (const p of problems) out(`  ${p.path || '/'}: ${p.message}`);
    return 1;
  }
  out(PARTNER_USAGE);
  return 2;
}
