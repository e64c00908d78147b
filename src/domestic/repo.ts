// SQL for the domestic register: append-only events (read back in recording order) and import runs.
import type { Column, Queryable } from '../store/db.js';
import type { RegisterCounts } from './diff.js';
import { aeoCodeOf, type Enterprise, type ImportKind, type RecordProblem } from './types.js';

export interface DomesticEvent extends Enterprise {
  id: number;
  removed: boolean;
  importId: string;
  recordedAt: string;
}

const COLUMNS: readonly Column[] = [
  { name: 'customs_code', type: 'text' },
  { name: 'uscc', type: 'text' },
  { name: 'name_zh', type: 'text' },
  { name: 'name_en', type: 'text' },
  { name: 'address_zh', type: 'text' },
  { name: 'address_en', type: 'text' },
  { name: 'level', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'status_since', type: 'date' },
  { name: 'level_since', type: 'date' },
  { name: 'rectification_until', type: 'date' },
  { name: 'registering_customs', type: 'text' },
  { name: 'removed', type: 'boolean' },
  { name: 'import_id', type: 'uuid' },
  { name: 'recorded_at', type: 'timestamptz' },
];

const SELECT = `SELECT id::text, customs_code, uscc, name_zh, name_en, address_zh, address_en, level, status, status_since::text,
  level_since::text, rectification_until::text, registering_customs, removed::text, import_id::text,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM domestic_events`;

function toEvent(r: (string | null)[]): DomesticEvent {
  return {
    id: Number(r[0]),
    customsCode: r[1]!,
    uscc: r[2]!,
    aeoCode: aeoCodeOf(r[1]!),
    nameZh: r[3]!,
    nameEn: r[4]!,
    addressZh: r[5]!,
    addressEn: r[6]!,
    level: r[7] as Enterprise['level'],
    status: r[8] as Enterprise['status'],
    statusSince: r[9]!,
    levelSince: r[10]!,
    rectificationUntil: r[11] ?? null,
    registeringCustoms: r[12] ?? null,
    removed: r[13] === 'true',
    importId: r[14]!,
    recordedAt: r[15]!,
  };
}

/** The enterprise a statement describes, without the bookkeeping. */
export function enterpriseOf(e: DomesticEvent): Enterprise {
  return {
    customsCode: e.customsCode, uscc: e.uscc, aeoCode: e.aeoCode, nameZh: e.nameZh, nameEn: e.nameEn, addressZh: e.addressZh, addressEn: e.addressEn,
    level: e.level, status: e.status, statusSince: e.statusSince, levelSince: e.levelSince, rectificationUntil: e.rectificationUntil, registeringCustoms: e.registeringCustoms,
  };
}

/**
 * The register as it stands — the newest statement of each enterprise still listed, by customs code —
 * with the newest event id it reflects (one statement: one snapshot of the table).
 */
export async function currentRegisterWithId(q: Queryable): Promise<{ register: Map<string, Enterprise>; upTo: number }> {
  const rows = await q.selectMany(`${SELECT} WHERE id IN (SELECT max(id) FROM domestic_events GROUP BY customs_code) ORDER BY customs_code`);
  const register = new Map<string, Enterprise>();
  let upTo = 0;
  for (const r of rows) {
    const event = toEvent(r);
    // The newest event of all is the newest of its enterprise, so it is among these rows.
    if (event.id > upTo) upTo = event.id;
    if (!event.removed) register.set(event.customsCode, enterpriseOf(event));
  }
  return { register, upTo };
}

/** The statements recorded after event `id`, in id (= commit) order. */
export async function eventsAfter(q: Queryable, id: number): Promise<{ id: number; removed: boolean; customsCode: string; enterprise: Enterprise }[]> {
  const rows = await q.selectMany(`${SELECT} WHERE id > $1 ORDER BY domestic_events.id`, [id]);
  return rows.map((r) => {
    const event = toEvent(r);
    return { id: event.id, removed: event.removed, customsCode: event.customsCode, enterprise: enterpriseOf(event) };
  });
}

/** Every statement about one enterprise, oldest recorded first. */
export async function enterpriseHistory(q: Queryable, customsCode: string): Promise<DomesticEvent[]> {
  return (await q.selectMany(`${SELECT} WHERE customs_code = $1 ORDER BY domestic_events.id`, [customsCode])).map(toEvent);
}

