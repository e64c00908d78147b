// Certificates: every trust anchor, last signer and our own signing certificate, soonest expiry first.
import { Show, useLoad } from '../components/async';
import { useSession } from '../context';
import { formatInstant } from '../time';
import type { Certificate } from '../types';

export function CertificatesScreen() {
  const { api, zone } = useSession();
  const state = useLoad(() => api.get<{ certificates: Certificate[] }>('/admin/certificates'), 'certs');
  return (
    <section>
      <h1>Certificates</h1>
      <Show state={state} what="the certificates">
        {(d) => (
          <table>
            <caption>{d.certificates.length} certificates, soonest expiry first</caption>
            <thead>
              <tr>
                <th scope="col">Partner</th>
                <th scope="col">Role</th>
                <th scope="col">Subject</th>
                <th scope="col">Issuer</th>
                <th scope="col">Not after</th>
                <th scope="col" class="num">
                  Days left
                </th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {d.certificates.map((c) => (
                <tr key={`${c.partner}-${c.role}-${c.sha256}`}>
                  <td>{c.partner}</td>
                  <td>{c.role.replace('_', ' ')}</td>
                  <td>{c.subject}</td>
                  <td>{c.issuer}</td>
                  <td>{formatInstant(c.notAfter, zone)}</td>
                  <td class="num">
                    <span class={c.daysLeft <= 7 ? 'status status-bad' : c.daysLeft <= 30 ? 'status status-warn' : ''}>
                      {c.daysLeft}
                      {c.daysLeft <= 30 ? (c.daysLeft <= 7 ? ' (urgent)' : ' (soon)') : ''}
                    </span>
                  </td>
                  <td>
                    <code>{c.sha256.slice(0, 16)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}
