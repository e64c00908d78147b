// Outbound: China's list to each partner — batches with their state, counts, attempts, receipt and
// downloads; Run now (admin), approve/reject a held batch and resend a failed one (operator).
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Show, useLoad } from '../components/async';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useSession } from '../context';
import { navigate } from '../router';
import { can } from '../scopes';
import { formatInstant } from '../time';
import { apiQuery, readFilters, writeFilters, type Filters } from '../url-state';

interface Batch {
  id: string;
  partner: string;
  sequence: number | null;
  kind: string;
  state: string;
  trigger: string;
  builtAt: string;
  counts: Record<string, number>;
  contentSha256: string | null;
  problems?: { record?: number | null; path?: string; message: string; aeoCode?: string }[];
  attempts?: { at: string; httpStatus: number | null; error: string | null; durationMs: number | null }[];
  downloads?: { at: string; actor: string; sequence: number; bytes: number }[];
  transitions?: { state: string; at: string; note?: string | null }[];
  receipts?: { receivedAt?: string; outcome?: string; verified?: boolean; problem?: string | null }[];
}

const KEYS = ['partner', 'state'] as const;
const STATES = [
  'BUILT', 'PENDING_APPROVAL', 'SENDING', 'RETRY_WAIT', 'DELIVERED', 'ACKNOWLEDGED', 'REJECTED_BY_PARTNER', 'RECEIPT_MISMATCH',
  'RECEIPT_OVERDUE', 'DEAD_LETTER', 'FAILED', 'SUPERSEDED', 'NO_CHANGE', 'REJECTED',
];

