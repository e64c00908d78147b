// Registry: the agreements, and one agreement with its edit form (admin, a note required) and history.
import { useState } from 'preact/hooks';
import { ApiError, noteHeader } from '../api';
import { Show, useLoad } from '../components/async';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useSession } from '../context';
import { can } from '../scopes';
import { formatDate, formatInstant } from '../time';

interface Agreement {
  id: string;
  partner: string;
  name: string;
  economies: string[];
  status: string;
  signedOn: string | null;
  inForceOn: string | null;
  recognisedTiers: string[];
  confidence?: string;
  notes?: string | null;
  exchange: { partnerCode: string; enabled: boolean } | null;
  [k: string]: unknown;
}

interface Revision {
  revision: number;
  recordedAt: string;
  recordedBy: string;
  body: unknown;
}

export function RegistryScreen() {
  const { api } = useSession();
  const state = useLoad(() => api.get<{ count: number; economyCount: number; agreements: Agreement[] }>('/v1/agreements'), 'registry');
  return (
    <section>
      <h1>Agreement registry</h1>
      <Show state={state} what="the agreements">
        {(d) => (
          <table>
            <caption>
              {d.count} agreements covering {d.economyCount} economies
            </caption>
            <thead>
              <tr>
                <th scope="col">Agreement</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Signed</th>
                <th scope="col">In force</th>
                <th scope="col">Economies</th>
                <th scope="col">Recognised tiers</th>
                <th scope="col">Exchange</th>
              </tr>
            </thead>
            <tbody>
              {d.agreements.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/registry/${a.id}`}>{a.id}</Link>
                  </td>
                  <td>{a.name}</td>
                  <td>
                    <Status word={a.status} />
                  </td>
                  <td>{formatDate(a.signedOn)}</td>
                  <td>{formatDate(a.inForceOn)}</td>
                  <td>{a.economies.length}</td>
                  <td>{a.recognisedTiers.join(', ') || 'unknown'}</td>
                  <td>{a.exchange ? `${a.exchange.partnerCode}${a.exchange.enabled ? '' : ' (disabled)'}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}

/** The stored facts of an agreement: the API view without what it computes. */
function factsOf(a: Agreement): Record<string, unknown> {
  const facts: Record<string, unknown> = { ...a };
  delete facts.status;
  delete facts.exchange;
  return facts;
}

export function AgreementScreen({ id }: { id: string }) {
  const { api, who, zone } = useSession();
  const agreement = useLoad(() => api.get<Agreement>(`/v1/agreements/${encodeURIComponent(id)}`), id);
  const isAdmin = can(who.scopes, 'admin');
  const history = useLoad(
    () => (isAdmin || can(who.scopes, 'read') ? api.get<{ revisions: Revision[] }>(`/admin/agreements/${encodeURIComponent(id)}/revisions`) : Promise.resolve({ revisions: [] })),
    `${id}|h`,
  );
  return (
    <section>
      <p>
        <Link to="/registry">← Registry</Link>
      </p>
      <Show state={agreement} what="the agreement">
        {(a) => (
          <>
            <div class="title-row">
              <h1>
                {a.id} — {a.name}
              </h1>
              <Status word={a.status} />
            </div>
            <dl class="facts">
              <dt>Economies</dt>
              <dd>{a.economies.join(' ')}</dd>
              <dt>Signed / in force</dt>
              <dd>
                {formatDate(a.signedOn)} / {formatDate(a.inForceOn)}
              </dd>
              <dt>Recognised tiers</dt>
              <dd>{a.recognisedTiers.join(', ') || 'unknown'}</dd>
              {a.confidence && (
                <>
                  <dt>Confidence</dt>
                  <dd>{a.confidence}</dd>
                </>
              )}
              {a.notes && (
                <>
                  <dt>Notes</dt>
                  <dd>{a.notes}</dd>
                </>
              )}
            </dl>
            {isAdmin && <EditAgreement agreement={a} onSaved={() => (agreement.reload(), history.reload())} />}
          </>
        )}
      </Show>
      <Show state={history} what="the revisions">
        {(h) => (
          <table>
            <caption>
              Revisions by admins ({h.revisions.length}; without any, the project's registry file is what applies). Their notes are in the{' '}
              <Link to="/audit?action=registry.edit">audit log</Link>.
            </caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  Revision
                </th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
              </tr>
            </thead>
            <tbody>
              {h.revisions.map((r) => (
                <tr key={r.revision}>
                  <td class="num">{r.revision}</td>
                  <td>{formatInstant(r.recordedAt, zone)}</td>
                  <td>{r.recordedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}

function EditAgreement({ agreement, onSaved }: { agreement: Agreement; onSaved: () => void }) {
  const { api } = useSession();
  const [text, setText] = useState(() => JSON.stringify(factsOf(agreement), null, 2));
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    setMessage(null);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      setMessage({ ok: false, text: 'The agreement is not valid JSON.' });
      return;
    }
    try {
      // The body is the agreement itself; the note travels in X-AEO-Note.
      await api.put(`/admin/agreements/${encodeURIComponent(agreement.id)}`, body, noteHeader(note.trim()));
      setMessage({ ok: true, text: 'Saved: every gateway process uses the new facts now.' });
      setNote('');
      onSaved();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? `${err.message} (${err.code})` : String(err) });
    }
  };
  return (
    <form class="edit" onSubmit={(e) => void save(e)} aria-labelledby="edit-title">
      <h2 id="edit-title">Edit this agreement</h2>
      <label for="agreement-json">Facts (JSON, as in the registry file)</label>
      <textarea id="agreement-json" rows={16} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <label for="agreement-note">Note (required: why, and the source)</label>
      <input id="agreement-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} required />
      <button type="submit" disabled={note.trim() === ''}>
        Save
      </button>
      {message && (
        <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
