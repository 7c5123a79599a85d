import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { Intent, LedgerEvent, Transaction, WebhookDelivery, Zentra } from '@zentra/sdk';
import { Badge, Empty, ErrorNote, Loading, Page, useLoad, useSession } from '../ui.js';
import { Timeline } from './intents.js';
import { EvidencePanel, MoneyFlow } from './transactions.js';
import { Attempts } from './webhooks.js';
import { shortId, time } from '../format.js';

/** How many recent intents and transactions the trace page offers to pick from. */
const RECENT_MAX = 8;

/** With nothing picked yet: the newest intents and transactions, one click from their trace. */
function Recent() {
  const { zentra } = useSession();
  const recent = useLoad(
    async () => ({
      intents: (await zentra.runtime.intents.list({ limit: RECENT_MAX }).page()).data,
      transactions: (await zentra.transactions.list({ limit: RECENT_MAX }).page()).data,
    }),
    [],
  );
  return (
    <div class="card">
      <h2>Pick one</h2>
      <ErrorNote error={recent.error} />
      <Loading loading={recent.loading} />
      {recent.data && (
        <div class="columns">
          <div>
            <h3>Intents</h3>
            {recent.data.intents.length === 0 && <Empty>No intent yet.</Empty>}
            <ul class="plain">
              {recent.data.intents.map((i) => (
                <li key={i.id}>
                  <a href={`/console/trace?intent=${encodeURIComponent(i.id)}`}>{i.id}</a> <Badge status={i.status} />
                </li>
              ))}
            </ul>
          </div>
          <div>
            <h3>Transactions</h3>
            {recent.data.transactions.length === 0 && <Empty>No transaction yet.</Empty>}
            <ul class="plain">
              {recent.data.transactions.map((t) => (
                <li key={t.id}>
                  <a class="mono" href={`/console/trace?transaction=${t.id}`}>{shortId(t.id)}</a> <span class="small muted">{t.reference ?? t.description ?? ''} {time(t.posted_at)}</span>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}

/** How far past the request's first event the trace looks for the events it appended. */
const TRACE_EVENTS_MAX = 50;

interface Trace {
  intent: Intent | null;
  transaction: Transaction | null;
  events: LedgerEvent[];
  deliveries: Record<string, WebhookDelivery[]>;
}

const mentions = (event: LedgerEvent, ids: string[]) => {
  const data = event.data as Record<string, unknown>;
  return ids.some((id) => data.intent_id === id || data.transaction_id === id || data.hold_id === id || data.id === id);
};

/** Everything one request caused: the intent (or transaction), its events, their deliveries. */
async function traceOf(zentra: Zentra, intentId: string | undefined, transactionId: string | undefined, canReadWebhooks: boolean): Promise<Trace> {
  const intent = intentId ? await zentra.runtime.intents.retrieve(intentId) : null;
  const txId = transactionId ?? intent?.transaction_id ?? undefined;
  const transaction = txId ? await zentra.transactions.retrieve(txId) : null;
  const ids = [intent?.id, intent?.hold_id, transaction?.id].filter((x): x is string => !!x);
  const first = intent?.states.find((s) => (s as { position?: string }).position)?.position ?? transaction?.position;
  let events: LedgerEvent[] = [];
  if (first) {
    const page = await zentra.events.list({ after: String(BigInt(first) - 1n), limit: TRACE_EVENTS_MAX } as never).page();
    events = page.data.filter((e) => mentions(e, ids));
  }
  const deliveries: Record<string, WebhookDelivery[]> = {};
  if (canReadWebhooks) {
    for (const e of events) deliveries[e.id] = (await zentra.webhookDeliveries.list({ event_id: e.id } as never).page()).data;
  }
  return { intent, transaction, events, deliveries };
}

export function RequestView() {
  const session = useSession();
  const { query, route } = useLocation();
  const intentId = query.intent || undefined;
  const transactionId = query.transaction || undefined;
  const [input, setInput] = useState(intentId ?? transactionId ?? '');
  const trace = useLoad(
    () => (intentId || transactionId ? traceOf(session.zentra, intentId, transactionId, session.can('read_webhooks')) : Promise.resolve(null)),
    [intentId, transactionId],
  );
  const pick = (event: Event) => {
    event.preventDefault();
    const value = input.trim();
    if (!value) return;
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
    route(`/console/trace?${isUuid ? 'transaction' : 'intent'}=${encodeURIComponent(value)}`);
  };
  const t = trace.data;
  return (
    <Page title="One request, end to end" subtitle="The call, the answer, the events it appended, the webhooks they caused, the ledger and audit consequence.">
      <form class="toolbar" role="search" onSubmit={pick}>
        <label>
          Intent id or transaction id
          <input value={input} onInput={(e) => setInput((e.target as HTMLInputElement).value)} placeholder="intent_042 or a transaction id" />
        </label>
        <button type="submit" class="primary">
          Trace
        </button>
      </form>
      <ErrorNote error={trace.error} />
      {!intentId && !transactionId && <Recent />}
      <Loading loading={trace.loading && !!(intentId || transactionId)} />
      {t && (
        <div class="trace">
          <section class="card">
            <h2>1. The call</h2>
            {t.intent ? (
              <pre class="code">{`POST /intents\n${JSON.stringify({ intent_id: t.intent.id, scope: t.intent.scope, money_model: t.intent.money_model, primitives: t.intent.primitives, amount: t.intent.amount, currency: t.intent.currency, source_account_id: t.intent.source_account_id, destination_account_id: t.intent.destination_account_id, corridor: t.intent.corridor }, null, 2)}`}</pre>
            ) : (
              <pre class="code">{`POST /transactions\n${JSON.stringify({ entries: t.transaction?.entries.map((e) => ({ account_id: e.account_id, direction: e.direction, amount: e.amount })), reference: t.transaction?.reference }, null, 2)}`}</pre>
            )}
          </section>
          <section class="card">
            <h2>2. The response</h2>
            {t.intent && (
              <>
                <p>
                  <Badge status={t.intent.status} /> <span class="muted">route {t.intent.route?.name ?? 'none'}</span>
                </p>
                <Timeline intent={t.intent} />
              </>
            )}
            {!t.intent && t.transaction && (
              <p>
                <Badge status={t.transaction.status} /> transaction <span class="mono">{t.transaction.id}</span> at position {t.transaction.position}
              </p>
            )}
          </section>
          <section class="card">
            <h2>3. Events appended</h2>
            {t.events.length === 0 && <Empty>No event found for this request.</Empty>}
            <ol class="events">
              {t.events.map((e) => (
                <li key={e.id}>
                  <span class="mono small muted">#{e.position}</span> <strong>{e.type}</strong> <span class="small muted">{time(e.occurred_at)}</span>
                  <div class="deliveries">
                    {!session.can('read_webhooks') ? null : (t.deliveries[e.id] ?? []).length === 0 ? (
                      <span class="small muted">no webhook delivery</span>
                    ) : (
                      t.deliveries[e.id]!.map((d) => (
                        <div key={d.id} class="delivery">
                          <span class="small">webhook {shortId(d.endpoint_id)}</span> <Badge status={d.status} /> <Attempts delivery={d} />
                        </div>
                      ))
                    )}
                  </div>
                </li>
              ))}
            </ol>
          </section>
          {t.transaction && (
            <section class="card">
              <h2>4. Ledger consequence</h2>
              <MoneyFlow entries={t.transaction.entries} />
            </section>
          )}
          {t.transaction && (
            <section>
              <h2 class="section-title">5. Audit consequence</h2>
              <EvidencePanel transactionId={t.transaction.id} />
            </section>
          )}
        </div>
      )}
    </Page>
  );
}
