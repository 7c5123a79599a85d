import type { Entry, Transaction } from '@zentra/sdk';
import { ActionButton, Badge, Empty, ErrorNote, Loading, Money, NotForRole, Page, PAGE_ROWS, Pager, useLoad, usePaged, useSession } from '../ui.js';
import { shortId, time } from '../format.js';

export function Transactions() {
  const { zentra } = useSession();
  const list = usePaged<Transaction>((cursor) => zentra.transactions.list({ limit: PAGE_ROWS }).page(cursor), []);
  return (
    <Page title="Transactions" subtitle="Balanced postings, newest first. Open one for its money flow and evidence.">
      <ErrorNote error={list.error} />
      <div class="card table-card">
        <table>
          <thead>
            <tr>
              <th scope="col">Posted at</th>
              <th scope="col">Transaction</th>
              <th scope="col">Reference</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Moved</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((t) => {
              const debit = t.entries.find((e) => e.direction === 'debit');
              return (
                <tr key={t.id}>
                  <td>{time(t.posted_at)}</td>
                  <td>
                    <a class="mono" href={`/console/transactions/${t.id}`}>
                      {shortId(t.id)}
                    </a>
                    {t.description && <div class="muted small">{t.description}</div>}
                  </td>
                  <td>{t.reference ?? <span class="muted">—</span>}</td>
                  <td>
                    <Badge status={t.status} />
                  </td>
                  <td class="num">{debit && <Money amount={movedIn(t.entries, debit.currency)} currency={debit.currency} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {!list.loading && list.rows.length === 0 && <Empty>No transaction yet.</Empty>}
        <Loading loading={list.loading} />
      </div>
      <Pager label="Transactions" pageNumber={list.pageNumber} next={list.next} previous={list.previous} />
    </Page>
  );
}

/**
 * The money that moved in one currency: each account's debits less its credits, summed over the
 * accounts that gave more than they took. An account that money only passes through (an
 * intent's settlement account, credited then debited) nets to zero and adds nothing, so a
 * 42.00 settlement through it shows 42.00, not the 84.00 its four entries debit.
 */
function movedIn(entries: Entry[], currency: string): string {
  const net = new Map<string, bigint>();
  for (const e of entries) {
    if (e.currency !== currency) continue;
    net.set(e.account_id, (net.get(e.account_id) ?? 0n) + (e.direction === 'debit' ? BigInt(e.amount) : -BigInt(e.amount)));
  }
  let moved = 0n;
  for (const amount of net.values()) if (amount > 0n) moved += amount;
  return moved.toString();
}

/** The seed's "Ledger flow": money leaves the debited accounts (left) and lands on the credited ones (right). */
export function MoneyFlow({ entries }: { entries: Entry[] }) {
  const side = (direction: string) =>
    entries
      .filter((e) => e.direction === direction)
      .map((e) => (
        <a class="flow-node" href={`/console/accounts/${e.account_id}`} key={e.id}>
          <span class="mono small">{shortId(e.account_id)}</span>
          <Money amount={e.amount} currency={e.currency} />
        </a>
      ));
  const currencies = [...new Set(entries.map((e) => e.currency))];
  return (
    <div class="flow" aria-label="Money flow">
      <div class="flow-side">
        <div class="flow-title">Debited (from)</div>
        {side('debit')}
      </div>
      <div class="flow-arrow" aria-hidden="true">
        {currencies.map((c) => (
          <div key={c}>
            <Money amount={movedIn(entries, c)} currency={c} />
          </div>
        ))}
        <div class="arrow">⟶</div>
      </div>
      <div class="flow-side">
        <div class="flow-title">Credited (to)</div>
        {side('credit')}
      </div>
    </div>
  );
}

export function EvidencePanel({ transactionId }: { transactionId: string }) {
  const session = useSession();
  const evidence = useLoad(() => (session.can('read_evidence') ? session.zentra.evidence.transaction(transactionId) : Promise.resolve(null)), [transactionId]);
  if (!session.can('read_evidence')) return <NotForRole what="evidence" />;
  const e = evidence.data;
  return (
    <div class="card">
      <h2>Evidence</h2>
      <ErrorNote error={evidence.error} />
      <Loading loading={evidence.loading} />
      {e && (
        <dl class="facts">
          <dt>Signature</dt>
          <dd>
            <Badge status={e.signature} tone={e.signature === 'verified' ? 'ok' : 'bad'} />
          </dd>
          <dt>Status</dt>
          <dd>{e.status}</dd>
          <dt>Actor</dt>
          <dd class="mono">{e.actor}</dd>
          <dt>Scope</dt>
          <dd class="mono">tenant {e.scope.tenant_id}</dd>
          <dt>Policy checks</dt>
          <dd>
            {e.policy.map((p) => (
              <Badge key={p} status={p} tone={p.endsWith('passed') ? 'ok' : 'warn'} />
            ))}
          </dd>
          <dt>Intent</dt>
          <dd>{e.intent_id ? <a href={`/console/intents/${encodeURIComponent(e.intent_id)}`}>{e.intent_id}</a> : <span class="muted">none</span>}</dd>
          <dt>Recorded</dt>
          <dd>{time(e.timestamp)}</dd>
          <dt>Hash</dt>
          <dd class="mono small break">{e.hash}</dd>
          <dt>Previous hash</dt>
          <dd class="mono small break">{e.prev_hash}</dd>
        </dl>
      )}
    </div>
  );
}

export function TransactionPage({ id }: { id: string }) {
  const session = useSession();
  const tx = useLoad(() => session.zentra.transactions.retrieve(id), [id]);
  const t = tx.data as (Transaction & { reverses?: string | null; reversed_by?: string | null }) | null;
  const actions = t && t.status === 'posted' && !t.reverses && session.can('reverse_transaction') && (
    <ActionButton label="Reverse" kind="danger" onClick={async () => (await session.zentra.transactions.reverse(id, { reason: 'reversed from the console' }), tx.reload())} />
  );
  return (
    <Page title="Transaction" subtitle={id} actions={actions}>
      <ErrorNote error={tx.error} />
      <Loading loading={tx.loading && !t} />
      {t && (
        <>
          <p>
            <Badge status={t.status} /> <span class="muted">posted {time(t.posted_at)}</span>
            {t.reference && <span class="muted"> · reference {t.reference}</span>}
            {t.reverses && (
              <>
                {' '}· reverses <a href={`/console/transactions/${t.reverses}`}>{shortId(t.reverses)}</a>
              </>
            )}
            {' '}· <a href={`/console/trace?transaction=${t.id}`}>trace end to end</a>
            {t.reversed_by && (
              <>
                {' '}· reversed by <a href={`/console/transactions/${t.reversed_by}`}>{shortId(t.reversed_by)}</a>
              </>
            )}
          </p>
          <div class="card">
            <h2>Ledger flow</h2>
            <MoneyFlow entries={t.entries} />
          </div>
          <EvidencePanel transactionId={id} />
        </>
      )}
    </Page>
  );
}
