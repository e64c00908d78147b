// SQL for partner versions, their dry runs and activations (migrations/009_partner_versions.sql).
import type { Queryable } from '../store/db.js';
import type { PartnerBundle } from './bundle.js';

const ISO = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface VersionRow {
  partner: string;
  version: number;
  contentSha256: string;
  note: string;
  createdBy: string;
  createdAt: string;
}

export interface StoredVersion extends VersionRow {
  bundle: PartnerBundle;
}

export interface ActivationRow {
  id: number;
  partner: string;
  version: number;
  note: string;
  activatedBy: string;
  activatedAt: string;
  exchangeId: string | null;
}

export type DryRunOutcome = 'WOULD_APPLY' | 'WOULD_QUARANTINE' | 'WOULD_REJECT';

export interface DryRunRow {
  id: number;
  version: number;
  outcome: DryRunOutcome;
  payloadSha256: string;
  createdBy: string;
  createdAt: string;
  report: unknown;
}

const VERSION_COLUMNS = `partner, version, content_sha256, note, created_by, ${ISO('created_at')} AS created_at`;

interface VersionDbRow {
  partner: string;
  version: number;
  content_sha256: string;
  note: string;
  created_by: string;
  created_at: string;
  bundle?: PartnerBundle;
  [key: string]: unknown;
}

const toVersion = (r: VersionDbRow): VersionRow => ({
  partner: r.partner,
  version: r.version,
  contentSha256: r.content_sha256,
  note: r.note,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/** Adds a version with the next number of its partner; the caller holds the partner's catalog lock. */
export async function insertVersion(
  q: Queryable,
  v: { partner: string; contentSha256: string; bundle: PartnerBundle; note: string; createdBy: string },
): Promise<VersionRow> {
  const rows = await q.query<VersionDbRow>(
    `INSERT INTO partner_versions (partner, version, content_sha256, bundle, note, created_by)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5 FROM partner_versions WHERE partner = $1
     RETURNING ${VERSION_COLUMNS}`,
    [v.partner, v.contentSha256, JSON.stringify(v.bundle), v.note, v.createdBy],
  );
  return toVersion(rows[0]!);
}

export async function listVersions(q: Queryable, partner: string): Promise<VersionRow[]> {
  return (await q.query<VersionDbRow>(`SELECT ${VERSION_COLUMNS} FROM partner_versions WHERE partner = $1 ORDER BY version`, [partner])).map(toVersion);
}

export async function getVersion(q: Queryable, partner: string, version: number): Promise<StoredVersion | null> {
  const rows = await q.query<VersionDbRow>(`SELECT ${VERSION_COLUMNS}, bundle FROM partner_versions WHERE partner = $1 AND version = $2`, [partner, version]);
  const row = rows[0];
  return row ? { ...toVersion(row), bundle: row.bundle! } : null;
}

/** Each partner's active version (its newest activation), with the bundle. */
export async function activeVersions(q: Queryable): Promise<StoredVersion[]> {
  const rows = await q.query<VersionDbRow>(
    `SELECT v.partner, v.version, v.content_sha256, v.note, v.created_by, ${ISO('v.created_at')} AS created_at, v.bundle
       FROM (SELECT DISTINCT ON (partner) partner, version FROM partner_activations ORDER BY partner, id DESC) a
       JOIN partner_versions v ON v.partner = a.partner AND v.version = a.version
      ORDER BY v.partner`,
  );
  return rows.map((r) => ({ ...toVersion(r), bundle: r.bundle! }));
}

/** The newest activation id of all partners: what the periodic check compares. */
export async function lastActivationId(q: Queryable): Promise<number> {
  const rows = await q.query<{ id: number }>('SELECT coalesce(max(id), 0)::float8 AS id FROM partner_activations');
  return rows[0]?.id ?? 0;
}

export async function hasVersions(q: Queryable, partner: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM partner_versions WHERE partner = $1 LIMIT 1', [partner])).length > 0;
}

export async function hasVersionWithContent(q: Queryable, partner: string, contentSha256: string): Promise<boolean> {
  return (await q.query('SELECT 1 FROM partner_versions WHERE partner = $1 AND content_sha256 = $2 LIMIT 1', [partner, contentSha256])).length > 0;
}

interface ActivationDbRow {
  id: number;
  partner: string;
  version: number;
  note: string;
  activated_by: string;
  activated_at: string;
  exchange_id: string | null;
  [key: string]: unknown;
}

export async function insertActivation(
  q: Queryable,
  a: { partner: string; version: number; note: string; activatedBy: string; exchangeId: string | null },
): Promise<void> {
  await q.query('INSERT INTO partner_activations (partner, version, note, activated_by, exchange_id) VALUES ($1, $2, $3, $4, $5)', [
    a.partner,
    a.version,
    a.note,
    a.activatedBy,
    a.exchangeId,
  ]);
}

export async function listActivations(q: Queryable, partner: string): Promise<ActivationRow[]> {
  const rows = await q.query<ActivationDbRow>(
    `SELECT id::float8 AS id, partner, version, note, activated_by, ${ISO('activated_at')} AS activated_at, exchange_id::text AS exchange_id
       FROM partner_activations WHERE partner = $1 ORDER BY id`,
    [partner],
  );
  return rows.map((r) => ({
    id: r.id,
    partner: r.partner,
    version: r.version,
    note: r.note,
    activatedBy: r.activated_by,
    activatedAt: r.activated_at,
    exchangeId: r.exchange_id,
  }));
}

export async function insertDryRun(
  q: Queryable,
  d: { partner: string; version: number; outcome: DryRunOutcome; payloadSha256: string; report: unknown; createdBy: string },
): Promise<void> {
  await q.query('INSERT INTO partner_dry_runs (partner, version, outcome, payload_sha256, report, created_by) VALUES ($1, $2, $3, $4, $5, $6)', [
    d.partner,
    d.version,
    d.outcome,
    d.payloadSha256,
    JSON.stringify(d.report),
    d.createdBy,
  ]);
}

export async function listDryRuns(q: Queryable, partner: string, version: number): Promise<DryRunRow[]> {
  const rows = await q.query<{ id: number; version: number; outcome: DryRunOutcome; payload_sha256: string; created_by: string; created_at: string; report: unknown }>(
    `SELECT id::float8 AS id, version, outcome, payload_sha256, created_by, ${ISO('created_at')} AS created_at, report
       FROM partner_dry_runs WHERE partner = $1 AND version = $2 ORDER BY id`,
    [partner, version],
  );
  return rows.map((r) => ({ id: r.id, version: r.version, outcome: r.outcome, payloadSha256: r.payload_sha256, createdBy: r.created_by, createdAt: r.created_at, report: r.report }));
}

export async function hasPassingDryRun(q: Queryable, partner: string, version: number): Promise<boolean> {
  const rows = await q.query("SELECT 1 FROM partner_dry_runs WHERE partner = $1 AND version = $2 AND outcome <> 'WOULD_REJECT' LIMIT 1", [partner, version]);
  return rows.length > 0;
}
