// One partner: its settings and state, trust anchors with days left, recent runs, and Sync now.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Show, useLoad } from '../components/async';
import { Link } from '../components/link';
import { RunsTable } from '../components/runs-table';
import { Status } from '../components/status';
import { useSession } from '../context';
import { navigate } from '../router';
import { can } from '../scopes';
import { formatInstant } from '../time';
import type { Certificate, PartnerRow, Run } from '../types';
import { PartnerVersions } from './partner-versions';

interface PartnerData {
  partner: PartnerRow | undefined;
  runs: Run[];
  certificates: Certificate[];
}

export function PartnerScreen({ code }: { code: string }) {
  const { api, zone, who } = useSession();
  const state = useLoad<PartnerData>(async () => {
    const [p, r, c] = await Promise.all([
      api.get<{ partners: PartnerRow[] }>('/v1/partners'),
      api.get<{ exchanges: Run[] }>(`/v1/exchanges?partner=${encodeURIComponent(code)}&limit=20`),
      api.get<{ certificates: Certificate[] }>('/admin/certificates').catch(() => ({ certificates: [] as Certificate[] })),
    ]);
    return { partner: p.partners.find((x) => x.code === code), runs: r.exchanges, certificates: c.certificates.filter((x) => x.partner === code) };
  }, code);
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<string | null>(null);
  const syncNow = async (): Promise<void> => {
    setSyncing(true);
    setSyncError(null);
    try {
      const run = await api.post<Run>(`/admin/partners/${encodeURIComponent(code)}/sync`);
      navigate(`/exchanges/${run.id}`);
    } catch (e) {
      setSyncError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setSyncing(false);
    }
  };
  return (
    <section>
      <p>
        <Link to="/">← Overview</Link>
      </p>
      <Show state={state} what={`partner ${code}`}>
        {(d) =>
          !d.partner ? (
            <p class="error">No exchange partner has the code {code}.</p>
          ) : (
            <>
              <div class="title-row">
                <h1>Partner {d.partner.code}</h1>
                <Status word={d.partner.health ?? null} />
                {can(who.scopes, 'operate') && (
                  <button type="button" onClick={() => void syncNow()} disabled={syncing || !d.partner.enabled}>
                    {syncing ? 'Syncing…' : 'Sync now'}
                  </button>
                )}
              </div>
              {syncError && (
                <p class="error" role="alert">
                  {syncError}
                </p>
              )}
              <dl class="facts">
                <dt>Agreement</dt>
                <dd>
                  <Link to={`/registry/${d.partner.agreementId}`}>{d.partner.agreementId}</Link>
                </dd>
                <dt>Exchange</dt>
                <dd>{d.partner.enabled ? 'enabled' : 'disabled in its manifest'}</dd>
                <dt>Last success</dt>
                <dd>{formatInstant(d.partner.lastSuccessAt, zone)}</dd>
                <dt>Data as of</dt>
                <dd>
                  {formatInstant(d.partner.dataAsOf ?? null, zone)} {d.partner.stale && <Status word="STALE" />}
                </dd>
                <dt>Last sequence</dt>
                <dd>{d.partner.lastSequence ?? '—'}</dd>
                <dt>Operators listed</dt>
                <dd>{d.partner.operatorCount.toLocaleString('en')}</dd>
                <dt>Next run</dt>
                <dd>{formatInstant(d.partner.nextRunAt, zone)}</dd>
              </dl>
              <table>
                <caption>Certificates</caption>
                <thead>
                  <tr>
                    <th scope="col">Role</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Not after</th>
                    <th scope="col" class="num">
                      Days left
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {d.certificates.map((c) => (
                    <tr key={c.sha256 + c.role}>
                      <td>{c.role.replace('_', ' ')}</td>
                      <td>{c.subject}</td>
                      <td>{formatInstant(c.notAfter, zone)}</td>
                      <td class="num">{c.daysLeft}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {can(who.scopes, 'read') && <PartnerVersions code={code} mayAct={can(who.scopes, 'admin')} />}
              <RunsTable
                runs={d.runs}
                caption={
                  <>
                    Recent runs (<Link to={`/exchanges?partner=${code}`}>all runs of {code}</Link>)
                  </>
                }
              />
            </>
          )
        }
      </Show>
    </section>
  );
}
