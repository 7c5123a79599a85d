import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Account } from '@zentra/sdk';
import { Badge, Empty, ErrorNote, Loading, Money, Page, PAGE_ROWS, Pager, usePaged, useSession } from '../ui.js';
import { shortId } from '../format.js';

/** Accounts, paged by the API; search by customer (exact) or one metadata key=value. */
export function Accounts() {
  const { zentra } = useSession();
  const { route } = useLocation();
  const [customer, setCustomer] = useState('');
  const [metadata, setMetadata] = useState('');
  const [pathPrefix, setPathPrefix] = useState('');
  const [filter, setFilter] = useState<Record<string, string>>({});
  const list = usePaged<Account>((cursor) => zentra.accounts.list({ ...filter, limit: PAGE_ROWS }).page(cursor), [JSON.stringify(filter)]);

  const search = (event: Event) => {
    event.preventDefault();
    const next: Record<string, string> = {};
    if (customer.trim()) next.customer = customer.trim();
    if (pathPrefix.trim()) next.path_prefix = pathPrefix.trim();
    const [key, ...value] = metadata.split('=');
    if (key?.trim() && value.length > 0) next[`metadata.${key.trim()}`] = value.join('=').trim();
    setFilter(next);
  };
  return (
    <Page title="Accounts" subtitle="Every account of the tenant with its balances. Search by customer, path (whole segments) or one metadata key=value; click one to open its history.">
      <form class="toolbar" role="search" onSubmit={search}>
        <label>
          Customer
          <input value={customer} placeholder="customer reference" onInput={(e) => setCustomer((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Path
          <input value={pathPrefix} placeholder="merchants:acme" onInput={(e) => setPathPrefix((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Metadata
          <input value={metadata} placeholder="key=value" onInput={(e) => setMetadata((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <ErrorNote error={list.error} />
      <div class="card table-card">
        <table>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Path / type</th>
              <th scope="col">Currency</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Posted</th>
              <th scope="col" class="num">Pending out</th>
              <th scope="col" class="num">Available</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((a) => (
              <tr key={a.id} class="clickable" onClick={() => route(`/console/accounts/${a.id}`)}>
                <td>
                  <a href={`/console/accounts/${a.id}`}>{a.customer}</a>
                  <div class="muted mono small">{shortId(a.id)}</div>
                </td>
                <td>{(a as { path?: string | null }).path ?? a.account_type}</td>
                <td>{a.currency}</td>
                <td>
                  <Badge status={a.status} />
                </td>
                <td class="num">
                  <Money amount={a.balances.posted} currency={a.currency} />
                </td>
                <td class="num">
                  <Money amount={a.balances.pending_debits} currency={a.currency} />
                </td>
                <td class="num">
                  <Money amount={a.balances.available} currency={a.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!list.loading && list.rows.length === 0 && <Empty>No account matches.</Empty>}
        <Loading loading={list.loading} />
      </div>
      <Pager label="Accounts" pageNumber={list.pageNumber} next={list.next} previous={list.previous} />
    </Page>
  );
}
