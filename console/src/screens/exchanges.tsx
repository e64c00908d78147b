// Exchanges: filters kept in the URL (bookmarkable), keyset paging through the API's cursor.
import { useState } from 'preact/hooks';
import { Show, useLoad } from '../components/async';
import { RunsTable } from '../components/runs-table';
import { useSession } from '../context';
import { navigate } from '../router';
import { instantToWall, wallTimeToInstant } from '../time';
import type { Run } from '../types';
import { apiQuery, readFilters, writeFilters, type Filters } from '../url-state';

export const EXCHANGE_FILTERS = ['partner', 'direction', 'outcome', 'reason', 'trigger', 'from', 'to'] as const;
const OUTCOMES = ['APPLIED', 'NO_CHANGE', 'QUARANTINED', 'REJECTED', 'FAILED'];
const TRIGGERS = ['schedule', 'manual', 'push', 'startup', 'import', 'activation'];

export function ExchangesScreen({ search }: { search: string }) {
  const { api, zone } = useSession();
  const filters = readFilters(search, EXCHANGE_FILTERS);
  const cursor = new URLSearchParams(search).get('cursor') ?? undefined;
  const query = apiQuery(filters, EXCHANGE_FILTERS, cursor ? { cursor, limit: '50' } : { limit: '50' });
  const state = useLoad(() => api.get<{ exchanges: Run[]; nextCursor?: string | null }>(`/v1/exchanges${query}`), query);
  const apply = (f: Filters): void => navigate(`/exchanges${writeFilters(f, EXCHANGE_FILTERS)}`);
  return (
    <section>
      <div class="title-row">
        <h1>Exchanges</h1>
        <button type="button" onClick={state.reload} disabled={state.loading}>
          Refresh
        </button>
      </div>
      <FilterForm filters={filters} zone={zone} onApply={apply} />
      <Show state={state} what="the exchange runs">
        {(d) => (
          <>
            <RunsTable runs={d.exchanges} caption={d.exchanges.length === 0 ? 'No run matches these filters.' : 'Runs, newest first'} />
            <div class="pager">
              {cursor && (
                <button type="button" onClick={() => apply(filters)}>
                  First page
                </button>
              )}
              {d.nextCursor && (
                <button type="button" onClick={() => navigate(`/exchanges${apiQuery(filters, EXCHANGE_FILTERS, { cursor: d.nextCursor! })}`)}>
                  Older runs
                </button>
              )}
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

function FilterForm({ filters, zone, onApply }: { filters: Filters; zone: string; onApply: (f: Filters) => void }) {
  const [draft, setDraft] = useState<Filters>(filters);
  const set = (k: string, v: string): void => setDraft({ ...draft, [k]: v });
  const select = (k: string, label: string, options: string[]) => (
    <label>
      {label}
      <select value={draft[k] ?? ''} onChange={(e) => set(k, e.currentTarget.value)}>
        <option value="">any</option>
        {options.map((o) => (
          <option value={o} key={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  const time = (k: 'from' | 'to', label: string) => (
    <label>
      {label} ({zone})
      <input
        type="datetime-local"
        value={draft[k] ? instantToWall(draft[k], zone) : ''}
        onChange={(e) => set(k, wallTimeToInstant(e.currentTarget.value, zone) ?? '')}
      />
    </label>
  );
  return (
    <form
      class="filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      <label>
        Partner
        <input value={draft.partner ?? ''} size={4} maxLength={2} onInput={(e) => set('partner', e.currentTarget.value.toUpperCase())} />
      </label>
      {select('direction', 'Direction', ['inbound', 'outbound'])}
      {select('outcome', 'Outcome', OUTCOMES)}
      <label>
        Reason
        <input value={draft.reason ?? ''} size={18} onInput={(e) => set('reason', e.currentTarget.value.toUpperCase())} />
      </label>
      {select('trigger', 'Trigger', TRIGGERS)}
      {time('from', 'From')}
      {time('to', 'To')}
      <button type="submit">Apply filters</button>
      <button
        type="button"
        onClick={() => {
          setDraft({});
          onApply({});
        }}
      >
        Clear
      </button>
    </form>
  );
}

