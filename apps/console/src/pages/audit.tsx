import { useState } from 'preact/hooks';
import type { AuditEntry } from '@zentra/sdk';
import { Badge, Empty, ErrorNote, Loading, NotForRole, Page, PAGE_ROWS, Pager, usePaged, useSession } from '../ui.js';
import { time } from '../format.js';

export function Audit() {
  const session = useSession();
  const readable = session.can('read_audit_log');
  const [deniedOnly, setDeniedOnly] = useState(false);
  const list = usePaged<AuditEntry>(
    (cursor) => (readable ? session.zentra.auditLog.list({ ...(deniedOnly ? { outcome: 'denied' } : {}), limit: PAGE_ROWS } as never).page(cursor) : Promise.resolve({ data: [] })),
    [deniedOnly],
  );
  if (!readable) return <Page title="Audit"><NotForRole what="the audit log" /></Page>;
  return (
    <Page title="Audit" subtitle="Who did what, allowed or denied.">
      <div class="toolbar">
        <label class="checkbox">
          <input type="checkbox" checked={deniedOnly} onChange={(e) => setDeniedOnly((e.target as HTMLInputElement).checked)} /> Denied actions only
        </label>
      </div>
      <ErrorNote error={list.error} />
      <div class="card table-card">
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Role</th>
              <th scope="col">Action</th>
              <th scope="col">Resource</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((a) => (
              <tr key={a.id}>
                <td>{time(a.timestamp)}</td>
                <td class="mono small">{a.actor}</td>
                <td>{a.role}</td>
                <td>{a.action}</td>
                <td class="mono small">{a.resource ?? '—'}</td>
                <td>
                  <Badge status={a.outcome} tone={a.outcome === 'allowed' ? 'ok' : 'bad'} />
                  {a.reason && <div class="small muted">{a.reason}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!list.loading && list.rows.length === 0 && <Empty>Nothing recorded.</Empty>}
        <Loading loading={list.loading} />
      </div>
      <Pager label="Audit" pageNumber={list.pageNumber} next={list.next} previous={list.previous} />
    </Page>
  );
}