export function OutboundScreen({ search }: { search: string }) {
  const { api, zone, who } = useSession();
  const filters = readFilters(search, KEYS);
  const cursor = new URLSearchParams(search).get('cursor') ?? undefined;
  const query = apiQuery(filters, KEYS, cursor ? { cursor } : {});
  const state = useLoad(() => api.get<{ batches: Batch[]; nextCursor: string | null }>(`/v1/outbound${query}`), query);
  const [draft, setDraft] = useState<Filters>(filters);
  const [runMessage, setRunMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const runNow = async (partner: string): Promise<void> => {
    setRunMessage(null);
    try {
      const b = await api.post<Batch>(`/admin/outbound/${partner}/run`);
      setRunMessage({ ok: true, text: `${partner}: ${b.state}${b.sequence !== null ? `, sequence ${b.sequence}` : ''}.` });
      state.reload();
    } catch (e) {
      setRunMessage({ ok: false, text: e instanceof ApiError ? `${e.message} (${e.code})` : String(e) });
    }
  };
  return (
    <section>
      <h1>Outbound</h1>
      <p class="muted">China's AEO list as sent to each partner: only what each agreement allows, signed, pushed or pulled, with receipts as evidence.</p>
      {can(who.scopes, 'admin') && (
        <div class="buttons">
          {['EU', 'HK', 'MO'].map((p) => (
            <button type="button" key={p} onClick={() => void runNow(p)}>
              Run {p} now
            </button>
          ))}
        </div>
      )}
      {runMessage && (
        <p class={runMessage.ok ? 'ok' : 'error'} role={runMessage.ok ? 'status' : 'alert'}>
          {runMessage.text}
        </p>
      )}
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/outbound${writeFilters(draft, KEYS)}`);
        }}
      >
        <label>
          Partner
          <input value={draft.partner ?? ''} size={4} maxLength={2} onInput={(e) => setDraft({ ...draft, partner: e.currentTarget.value.toUpperCase() })} />
        </label>
        <label>
          State
          <select value={draft.state ?? ''} onChange={(e) => setDraft({ ...draft, state: e.currentTarget.value })}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply filters</button>
      </form>
      <Show state={state} what="the outbound batches">
        {(d) => (
          <>
            <table>
              <caption>{d.batches.length === 0 ? 'No batch matches.' : 'Batches, newest first'}</caption>
              <thead>
                <tr>
                  <th scope="col">Built</th>
                  <th scope="col">Partner</th>
                  <th scope="col" class="num">
                    Sequence
                  </th>
                  <th scope="col">Kind</th>
                  <th scope="col">State</th>
                  <th scope="col" class="num">
                    Enterprises
                  </th>
                  <th scope="col" class="num">
                    Held back
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.batches.map((b) => (
                  <tr key={b.id}>
                    <td>
                      <Link to={`/outbound/${b.id}`}>{formatInstant(b.builtAt, zone)}</Link>
                    </td>
                    <td>{b.partner}</td>
                    <td class="num">{b.sequence ?? '—'}</td>
                    <td>{b.kind}</td>
                    <td>
                      <Status word={b.state} />
                    </td>
                    <td class="num">{b.counts.enterprises ?? ''}</td>
                    <td class="num">{b.counts.heldBack ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {d.nextCursor && (
              <button type="button" onClick={() => navigate(`/outbound${apiQuery(filters, KEYS, { cursor: d.nextCursor! })}`)}>
                Older batches
              </button>
            )}
          </>
        )}
      </Show>
    </section>
  );
}

export function OutboundBatchScreen({ id }: { id: string }) {
  const { api, zone, who } = useSession();
  const state = useLoad(() => api.get<Batch>(`/v1/outbound/${encodeURIComponent(id)}`), id);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const act = async (action: 'approve' | 'reject' | 'resend'): Promise<void> => {
    setMessage(null);
    try {
      await api.post(`/admin/outbound/${id}/${action}`, {});
      setMessage({ ok: true, text: `Done: ${action}.` });
      state.reload();
    } catch (e) {
      setMessage({ ok: false, text: e instanceof ApiError ? `${e.message} (${e.code})` : String(e) });
    }
  };
  return (
    <section>
      <p>
        <Link to="/outbound">← Outbound</Link>
      </p>
      <Show state={state} what="the batch">
        {(b) => (
          <>
            <div class="title-row">
              <h1>
                {b.partner} {b.kind} {b.sequence !== null ? `· sequence ${b.sequence}` : ''}
              </h1>
              <Status word={b.state} />
              {can(who.scopes, 'operate') && b.state === 'PENDING_APPROVAL' && (
                <>
                  <button type="button" onClick={() => void act('approve')}>
                    Approve
                  </button>
                  <button type="button" onClick={() => void act('reject')}>
                    Reject
                  </button>
                </>
              )}
              {can(who.scopes, 'operate') && (b.state === 'DEAD_LETTER' || b.state === 'FAILED') && (
                <button type="button" onClick={() => void act('resend')}>
                  Resend (same bytes)
                </button>
              )}
            </div>
            {message && (
              <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
                {message.text}
              </p>
            )}
            <dl class="facts">
              <dt>Built</dt>
              <dd>
                {formatInstant(b.builtAt, zone)} ({b.trigger})
              </dd>
              <dt>Content SHA-256</dt>
              <dd>
                <code>{b.contentSha256 ?? '—'}</code>
              </dd>
              <dt>Counts</dt>
              <dd>
                {Object.entries(b.counts)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(' · ')}
              </dd>
            </dl>
            <Rows title="States" rows={b.transitions ?? []} cols={[['state', 'State'], ['at', 'At'], ['note', 'Note']]} zone={zone} />
            <Rows title="Delivery attempts" rows={b.attempts ?? []} cols={[['at', 'At'], ['httpStatus', 'HTTP'], ['error', 'Error'], ['durationMs', 'ms']]} zone={zone} />
            <Rows title="Receipts" rows={b.receipts ?? []} cols={[['receivedAt', 'Received'], ['outcome', 'Outcome'], ['verified', 'Verified'], ['problem', 'Problem']]} zone={zone} />
            <Rows title="Downloads" rows={b.downloads ?? []} cols={[['at', 'At'], ['actor', 'By'], ['sequence', 'Sequence'], ['bytes', 'Bytes']]} zone={zone} />
            <Rows title="Held back" rows={b.problems ?? []} cols={[['aeoCode', 'Enterprise'], ['path', 'Field'], ['message', 'Why']]} zone={zone} />
          </>
        )}
      </Show>
    </section>
  );
}

/** A small evidence table; instants (fields named `at` or ending in `At`) shown in the zone. */
function Rows({ title, rows, cols, zone }: { title: string; rows: object[]; cols: [string, string][]; zone: string }) {
  if (rows.length === 0) return null;
  const cell = (k: string, v: unknown): string => {
    if (v === null || v === undefined) return '—';
    if ((k === 'at' || k.endsWith('At')) && typeof v === 'string') return formatInstant(v, zone);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return JSON.stringify(v);
  };

  return (
    <table>
      <caption>{title}</caption>
      <thead>
        <tr>
          {cols.map(([, label]) => (
            <th scope="col" key={label}>
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {cols.map(([k]) => (
              <td key={k}>{cell(k, (r as Record<string, unknown>)[k])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
