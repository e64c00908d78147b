// One run: stages, counts, problems with record and path, signer, review, raw payload download.
import { Show, useLoad } from '../components/async';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useSession } from '../context';
import { can } from '../scopes';
import { stageStates } from '../stages';
import { formatInstant } from '../time';
import type { Run } from '../types';
import { QuarantineReview } from './quarantine';

export function ExchangeScreen({ id }: { id: string }) {
  const { api, zone, who } = useSession();
  const state = useLoad(() => api.get<Run>(`/v1/exchanges/${encodeURIComponent(id)}`), id);
  return (
    <section>
      <p>
        <Link to="/exchanges">← Exchanges</Link>
      </p>
      <Show state={state} what="the exchange run">
        {(r) => (
          <>
            <div class="title-row">
              <h1>
                {r.partner} {r.direction} run {r.sequence !== null ? `· sequence ${r.sequence}` : ''}
              </h1>
              <Status word={r.outcome ?? 'RUNNING'} />
            </div>
            {r.reason && (
              <p class={r.outcome === 'QUARANTINED' ? 'warn-box' : 'error'} role="status">
                <strong>{r.reason}</strong>: {r.reasonMessage}
              </p>
            )}
            <ol class="stages" aria-label="Pipeline stages">
              {stageStates(r.outcome, r.reason).map((s) => (
                <li key={s.stage} class={`stage-${s.state}`}>
                  {s.stage} <span class="muted">({s.state})</span>
                </li>
              ))}
            </ol>
            <dl class="facts">
              <dt>Trigger</dt>
              <dd>{r.trigger}</dd>
              <dt>Started</dt>
              <dd>{formatInstant(r.startedAt, zone)}</dd>
              <dt>Finished</dt>
              <dd>{formatInstant(r.finishedAt, zone)}</dd>
              <dt>List generated</dt>
              <dd>{formatInstant(r.generatedAt, zone)}</dd>
              <dt>Kind</dt>
              <dd>{r.kind ?? '—'}</dd>
              <dt>Payload</dt>
              <dd>
                <code>{r.payloadSha256 ?? '—'}</code> {r.payloadBytes !== null && <span class="muted">({r.payloadBytes.toLocaleString('en')} bytes)</span>}
              </dd>
              <dt>Signer</dt>
              <dd>
                {r.signer ? (
                  <>
                    {r.signer.subject} <code class="muted">{r.signer.sha256Fingerprint.slice(0, 16)}…</code>
                  </>
                ) : (
                  '—'
                )}
              </dd>
              {r.review && (
                <>
                  <dt>Review</dt>
                  <dd>
                    {r.review.decision} by {r.review.by} at {formatInstant(r.review.at, zone)}
                    {r.review.note ? ` — “${r.review.note}”` : ''}
                  </dd>
                </>
              )}
            </dl>
            {r.counts && (
              <table class="counts">
                <caption>Counts</caption>
                <tbody>
                  <tr>
                    {(Object.entries(r.counts) as [string, number][]).map(([k, v]) => (
                      <td key={k}>
                        <span class="muted">{k}</span> <strong>{v.toLocaleString('en')}</strong>
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
            )}
            {r.payloadSha256 && can(who.scopes, 'download') && (
              <p>
                <button
                  type="button"
                  onClick={() => void api.download(`/admin/exchanges/${r.id}/payload`, `${r.partner}-${r.sequence ?? r.id}.payload`)}
                >
                  Download the raw payload
                </button>
              </p>
            )}
            {r.problems.length > 0 && (
              <table>
                <caption>Problems (first {r.problems.length})</caption>
                <thead>
                  <tr>
                    <th scope="col" class="num">
                      Record
                    </th>
                    <th scope="col">Path</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {r.problems.map((p, i) => (
                    <tr key={i}>
                      <td class="num">{p.record ?? '—'}</td>
                      <td>
                        <code>{p.path}</code>
                      </td>
                      <td>{p.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {r.outcome === 'QUARANTINED' && r.review === null && <QuarantineReview run={r} onDone={state.reload} />}
          </>
        )}
      </Show>
    </section>
  );
}
