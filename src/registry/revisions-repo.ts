// SQL for agreement revisions (admin additions and corrections, never overwritten).
import type { Agreement } from '../domain/types.js';
import type { Db, Queryable } from '../store/db.js';

export async function latestAgreementRevisions(db: Db): Promise<Agreement[]> {
  const rows = await db.query<{ body: Agreement }>(
    `SELECT DISTINCT ON (agreement_id) body FROM agreement_revisions ORDER BY agreement_id, revision DESC`,
  );
  return rows.map((r) => r.body);
}

export async function insertAgreementRevision(db: Queryable, body: Agreement, actor: string): Promise<void> {
  await db.query('INSERT INTO agreement_revisions (agreement_id, body, recorded_by) VALUES ($1, $2, $3)', [
    body.id,
    JSON.stringify(body),
    actor,
  ]);
}

export async function listAgreementRevisions(
  db: Db,
  id: string,
): Promise<{ revision: number; recordedAt: string; recordedBy: string; body: Agreement }[]> {
  const rows = await db.query<{ revision: number; recorded_at: string; recorded_by: string; body: Agreement }>(
    `SELECT revision::float8 AS revision, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at,
            recorded_by, body
       FROM agreement_revisions WHERE agreement_id = $1 ORDER BY revision`,
    [id],
  );
  return rows.map((r) => ({ revision: r.revision, recordedAt: r.recorded_at, recordedBy: r.recorded_by, body: r.body }));
}