export async function appendEvents(tx: Queryable, events: readonly Enterprise[], removed: boolean, importId: string, at: Date): Promise<void> {
  const iso = at.toISOString();
  await tx.insertMany(
    'domestic_events',
    COLUMNS,
    events.map((e) => [
      e.customsCode, e.uscc, e.nameZh, e.nameEn, e.addressZh, e.addressEn, e.level, e.status, e.statusSince, e.levelSince,
      e.rectificationUntil, e.registeringCustoms, String(removed), importId, iso,
    ]),
  );
}

export type ImportOutcome = 'APPLIED' | 'NO_CHANGE' | 'QUARANTINED' | 'REJECTED' | 'FAILED';

export interface ImportRun {
  id: string;
  kind: ImportKind;
  trigger: string;
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: ImportOutcome | null;
  reason: string | null;
  counts: RegisterCounts | null;
  problems: RecordProblem[];
  review: { decision: 'approved' | 'rejected'; by: string; at: string } | null;
}

type ImportRow = {
  id: string;
  kind: ImportKind;
  trigger: string;
  actor: string;
  started_at: string;
  finished_at: string | null;
  outcome: ImportOutcome | null;
  reason: string | null;
  counts: RegisterCounts | null;
  problems: RecordProblem[] | null;
  review: ImportRun['review'];
};

const SELECT_RUN = `SELECT id::text, kind, trigger, actor, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
  to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at, outcome, reason, counts, problems, review FROM domestic_imports`;

const toRun = (r: ImportRow): ImportRun => ({
  id: r.id,
  kind: r.kind,
  trigger: r.trigger,
  actor: r.actor,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  outcome: r.outcome,
  reason: r.reason,
  counts: r.counts,
  problems: r.problems ?? [],
  review: r.review,
});

export async function insertImport(q: Queryable, run: { id: string; kind: ImportKind; trigger: string; actor: string; startedAt: Date }): Promise<void> {
  await q.query('INSERT INTO domestic_imports (id, kind, trigger, actor, started_at) VALUES ($1, $2, $3, $4, $5)', [
    run.id, run.kind, run.trigger, run.actor, run.startedAt.toISOString(),
  ]);
}

export async function finishImport(
  q: Queryable,
  id: string,
  r: { outcome: ImportOutcome; reason: string | null; counts: RegisterCounts | null; problems: readonly RecordProblem[]; pending?: readonly Enterprise[] },
): Promise<void> {
  await q.query(
    `UPDATE domestic_imports SET finished_at = now(), outcome = $2, reason = $3, counts = $4, problems = $5, pending = $6 WHERE id = $1`,
    [id, r.outcome, r.reason, r.counts === null ? null : JSON.stringify(r.counts), JSON.stringify(r.problems), r.pending ? JSON.stringify(r.pending) : null],
  );
}

export async function getImport(q: Queryable, id: string): Promise<ImportRun | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const rows = await q.query<ImportRow>(`${SELECT_RUN} WHERE id = $1`, [id]);
  return rows[0] ? toRun(rows[0]) : null;
}

/** A held import's records, locked for the review (null unless it is QUARANTINED and not reviewed). */
export async function takePending(tx: Queryable, id: string): Promise<{ kind: ImportKind; enterprises: Enterprise[] } | null> {
  const rows = await tx.query<{ kind: ImportKind; pending: Enterprise[] | null }>(
    `SELECT kind, pending FROM domestic_imports WHERE id = $1 AND outcome = 'QUARANTINED' AND review IS NULL FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  return row?.pending ? { kind: row.kind, enterprises: row.pending } : null;
}

export async function reviewImport(
  tx: Queryable,
  id: string,
  review: NonNullable<ImportRun['review']>,
  outcome: ImportOutcome,
  counts: RegisterCounts | null,
): Promise<void> {
  await tx.query(`UPDATE domestic_imports SET review = $2, outcome = $3, counts = coalesce($4, counts), pending = NULL WHERE id = $1`, [
    id, JSON.stringify(review), outcome, counts === null ? null : JSON.stringify(counts),
  ]);
}

/** Imports a dead process left without an outcome end FAILED. */
export async function failInterruptedImports(q: Queryable): Promise<void> {
  await q.query(`UPDATE domestic_imports SET outcome = 'FAILED', reason = 'INTERRUPTED', finished_at = now() WHERE outcome IS NULL`);
}
