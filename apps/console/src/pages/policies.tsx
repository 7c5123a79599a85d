import { useState } from 'preact/hooks';
import type { Policy } from '@zentra/sdk';
import { ActionButton, Badge, Empty, ErrorNote, Loading, Page, PAGE_ROWS, Pager, usePaged, useSession } from '../ui.js';

/** A per-posting amount limit, the common control; other types are created through the API. */
function NewAmountLimit({ onCreated }: { onCreated: () => void }) {
  const { zentra } = useSession();
  const [form, setForm] = useState({ name: '', currency: 'USD', max_amount: '', mode: 'enforce' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.target as HTMLInputElement).value }),
  });
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await zentra.policies.create({ name: form.name, type: 'amount_limit', mode: form.mode as 'enforce' | 'observe', params: { currency: form.currency, max_amount: form.max_amount } } as never);
      setForm({ ...form, name: '', max_amount: '' });
      onCreated();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card toolbar" onSubmit={submit}>
      <label>
        Policy name
        <input {...field('name')} required maxLength={200} />
      </label>
      <label>
        Currency
        <input {...field('currency')} required maxLength={12} />
      </label>
      <label>
        Largest amount (minor units)
        <input {...field('max_amount')} required inputMode="numeric" pattern="[0-9]+" />
      </label>
      <label>
        Mode
        <select value={form.mode} onChange={(e) => setForm({ ...form, mode: (e.target as HTMLSelectElement).value })}>
          <option value="enforce">enforce</option>
          <option value="observe">observe</option>
        </select>
      </label>
      <button type="submit" class="primary" disabled={busy}>
        Create amount limit
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

export function Policies() {
  const session = useSession();
  const list = usePaged<Policy>((cursor) => session.zentra.policies.list({ limit: PAGE_ROWS } as never).page(cursor), []);
  return (
    <Page title="Policies" subtitle="Controls decided on every command. Observe mode records a violation without refusing.">
      {session.can('change_policy') && <NewAmountLimit onCreated={list.reload} />}
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
