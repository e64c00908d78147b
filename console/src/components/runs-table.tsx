// Exchange runs as a table, newest first (the Exchanges screen and a partner's recent runs).
import type { ComponentChildren } from 'preact';
import { useSession } from '../context';
import { formatInstant } from '../time';
import type { Run } from '../types';
import { Link } from './link';
import { Status } from './status';

export function RunsTable({ runs, caption }: { runs: Run[]; caption: ComponentChildren }) {
  const { zone } = useSession();
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Partner</th>
          <th scope="col">Direction</th>
          <th scope="col">Trigger</th>
          <th scope="col">Outcome</th>
          <th scope="col">Reason</th>
          <th scope="col" class="num">
            Sequence
          </th>
          <th scope="col">Kind</th>
          <th scope="col" class="num">
            Received
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>
              <Link to={`/exchanges/${r.id}`}>{formatInstant(r.startedAt, zone)}</Link>
            </td>
            <td>{r.partner}</td>
            <td>{r.direction}</td>
            <td>{r.trigger}</td>
            <td>
              <Status word={r.outcome ?? 'RUNNING'} />
            </td>
            <td>{r.reason ?? ''}</td>
            <td class="num">{r.sequence ?? ''}</td>
            <td>{r.kind ?? ''}</td>
            <td class="num">{r.counts?.received ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
