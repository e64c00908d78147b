// A partner's definition versions (contract 11): the list, a dry run of a version on a sample list
// (with its detached signature, optional), and activation or rollback with a note — admin only.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { Show, useLoad } from '../components/async';
import { Status } from '../components/status';
import { useSession } from '../context';
import { formatInstant } from '../time';

interface Version {
  version: number;
  state: string;
  contentSha256: string;
  note: string;
  createdBy: string;
  createdAt: string;
}

interface DryRunReport {
  version: number;
  outcome: string;
  reason: string | null;
  signature: { checked: boolean; verdict: string; signer: { subject: string } | null };
  counts: Record<string, number>;
  problems: { record: number | null; path: string; message: string }[];
  diffVsActive: { added: number; changed: number; removed: number; removalRatio: number };
  unmappedFields: string[];
}

const base64 = (bytes: Uint8Array): string => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};

export function PartnerVersions({ code, mayAct }: { code: string; mayAct: boolean }) {
  const { api, zone } = useSession();
  const state = useLoad(() => api.get<{ activeVersion: number | null; versions: Version[] }>(`/admin/partners/${code}/versions`), `${code}|versions`);
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Definition versions</h2>
      <Show state={state} what="the partner's versions">
        {(d) => (
          <table>
            <caption>Active version: {d.activeVersion ?? 'none'}</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  Version
                </th>
                <th scope="col">State</th>
                <th scope="col">Note</th>
                <th scope="col">By</th>
                <th scope="col">Made</th>
                {mayAct && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {d.versions.map((v) => (
                <tr key={v.version}>
                  <td class="num">{v.version}</td>
                  <td>
                    <Status word={v.state} />
                  </td>
                  <td>{v.note}</td>
                  <td>{v.createdBy}</td>
                  <td>{formatInstant(v.createdAt, zone)}</td>
                  {mayAct && (
                    <td>
                      <VersionActions code={code} version={v} onDone={state.reload} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}

function VersionActions({ code, version, onDone }: { code: string; version: Version; onDone: () => void }) {
  const { api } = useSession();
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<File | null>(null);
  const [sig, setSig] = useState<File | null>(null);
  const [report, setReport] = useState<DryRunReport | null>(null);
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = `v${version.version}`;
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {version.state === 'ACTIVE' ? 'Dry run…' : 'Dry run / activate…'}
      </button>
    );
  }
  const dryRun = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!list) return;
    setMessage(null);
    try {
      const bytes = new Uint8Array(await list.arrayBuffer());
      const headers: Record<string, string> = { 'content-type': list.name.endsWith('.xml') ? 'application/xml' : 'application/json' };
      if (sig) headers['x-aeo-signature'] = base64(new Uint8Array(await sig.arrayBuffer()));
      setReport(await api.postBytes<DryRunReport>(`/admin/partners/${code}/versions/${version.version}/dry-run`, bytes, headers));
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? `${err.message} (${err.code})` : String(err) });
    }
  };
  const activate = async (): Promise<void> => {
    setMessage(null);
    try {
      await api.post(`/admin/partners/${code}/versions/${version.version}/activate`, { note: note.trim() });
      setMessage({ ok: true, text: `Version ${version.version} is active in every gateway process.` });
      onDone();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof ApiError ? `${err.message} (${err.code})` : String(err) });
    }
  };
  return (
    <div class="version-actions">
      <form onSubmit={(e) => void dryRun(e)}>
        <label for={`${id}-list`}>Sample list</label>
        <input id={`${id}-list`} type="file" onChange={(e) => setList(e.currentTarget.files?.[0] ?? null)} />
        <label for={`${id}-sig`}>Its signature (.p7s, optional)</label>
        <input id={`${id}-sig`} type="file" onChange={(e) => setSig(e.currentTarget.files?.[0] ?? null)} />
        <button type="submit" disabled={!list}>
          Dry run
        </button>
      </form>
      {report && (
        <div class="report" aria-live="polite">
          <p>
            <Status word={report.outcome} /> {report.reason ?? ''} — signature {report.signature.verdict}; would add {report.diffVsActive.added}, change{' '}
            {report.diffVsActive.changed}, remove {report.diffVsActive.removed} ({(report.diffVsActive.removalRatio * 100).toFixed(1)} %).
          </p>
          {report.problems.length > 0 && (
            <ul>
              {report.problems.slice(0, 10).map((p, i) => (
                <li key={i}>
                  record {p.record ?? '—'} <code>{p.path}</code>: {p.message}
                </li>
              ))}
            </ul>
          )}
          {report.unmappedFields.length > 0 && <p class="muted">Never read by the mapping: {report.unmappedFields.join(', ')}</p>}
        </div>
      )}
      {version.state !== 'ACTIVE' && (
        <div>
          <label for={`${id}-note`}>Activation note (required)</label>
          <input id={`${id}-note`} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <button type="button" disabled={note.trim() === ''} onClick={() => void activate()}>
            {version.state === 'RETIRED' ? 'Roll back to this version' : 'Activate'}
          </button>
        </div>
      )}
      {message && (
        <p class={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </div>
  );
}
