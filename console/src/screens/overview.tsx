// Overview: one row per partner with its health word (from the API, never recomputed here) and an
// attention list that links to the thing to fix.
import { Show, useLoad } from '../components/async';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useSession } from '../context';
import { formatInstant } from '../time';
import type { Certificate, PartnerRow, Run } from '../types';

interface OverviewData {
  partners: PartnerRow[];
  runs: Run[];
  certificates: Certificate[] | null;
  certificatesError: string | null;
}

const DAY = 86_400_000;

export function OverviewScreen() {
  const { api, zone } = useSession();
  const state = useLoad<OverviewData>(async () => {
    const [p, r, c] = await Promise.all([
      api.get<{ partners: PartnerRow[] }>('/v1/partners'),
      api.get<{ exchanges: Run[] }>('/v1/exchanges?direction=inbound&limit=500'),
      api.get<{ certificates: Certificate[] }>('/admin/certificates').then(
        (x) => ({ list: x.certificates, error: null }),
        (e: Error) => ({ list: null, error: e.message }),
      ),
    ]);
    return { partners: p.partners, runs: r.exchanges, certificates: c.list, certificatesError: c.error };
  }, 'overview');
  return (
    <section>
      <div class="title-row">
        <h1>Overview</h1>
        <button type="button" onClick={state.reload} disabled={state.loading}>
          Refresh
        </button>
      </div>
      <Show state={state} what="the partners">
        {(d) => {
          const now = Date.now();
          const lastRun = (code: string): Run | undefined => d.runs.find((r) => r.partner === code && r.outcome !== null);
          const failures = (code: string): number =>
            d.runs.filter((r) => r.partner === code && (r.outcome === 'FAILED' || r.outcome === 'REJECTED') && now - Date.parse(r.startedAt) < DAY).length;
          const soonest = (code: string): Certificate | undefined => d.certificates?.find((c) => c.partner === code);
          return (
            <>
              <Attention data={d} />
              <table>
                <caption>Exchange partners</caption>
                <thead>
                  <tr>
                    <th scope="col">Partner</th>
                    <th scope="col">Health</th>
                    <th scope="col">Last success</th>
                    <th scope="col">Data as of</th>
                    <th scope="col">Next run</th>
                    <th scope="col">Last outcome</th>
                    <th scope="col" class="num">
                      Operators
                    </th>
                    <th scope="col" class="num">
                      Failures (24 h)
                    </th>
                    <th scope="col">Soonest certificate expiry</th>
                  </tr>
                </thead>
                <tbody>
                  {d.partners.map((p) => {
                    const run = lastRun(p.code);
                    const cert = soonest(p.code);
                    return (
                      <tr key={p.code}>
                        <td>
                          <Link to={`/partners/${p.code}`}>{p.code}</Link>
                        </td>
                        <td>
                          <Status word={p.health ?? (p.enabled ? null : 'DISABLED')} />
                        </td>
                        <td>{formatInstant(p.lastSuccessAt, zone)}</td>
                        <td>{formatInstant(p.dataAsOf ?? null, zone)}</td>
                        <td>{formatInstant(p.nextRunAt, zone)}</td>
                        <td>
                          <Status word={p.lastOutcome} /> {run?.reason && <span class="muted">{run.reason}</span>}
                        </td>
                        <td class="num">{p.operatorCount.toLocaleString('en')}</td>
                        <td class="num">{failures(p.code)}</td>
                        <td>{cert ? `${cert.daysLeft} days (${cert.role.replace('_', ' ')})` : d.certificatesError ? '—' : 'none'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {d.certificatesError && (
                <p class="error" role="alert">
                  Could not load the certificates: {d.certificatesError}
                </p>
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}

function Attention({ data }: { data: OverviewData }) {
  const items: { key: string; text: string; to: string; action: string }[] = [];
  for (const p of data.partners) {
    if (p.health && p.health !== 'OK' && p.health !== 'DISABLED') {
      items.push({ key: `h-${p.code}`, text: `${p.code} is ${p.health}.`, to: `/partners/${p.code}`, action: 'Open the partner' });
    }
  }
  for (const r of data.runs) {
    if (r.outcome === 'QUARANTINED' && r.review === null) {
      items.push({
        key: `q-${r.id}`,
        text: `${r.partner} list ${r.sequence ?? ''} is quarantined (${r.reason ?? 'guard'}) and waits for review.`,
        to: `/exchanges/${r.id}`,
        action: 'Review it',
      });
    }
  }
  for (const c of data.certificates ?? []) {
    if (c.daysLeft <= 30) {
      items.push({
        key: `c-${c.sha256}`,
        text: `${c.partner} ${c.role.replace('_', ' ')} certificate expires in ${c.daysLeft} days.`,
        to: '/certificates',
        action: 'See certificates',
      });
    }
  }
  return (
    <section class="attention" aria-labelledby="attention-title">
      <h2 id="attention-title">Needs attention</h2>
      {items.length === 0 ? (
        <p>Nothing: every partner is OK, no list waits for review, no certificate expires within 30 days.</p>
      ) : (
        <ul>
          {items.map((i) => (
            <li key={i.key}>
              {i.text} <Link to={i.to}>{i.action}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
