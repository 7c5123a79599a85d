import type { Policy } from '@zentra/sdk';
import { ActionButton, Badge, Empty, ErrorNote, Loading, Page, PAGE_ROWS, Pager, usePaged, useSession } from '../ui.js';

export function Policies() {
  const session = useSession();
  const list = usePaged<Policy>((cursor) => session.zentra.policies.list({ limit: PAGE_ROWS } as never).page(cursor), []);
  return (
    <Page title="Policies" subtitle="Controls decided on every command. Observe mode records a violation without refusing.">
      <ErrorNote error={list.error} />
      <div class="card table-card">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Mode</th>
              <th scope="col">Status</th>
              <th scope="col">Parameters</th>
              <th scope="col">Version</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td>
                <td>{p.type}</td>
                <td>
                  <Badge status={p.mode} tone={p.mode === 'enforce' ? 'ok' : 'warn'} />
                </td>
                <td>
                  <Badge status={p.status} />
                </td>
                <td class="mono small">{JSON.stringify(p.params)}</td>
                <td>{p.version}</td>
                <td>
                  {session.can('change_policy') && p.status === 'active' && (
                    <ActionButton
                      label={p.mode === 'enforce' ? 'Observe only' : 'Enforce'}
                      onClick={async () => (await session.zentra.policies.update(p.id, { mode: p.mode === 'enforce' ? 'observe' : 'enforce' }), list.reload())}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!list.loading && list.rows.length === 0 && <Empty>No policy: every command is decided by the ledger's own rules only.</Empty>}
        <Loading loading={list.loading} />
      </div>
      <Pager label="Policies" pageNumber={list.pageNumber} next={list.next} previous={list.previous} />
    </Page>
  );
}
