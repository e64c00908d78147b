// Quarantine review: what the held list would change against the applied one, then approve or
// reject with a required reason, after a confirmation that states the effect in numbers.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Show, useLoad } from '../components/async';
import { Status } from '../components/status';
import { useSession } from '../context';
import { can } from '../scopes';
import { formatDate } from '../time';
import type { Run } from '../types';

interface DiffRow {
  partnerId: string;
  declaredCode: string;
  name: string;
  before: { status: string; tier: string; statusSince: string; validUntil: string | null } | null;
  after: { status: string; tier: string; statusSince: string; validUntil: string | null } | null;
}

interface Diff {
  counts: { received: number; added: number; changed: number; removed: number; unchanged: number };
  activeBefore: number;
  activeAfter: number;
  removalRatio: number;
  section: string;
  total: number;
  offset: number;
  rows: DiffRow[];
}

const PAGE = 25;

export function QuarantineReview({ run, onDone }: { run: Run; onDone: () => void }) {
  const { api, who } = useSession();
  const [section, setSection] = useState<'removed' | 'changed' | 'added'>('removed');
  const [offset, setOffset] = useState(0);
  const key = `${run.id}|${section}|${offset}`;
  const diff = useLoad(() => api.get<Diff>(`/admin/exchanges/${run.id}/diff?section=${section}&offset=${offset}&limit=${PAGE}`), key);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<'approve' | 'reject' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mayAct = can(who.scopes, 'operate');

  const decide = async (decision: 'approve' | 'reject'): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/admin/exchanges/${run.id}/${decision}`, { note: reason.trim() });
      setConfirming(null);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="review" aria-labelledby="review-title">
      <h2 id="review-title">Quarantine review</h2>
      <Show state={diff} what="what this list would change">
        {(d) => (
          <>
            <p>
              Applying this list would add <strong>{d.counts.added}</strong>, change <strong>{d.counts.changed}</strong> and remove{' '}
              <strong>{d.counts.removed}</strong> operators ({pct(d.removalRatio)} of the {d.activeBefore.toLocaleString('en')} active now), leaving{' '}
              <strong>{d.activeAfter.toLocaleString('en')}</strong> active; {d.counts.unchanged.toLocaleString('en')} stay unchanged.
            </p>
            <div class="tabs" role="group" aria-label="Which operators">
              {(['removed', 'changed', 'added'] as const).map((s) => (
                <button
                  type="button"
                  key={s}
                  aria-pressed={section === s}
                  onClick={() => {
                    setSection(s);
                    setOffset(0);
                  }}
                >
                  {s} ({d.counts[s]})
                </button>
              ))}
            </div>
            <table>
              <caption>
                {section} operators {d.total === 0 ? '(none)' : `${d.offset + 1}–${d.offset + d.rows.length} of ${d.total}`}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col">Name</th>
                  <th scope="col">Now</th>
                  <th scope="col">With this list</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.partnerId}>
                    <td>
                      <code>{r.declaredCode}</code>
                    </td>
                    <td>{r.name}</td>
                    <td>{r.before ? <StateCell s={r.before} /> : <span class="muted">not listed</span>}</td>
                    <td>{r.after ? <StateCell s={r.after} /> : <span class="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="pager">
              <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Previous
              </button>
              <button type="button" disabled={offset + PAGE >= d.total} onClick={() => setOffset(offset + PAGE)}>
                Next
              </button>
            </div>
            {mayAct && (
              <div class="decide">
                <label for="review-reason">Reason (required, kept in the run and the audit log)</label>
                <textarea id="review-reason" rows={2} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
                {confirming === null ? (
                  <div class="buttons">
                    <button type="button" disabled={reason.trim() === ''} onClick={() => setConfirming('approve')}>
                      Approve…
                    </button>
                    <button type="button" disabled={reason.trim() === ''} onClick={() => setConfirming('reject')}>
                      Reject…
                    </button>
                  </div>
                ) : (
                  <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">
                      {confirming === 'approve'
                        ? `Approve: ${d.counts.removed} operators of ${run.partner} become REVOKED, ${d.counts.added} are added and ${d.counts.changed} change, leaving ${d.activeAfter} active. This is applied at once.`
                        : `Reject: the list is closed as REJECTED and nothing changes; the ${d.activeBefore} active operators stay as they are.`}
                    </p>
                    <button type="button" class="danger" disabled={busy} onClick={() => void decide(confirming)}>
                      Confirm {confirming === 'approve' ? 'approval' : 'rejection'}
                    </button>
                    <button type="button" disabled={busy} onClick={() => setConfirming(null)}>
                      Cancel
                    </button>
                  </div>
                )}
                {error && (
                  <p class="error" role="alert">
                    {error}
                  </p>
                )}
              </div>
            )}
          </>
        )}
      </Show>
    </section>
  );
}

function StateCell({ s }: { s: NonNullable<DiffRow['before']> }) {
  return (
    <>
      <Status word={s.status} /> {s.tier} <span class="muted">since {formatDate(s.statusSince)}</span>
    </>
  );
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
