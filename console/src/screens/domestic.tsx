// The domestic register: China's enterprises, their credit grade and status, and an enterprise's history.
import { useState } from 'preact/hooks';
import { Show, useLoad } from '../components/async';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useSession } from '../context';
import { navigate } from '../router';
import { formatDate, formatInstant } from '../time';
import { apiQuery, readFilters, writeFilters, type Filters } from '../url-state';

interface Enterprise {
  aeoCode: string;
  customsCode: string;
  nameZh: string;
  nameEn: string | null;
  level: string;
  status: string;
  statusSince: string;
  rectificationUntil?: string | null;
}

const KEYS = ['level', 'status', 'q'] as const;
const LEVELS = ['ADVANCED_CERTIFIED', 'CERTIFIED', 'REGULAR', 'DISHONEST', 'SERIOUSLY_DISHONEST'];
const STATUSES = ['VALID', 'RECTIFICATION', 'SUSPENDED', 'REVOKED'];

export function DomesticScreen({ search }: { search: string }) {
  const { api } = useSession();
  const filters = readFilters(search, KEYS);
  const cursor = new URLSearchParams(search).get('cursor') ?? undefined;
  const query = apiQuery(filters, KEYS, cursor ? { cursor, limit: '100' } : { limit: '100' });
  const state = useLoad(() => api.get<{ enterprises: Enterprise[]; total: number; nextCursor: string | null }>(`/admin/domestic/enterprises${query}`), query);
  const [draft, setDraft] = useState<Filters>(filters);
  const select = (k: string, label: string, options: string[]) => (
    <label>
      {label}
      <select value={draft[k] ?? ''} onChange={(e) => setDraft({ ...draft, [k]: e.currentTarget.value })}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section>
      <h1>Domestic register</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/domestic${writeFilters(draft, KEYS)}`);
        }}
      >
        {select('level', 'Grade', LEVELS)}
        {select('status', 'Status', STATUSES)}
        <label>
          Search (code or name)
          <input value={draft.q ?? ''} onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })} />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      <Show state={state} what="the register">
        {(d) => (
          <>
            <table>
              <caption>{d.total.toLocaleString('en')} enterprises match</caption>
              <thead>
                <tr>
                  <th scope="col">AEO code</th>
                  <th scope="col">Name</th>
                  <th scope="col">English name</th>
                  <th scope="col">Grade</th>
                  <th scope="col">Status</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {d.enterprises.map((e) => (
                  <tr key={e.aeoCode}>
                    <td>
                      <Link to={`/domestic/${e.aeoCode}`}>{e.aeoCode}</Link>
                    </td>
                    <td>{e.nameZh}</td>
                    <td>{e.nameEn || <span class="muted">none</span>}</td>
                    <td>{e.level}</td>
                    <td>
                      <Status word={e.status} />
                    </td>
                    <td>{formatDate(e.statusSince)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {d.nextCursor && (
              <button type="button" onClick={() => navigate(`/domestic${apiQuery(filters, KEYS, { cursor: d.nextCursor! })}`)}>
                Next page
              </button>
            )}
          </>
        )}
      </Show>
    </section>
  );
}

interface HistoryRow extends Partial<Enterprise> {
  recordedAt?: string;
  removed?: boolean;
}

export function EnterpriseScreen({ code }: { code: string }) {
  const { api, zone } = useSession();
  const state = useLoad(() => api.get<Enterprise & { inRegister: boolean; history: HistoryRow[] }>(`/admin/domestic/enterprises/${encodeURIComponent(code)}`), code);
  return (
    <section>
      <p>
        <Link to="/domestic">← Domestic register</Link>
      </p>
      <Show state={state} what="the enterprise">
        {(e) => (
          <>
            <div class="title-row">
              <h1>
                {e.aeoCode} — {e.nameZh}
              </h1>
              <Status word={e.status} />
            </div>
            <dl class="facts">
              <dt>English name</dt>
              <dd>{e.nameEn || '—'}</dd>
              <dt>Grade</dt>
              <dd>{e.level}</dd>
              <dt>Customs code</dt>
              <dd>{e.customsCode}</dd>
              {e.rectificationUntil && (
                <>
                  <dt>Rectification until</dt>
                  <dd>{formatDate(e.rectificationUntil)}</dd>
                </>
              )}
              <dt>In the register</dt>
              <dd>{e.inRegister ? 'yes' : 'no (removed)'}</dd>
            </dl>
            <table>
              <caption>History, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Recorded</th>
                  <th scope="col">Grade</th>
                  <th scope="col">Status</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {e.history.map((h, i) => (
                  <tr key={i}>
                    <td>{formatInstant(h.recordedAt ?? null, zone)}</td>
                    <td>{h.level ?? '—'}</td>
                    <td>{h.removed ? <Status word="REVOKED" /> : <Status word={h.status ?? null} />}</td>
                    <td>{formatDate(h.statusSince ?? null)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Show>
    </section>
  );
}
