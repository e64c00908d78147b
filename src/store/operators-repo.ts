// SQL for operator history: append-only events, read back in recording order. Lists hold up to
// 100 000s of operators, so events move in bulk (insertMany/selectMany), every column as text.
import type { OperatorEvent, OperatorRecord, OperatorStatus } from '../domain/types.js';
import type { Column, Queryable } from './db.js';

export interface StoredEvent extends OperatorEvent {
  id: number;
}

const EVENT_COLUMNS: readonly Column[] = [
  { name: 'partner', type: 'text' },
  { name: 'partner_id', type: 'text' },
  { name: 'declared_code', type: 'text' },
  { name: 'aliases', type: 'text[]' },
  { name: 'name', type: 'text' },
  { name: 'tier', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'partner_status', type: 'text' },
  { name: 'status_since', type: 'date' },
  { name: 'valid_until', type: 'date' },
  { name: 'exchange_id', type: 'uuid' },
  { name: 'recorded_at', type: 'timestamptz' },
  { name: 'valid_from', type: 'date' },
];

// Codes never contain spaces (normalised), so a space-joined text carries the alias list.
const SELECT_EVENTS = `SELECT id::text, partner, partner_id, declared_code, array_to_string(aliases, ' '), name, tier, status,
  partner_status, status_since::text, valid_until::text, exchange_id::text, (extract(epoch FROM recorded_at) * 1000)::text,
  valid_from::text FROM operator_events`;

function toEvent(r: (string | null)[]): StoredEvent {
  const aliases = r[4] ?? '';
  return {
    id: Number(r[0]),
    partner: r[1]!,
    partnerId: r[2]!,
    declaredCode: r[3]!,
    aliases: aliases === '' ? [] : aliases.split(' '),
    name: r[5]!,
    tier: r[6]!,
    status: r[7] as OperatorStatus,
    partnerStatus: r[8]!,
    statusSince: r[9]!,
    validFrom: r[13] ?? null,
    validUntil: r[10] ?? null,
    exchangeId: r[11]!,
    recordedAt: Number(r[12]),
  };
}

/** Where each column sits in a row of SELECT_EVENTS (the lookup index reads rows as they come). */
export const EVENT_ROW = {
  id: 0, partner: 1, partnerId: 2, declaredCode: 3, aliases: 4, name: 5, tier: 6, status: 7,
  partnerStatus: 8, statusSince: 9, validUntil: 10, exchangeId: 11, recordedAt: 12, validFrom: 13,
} as const;

/** Rows per page: one page of a million-operator partner is held at a time, not the whole history. */
export const EVENT_PAGE_ROWS = 20_000;

/**
 * Event rows (SELECT_EVENTS columns, aliases space-joined) of one partner with id > afterId, in id
 * order (per partner, id order is commit order), a page at a time: keyset pages, so a caller in
 * one REPEATABLE READ transaction sees one snapshot and never holds more than a page of rows.
 */
export async function* eventRowPagesAfter(q: Queryable, partner: string, afterId: number, pageRows = EVENT_PAGE_ROWS): AsyncGenerator<(string | null)[][]> {
  let after = afterId;
  for (;;) {
    // Qualified: the output column `id` is text, and would sort as text.
    const rows = await q.selectMany(
      `${SELECT_EVENTS} WHERE partner = $1 AND id > $2 ORDER BY operator_events.id LIMIT ${Math.max(1, Math.floor(pageRows))}`,
      [partner, after],
    );
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageRows) return;
    after = Number(rows[rows.length - 1]![EVENT_ROW.id]);
  }
}

/** The newest statement about each of the partner's operators: the current list, as the diff needs it. */
export async function currentOperators(q: Queryable, partner: string): Promise<StoredEvent[]> {
  const rows = await q.selectMany(`${SELECT_EVENTS} WHERE partner = $1 ORDER BY operator_events.partner_id, operator_events.id`, [partner]);
  // Rows come ordered by operator then id: the last row of each operator is its newest statement.
  const latest: StoredEvent[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (i + 1 === rows.length || rows[i + 1]![2] !== rows[i]![2]) latest.push(toEvent(rows[i]!)); // [2] = partner_id
  }
  return latest;
}

/** The highest event id of a partner (0 when none). */
export async function lastEventId(q: Queryable, partner: string): Promise<number> {
  const rows = await q.query<{ id: number }>('SELECT coalesce(max(id), 0)::float8 AS id FROM operator_events WHERE partner = $1', [partner]);
  return rows[0]?.id ?? 0;
}

/** Rows converted and written per bulk call: the rows of a 100 000-event list never exist at once. */
const INSERT_CHUNK = 5_000;

const aliasArray = (aliases: readonly string[]): string => `{${aliases.map((a) => `"${a.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * Appends one list's statements as events of `about.partner` from run `about.exchangeId`, recorded
 * at `recordedAt`: a chunk at a time with a turn of the event loop between chunks, so the rows of a
 * 100 000-operator list never exist at once.
 */
export async function insertEvents(
  tx: Queryable,
  about: Pick<OperatorEvent, 'partner' | 'exchangeId'>,
  records: readonly OperatorRecord[],
  recordedAt: Date,
): Promise<void> {
  const at = recordedAt.toISOString();
  for (let start = 0; start < records.length; start += INSERT_CHUNK) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const rows = records.slice(start, start + INSERT_CHUNK).map((e) => [
      about.partner,
      e.partnerId,
      e.declaredCode,
      aliasArray(e.aliases),
      e.name,
      e.tier,
      e.status,
      e.partnerStatus,
      e.statusSince,
      e.validUntil,
      about.exchangeId,
      at,
      e.validFrom,
    ]);
    await tx.insertMany('operator_events', EVENT_COLUMNS, rows);
  }
}
