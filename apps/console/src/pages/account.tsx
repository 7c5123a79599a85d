import { useEffect, useRef } from 'preact/hooks';
import { CategoryScale, Chart, Filler, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import type { Account, Entry, Hold } from '@zentra/sdk';
import { ActionButton, Badge, Empty, ErrorNote, Loading, Money, Page, PAGE_ROWS, Pager, useLoad, usePaged, useSession } from '../ui.js';
import { money, plotValue, shortId, time } from '../format.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Tooltip);

/** The chart draws at most this many entries (the first pages of the history, oldest first). */
const CHART_ENTRIES_MAX = 500;
const CHART_PAGE_ROWS = 250;

async function historyOf(zentra: ReturnType<typeof useSession>['zentra'], accountId: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const page of zentra.accounts.entries(accountId, { limit: CHART_PAGE_ROWS }).pages()) {
    entries.push(...page.data);
    if (entries.length >= CHART_ENTRIES_MAX) break;
  }
  return entries.filter((e) => e.balance_after !== undefined).slice(0, CHART_ENTRIES_MAX);
}

function BalanceChart({ entries, currency }: { entries: Entry[]; currency: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current || entries.length === 0) return;
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: entries.map((e) => time(e.posted_at)),
        datasets: [
          {
            label: `Posted balance (${currency})`,
            data: entries.map((e) => plotValue(e.balance_after?.posted ?? "0", currency)),
            borderColor: '#2f5bea',
            backgroundColor: 'rgba(47, 91, 234, 0.10)',
            fill: true,
            stepped: true,
            pointRadius: entries.length > 60 ? 0 : 3,
            borderWidth: 2,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          tooltip: { callbacks: { label: (item) => money(entries[item.dataIndex]!.balance_after?.posted, currency) } },
        },
        scales: { x: { ticks: { maxTicksLimit: 6, maxRotation: 0 } }, y: { beginAtZero: false, grace: '5%' } },
      },
    });
    return () => chart.destroy();
  }, [entries, currency]);
  if (entries.length === 0) return <Empty>No entries yet: the balance has not moved.</Empty>;
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={`Balance history: ${entries.length} entries, last posted balance ${money(entries[entries.length - 1]!.balance_after?.posted, currency)}`} />
    </div>
  );
}

function Balances({ account }: { account: Account }) {
  const b = account.balances;
  const cells: [string, string][] = [
    ['Posted', b.posted],
    ['Pending debits', b.pending_debits],
    ['Pending credits', b.pending_credits],
    ['Available', b.available],
  ];
  return (
    <div class="stats" data-testid="balances">
      {cells.map(([label, value]) => (
        <div class="stat card" key={label}>
          <div class="stat-label">{label}</div>
          <div class="stat-value" data-testid={`balance-${label.toLowerCase().replace(' ', '-')}`}>
            <Money amount={value} currency={account.currency} />
          </div>
        </div>
      ))}
    </div>
  );
}

export function AccountPage({ id }: { id: string }) {
  const session = useSession();
  const { zentra } = session;
  const account = useLoad(() => zentra.accounts.retrieve(id), [id]);
  const history = useLoad(() => historyOf(zentra, id), [id]);
  const entries = usePaged<Entry>((cursor) => zentra.accounts.entries(id, { limit: PAGE_ROWS }).page(cursor), [id]);
  const holds = useLoad(() => zentra.holds.list({ account_id: id, status: 'pending', limit: PAGE_ROWS }).page(), [id]);
  const a = account.data;
  const currency = a?.currency ?? 'USD';
  const actions = a && session.can('freeze_account') && a.status !== 'closed' && (
    a.status === 'frozen' ? (
      <ActionButton label="Unfreeze" onClick={async () => (await zentra.accounts.unfreeze(id), account.reload())} />
    ) : (
      <ActionButton label="Freeze" kind="danger" onClick={async () => (await zentra.accounts.freeze(id), account.reload())} />
    )
  );
  return (
    <Page title={a ? a.customer : 'Account'} subtitle={a ? `${a.account_type} · ${a.currency} · ${a.id}` : id} actions={actions}>
      <ErrorNote error={account.error} />
      <Loading loading={account.loading && !a} />
      {a && (
        <>
          <p>
            <Badge status={a.status} /> <span class="muted">normal balance {a.normal_balance}{a.allow_negative ? ', may go negative' : ''}</span>
          </p>
          <Balances account={a} />
          <div class="card">
            <h2>Balance history</h2>
            <ErrorNote error={history.error} />
            {history.data && <BalanceChart entries={history.data} currency={currency} />}
          </div>
          <div class="card">
            <h2>Pending holds</h2>
            <ErrorNote error={holds.error} />
            {holds.data && holds.data.data.length === 0 && <Empty>No pending hold on this account.</Empty>}
            {holds.data && holds.data.data.length > 0 && (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Reference</th>
                    <th scope="col" class="num">Amount</th>
                    <th scope="col">Expires</th>
                  </tr>
                </thead>
                <tbody>
                  {holds.data.data.map((h: Hold) => (
                    <tr key={h.id}>
                      <td>{h.reference ?? shortId(h.id)}</td>
                      <td class="num">
                        <Money amount={h.amount} currency={h.currency} />
                      </td>
                      <td>{time(h.expires_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div class="card table-card">
            <h2>Entries</h2>
            <ErrorNote error={entries.error} />
            <table>
              <thead>
                <tr>
                  <th scope="col">Posted at</th>
                  <th scope="col">Transaction</th>
                  <th scope="col">Direction</th>
                  <th scope="col" class="num">Amount</th>
                  <th scope="col" class="num">Balance after</th>
                </tr>
              </thead>
              <tbody>
                {entries.rows.map((e) => (
                  <tr key={e.id}>
                    <td>{time(e.posted_at)}</td>
                    <td>
                      <a class="mono" href={`/console/transactions/${e.transaction_id}`}>
                        {shortId(e.transaction_id)}
                      </a>
                    </td>
                    <td>
                      <Badge status={e.direction} />
                    </td>
                    <td class="num">
                      <Money amount={e.amount} currency={e.currency} />
                    </td>
                    <td class="num">
                      <Money amount={e.balance_after?.posted} currency={e.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {!entries.loading && entries.rows.length === 0 && <Empty>No entries yet.</Empty>}
            <Pager label="Entries" pageNumber={entries.pageNumber} next={entries.next} previous={entries.previous} />
          </div>
        </>
      )}
    </Page>
  );
}
