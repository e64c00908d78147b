// Lookup: one code with date and as-known-at, a pasted batch, and an operator's history as a
// timeline (valid time and what was known when) — "why was this consignor not recognised that day?".
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useSession } from '../context';
import { BASE } from '../router';
import { can } from '../scopes';
import { formatDate, formatInstant, instantToWall, wallTimeToInstant } from '../time';
import { readFilters, writeFilters } from '../url-state';

interface Answer {
  code: string;
  date: string;
  recognised: boolean;
  decision: string;
  partner: string | null;
  economy: string | null;
  operator: { partnerId: string; declaredCode: string; name: string; tier: string; status: string; statusSince: string; validUntil: string | null } | null;
  provenance: { exchangeId: string; sequence: number; receivedAt: string } | null;
  dataAsOf: string | null;
  stale: boolean;
}

interface HistoryEvent {
  statusSince: string;
  validFrom?: string | null;
  validUntil: string | null;
  status: string;
  partnerStatus: string;
  tier: string;
  name: string;
  recordedAt: string;
  exchangeId: string;
  sequence: number | null;
}

const KEYS = ['code', 'date', 'asKnownAt'] as const;

export function LookupScreen({ search }: { search: string }) {
  const q = readFilters(search, KEYS);
  return (
    <section>
      <h1>Lookup</h1>
      <SingleLookup initial={q} key={q.code ?? ''} />
      <BatchLookup />
    </section>
  );
}

function SingleLookup({ initial }: { initial: Record<string, string> }) {
  const { api, zone, who } = useSession();
  const [code, setCode] = useState(initial.code ?? '');
  const [date, setDate] = useState(initial.date ?? '');
  const [known, setKnown] = useState(initial.asKnownAt ? instantToWall(initial.asKnownAt, zone) : '');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [history, setHistory] = useState<HistoryEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const asKnownAt = known ? wallTimeToInstant(known, zone) : null;

  const run = async (e?: Event): Promise<void> => {
    e?.preventDefault();
    setError(null);
    setAnswer(null);
    setHistory(null);
    const filters = { code: code.trim(), date, asKnownAt: asKnownAt ?? '' };
    // Bookmarkable without re-rendering the screen (a link to another code does re-render it).
    window.history.replaceState(null, '', `${BASE}/lookup${writeFilters(filters, KEYS)}`);
    const params = new URLSearchParams();
    if (date) params.set('date', date);
    if (asKnownAt) params.set('asKnownAt', asKnownAt);
    const qs = params.toString();
    try {
      const a = await api.get<Answer>(`/v1/recognition/${encodeURIComponent(code.trim())}${qs ? `?${qs}` : ''}`);
      setAnswer(a);
      if (a.operator && can(who.scopes, 'read')) {
        const h = await api.get<{ events: HistoryEvent[] }>(`/admin/operators/${encodeURIComponent(code.trim())}/history`);
        setHistory(h.events);
      }
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    }
  };

  // A bookmarked or linked lookup (/console/lookup?code=…) answers at once.
  useEffect(() => {
    if (initial.code) void run();
  }, []);

  return (
    <section aria-labelledby="single-title">
      <h2 id="single-title">One code</h2>
      <form class="filters" onSubmit={(e) => void run(e)}>
        <label>
          Declared code
          <input value={code} onInput={(e) => setCode(e.currentTarget.value)} required size={24} />
        </label>
        <label>
          On date
          <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
        <label>
          As known at ({zone})
          <input type="datetime-local" value={known} onInput={(e) => setKnown(e.currentTarget.value)} />
        </label>
        <button type="submit">Look up</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {answer && <AnswerCard a={answer} />}
      {history && answer && <Timeline events={history} date={answer.date} asKnownAt={asKnownAt} />}
    </section>
  );
}

