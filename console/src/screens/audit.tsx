// Audit log: who did what, newest first, filters in the URL, keyset paging.
import { useState } from 'preact/hooks';
import { Show, useLoad } from '../components/async';
import { Status } from '../components/status';
import { useSession } from '../context';
import { navigate } from '../router';
import { formatInstant } from '../time';
import { apiQuery, readFilters, writeFilters, type Filters } from '../url-state';

interface Entry {
  id: number | string;
  at: string;
  actor: string;
  scopes: string[];
  action: string;
  target: string | null;
  outcome: string;
  note: string | null;
  requestId: string | null;
}

const KEYS = ['actor', 'action', 'outcome', 'from', 'to'] as const;
const ACTIONS = [
  'registry.edit', 'exchange.sync', 'exchange.approve', 'exchange.reject', 'partner.draft', 'partner.dryRun', 'partner.activate',
  'domestic.import', 'outbound.run', 'outbound.approve', 'outbound.reject', 'outbound.resend',
];

export function AuditScreen({ search }: { search: string }) {
  const { api, zone } = useSession();
  const filters = readFilters(search, KEYS);
  const cursor = new URLSearchParams(search).get('cursor') ?? undefined;
  const query = apiQuery(filters, KEYS, cursor ? { cursor } : {});
  const state = useLoad(() => api.get<{ entries: Entry[]; nextCursor: string | null }>(`/admin/audit${query}`), query);
  const [draft, setDraft] = useState<Filters>(filters);
  const apply = (f: Filters): void => navigate(`/audit${writeFilters(f, KEYS)}`);
  return (
    <section>
      <h1>Audit log</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label>
          Actor
          <input value={draft.actor ?? ''} onInput={(e) => setDraft({ ...draft, actor: e.currentTarget.value })} />
        </label>
        <label>
          Action
          <select value={draft.action ?? ''} onChange={(e) => setDraft({ ...draft, action: e.currentTarget.value })}>
            <option value="">any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select value={draft.outcome ?? ''} onChange={(e) => setDraft({ ...draft, outcome: e.currentTarget.value })}>
            <option value="">any</option>
            {['DONE', 'REFUSED', 'FAILED'].map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply filters</button>
      </form>
      <Show state={state} what="the audit log">
        {(d) => (
          <>
            <table>
              <caption>{d.entries.length === 0 ? 'No entry matches.' : 'Entries, newest first'}</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Note</th>
                  <th scope="col">Request</th>
                </tr>
              </thead>
              <tbody>
                {d.entries.map((e) => (
                  <tr key={e.id}>
                    <td>{formatInstant(e.at, zone)}</td>
                    <td>{e.actor}</td>
                    <td>{e.action}</td>
                    <td>{e.target ?? ''}</td>
                    <td>
                      <Status word={e.outcome} />
                    </td>
                    <td>{e.note ?? ''}</td>
                    <td>
                      <code class="muted">{e.requestId ?? ''}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="pager">
              {cursor && (
                <button type="button" onClick={() => apply(filters)}>
                  Newest
                </button>
              )}
              {d.nextCursor && (
                <button type="button" onClick={() => navigate(`/audit${apiQuery(filters, KEYS, { cursor: d.nextCursor! })}`)}>
                  Older entries
                </button>
              )}
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