function AnswerCard({ a }: { a: Answer }) {
  const { zone } = useSession();
  return (
    <div class="answer" aria-live="polite">
      <p class="big">
        <code>{a.code}</code> on {formatDate(a.date)}: <Status word={a.decision} /> {a.recognised ? '— recognised' : '— not recognised'}
      </p>
      <dl class="facts">
        <dt>Partner / economy</dt>
        <dd>
          {a.partner ?? '—'} / {a.economy ?? '—'}
        </dd>
        {a.operator && (
          <>
            <dt>Operator</dt>
            <dd>
              {a.operator.name} ({a.operator.declaredCode}), tier {a.operator.tier}, {a.operator.status} since {formatDate(a.operator.statusSince)}
              {a.operator.validUntil ? `, valid until ${formatDate(a.operator.validUntil)}` : ''}
            </dd>
          </>
        )}
        {a.provenance && (
          <>
            <dt>From the list</dt>
            <dd>
              sequence {a.provenance.sequence}, received {formatInstant(a.provenance.receivedAt, zone)} —{' '}
              <Link to={`/exchanges/${a.provenance.exchangeId}`}>open the run</Link>
            </dd>
          </>
        )}
        <dt>Data as of</dt>
        <dd>
          {formatInstant(a.dataAsOf, zone)} {a.stale && <Status word="STALE" />}
        </dd>
      </dl>
    </div>
  );
}

function Timeline({ events, date, asKnownAt }: { events: HistoryEvent[]; date: string; asKnownAt: string | null }) {
  const { zone } = useSession();
  const knownBy = asKnownAt ? Date.parse(asKnownAt) : Infinity;
  return (
    <section aria-labelledby="timeline-title">
      <h3 id="timeline-title">History of this operator ({events.length} {events.length === 1 ? 'statement' : 'statements'}, oldest first)</h3>
      <p class="muted">
        Each row is one statement a partner list made: “from this date on, the operator is …”. Rows recorded after the as-known-at instant are marked
        “learned later”; the answer above used only the others. The lookup date is {formatDate(date)}.
      </p>
      <ol class="timeline">
        {events.map((e, i) => {
          const later = Date.parse(e.recordedAt) > knownBy;
          return (
            <li key={i} class={later ? 'later' : ''}>
              <span class="when">
                from <strong>{formatDate(e.validFrom ?? e.statusSince)}</strong>
                {e.validUntil ? ` until ${formatDate(e.validUntil)}` : ''}
              </span>{' '}
              <Status word={e.status} /> <span class="muted">({e.partnerStatus})</span> tier {e.tier} — recorded {formatInstant(e.recordedAt, zone)} by{' '}
              <Link to={`/exchanges/${e.exchangeId}`}>list {e.sequence ?? '?'}</Link>
              {later && <strong class="tag"> learned later</strong>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function BatchLookup() {
  const { api, who } = useSession();
  const [text, setText] = useState('');
  const [date, setDate] = useState('');
  const [rows, setRows] = useState<Answer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codes = text
    .split(/[\s,;]+/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
  // The batch route is a POST that lookup and admin tokens may call; viewers ask code by code.
  const mayBatch = who.scopes.includes('admin') || who.scopes.includes('lookup');
  const limit = mayBatch ? 1000 : 100;

  const run = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mayBatch) {
        const res = await api.post<{ results: Answer[] }>('/v1/recognition/batch', { codes, ...(date ? { date } : {}) });
        setRows(res.results);
      } else {
        const qs = date ? `?date=${date}` : '';
        const answers: Answer[] = [];
        for (const c of codes) {
          answers.push(
            await api.get<Answer>(`/v1/recognition/${encodeURIComponent(c)}${qs}`).catch((err: unknown) => ({
              code: c,
              date,
              recognised: false,
              decision: err instanceof ApiError ? err.code : 'ERROR',
              partner: null,
              economy: null,
              operator: null,
              provenance: null,
              dataAsOf: null,
              stale: false,
            })),
          );
        }
        setRows(answers);
      }
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="batch-title">
      <h2 id="batch-title">Batch</h2>
      <form onSubmit={(e) => void run(e)}>
        <label for="batch-codes">Codes (one per line, or separated by commas; at most {limit})</label>
        <textarea id="batch-codes" rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <div class="filters">
          <label>
            On date
            <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={busy || codes.length === 0 || codes.length > limit}>
            Look up {codes.length} code{codes.length === 1 ? '' : 's'}
          </button>
        </div>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {rows && (
        <table>
          <caption>{rows.length} answers, in the order given</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Decision</th>
              <th scope="col">Partner</th>
              <th scope="col">Operator</th>
              <th scope="col">Tier</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>
                  <Link to={`/lookup?code=${encodeURIComponent(r.code)}`}>{r.code}</Link>
                </td>
                <td>
                  <Status word={r.decision} />
                </td>
                <td>{r.partner ?? '—'}</td>
                <td>{r.operator?.name ?? '—'}</td>
                <td>{r.operator?.tier ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

