import type { Intent } from '@zentra/sdk';
import { ActionButton, Badge, Empty, ErrorNote, Loading, Money, Page, PAGE_ROWS, Pager, useLoad, usePaged, useSession } from '../ui.js';
import { shortId, time } from '../format.js';

/** The runtime's six states, in order; a refused intent stops at one of them. */
export const INTENT_STATES = ['accepted', 'controlled', 'ledgered', 'routed', 'synchronized', 'evidenced'] as const;

export function Intents() {
  const { zentra } = useSession();
  const list = usePaged<Intent>((cursor) => zentra.runtime.intents.list({ limit: PAGE_ROWS }).page(cursor) as never, []);
  return (
    <Page title="Intents" subtitle="Money movements driven through the runtime: accepted → controlled → ledgered → routed → synchronized → evidenced.">
      <ErrorNote error={list.error} />
      <div class="card table-card">
        <table>
          <thead>
            <tr>
              <th scope="col">Intent</th>
              <th scope="col">Status</th>
              <th scope="col">Corridor</th>
              <th scope="col" class="num">Amount</th>
              <th scope="col">Reached</th>
            </tr>
          </thead>
          <tbody>
            {list.rows.map((i) => (
              <tr key={i.id}>
                <td>
                  <a href={`/console/intents/${encodeURIComponent(i.id)}`}>{i.id}</a>
                </td>
                <td>
                  <Badge status={i.status} />
                </td>
                <td>{i.corridor}</td>
                <td class="num">
                  <Money amount={i.amount} currency={i.currency} />
                </td>
                <td>{i.states[i.states.length - 1]?.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!list.loading && list.rows.length === 0 && <Empty>No intent yet.</Empty>}
        <Loading loading={list.loading} />
      </div>
      <Pager label="Intents" pageNumber={list.pageNumber} next={list.next} previous={list.previous} />
    </Page>
  );
}

export function Timeline({ intent }: { intent: Intent }) {
  const reached = new Map(intent.states.map((s) => [s.state, s]));
  const refused = reached.get('refused') as (Intent['states'][number] & { stage?: string; code?: string }) | undefined;
  return (
    <ol class="timeline" aria-label="Intent states">
      {INTENT_STATES.map((name) => {
        const state = reached.get(name);
        const stoppedHere = refused && (refused.stage === name || (!state && !refused.stage));
        const cls = state ? 'done' : stoppedHere ? 'refused' : 'todo';
        return (
          <li class={`step ${cls}`} key={name}>
            <div class="dot" aria-hidden="true" />
            <div class="step-name">{name}</div>
            <div class="small muted">{state ? time(state.at).slice(11) : stoppedHere ? `refused ${refused?.code ?? ''}` : 'not reached'}</div>
            {state?.position && <div class="small mono muted">position {state.position}</div>}
          </li>
        );
      })}
    </ol>
  );
}

export function IntentPage({ id }: { id: string }) {
  const session = useSession();
  const intent = useLoad(() => session.zentra.runtime.intents.retrieve(id), [id]);
  const i = intent.data;
  const open = i?.status === 'open' && session.can('settle_intent');
  const actions = open && (
    <>
      <ActionButton label="Settle" kind="primary" onClick={async () => (await session.zentra.runtime.intents.settle(id), intent.reload())} />
      <ActionButton label="Cancel intent" kind="danger" onClick={async () => (await session.zentra.runtime.intents.cancel(id, { reason: 'canceled from the console' }), intent.reload())} />
    </>
  );
  return (
    <Page title={`Intent ${id}`} subtitle={i ? `${i.corridor} · ${i.scope}` : undefined} actions={actions}>
      <ErrorNote error={intent.error} />
      <Loading loading={intent.loading && !i} />
      {i && (
        <>
          <p>
            <Badge status={i.status} /> <Money amount={i.amount} currency={i.currency} /> from{' '}
            <a href={`/console/accounts/${i.source_account_id}`}>{shortId(i.source_account_id)}</a> to{' '}
            <a href={`/console/accounts/${i.destination_account_id}`}>{shortId(i.destination_account_id)}</a>
            {i.route && <span class="muted"> · route {i.route.name}</span>}
          </p>
          <div class="card">
            <h2>Timeline</h2>
            <Timeline intent={i} />
          </div>
          <div class="card">
            <h2>Links</h2>
            <dl class="facts">
              <dt>Hold</dt>
              <dd class="mono">{i.hold_id ?? '—'}</dd>
              <dt>Transaction</dt>
              <dd>{i.transaction_id ? <a href={`/console/transactions/${i.transaction_id}`}>{i.transaction_id}</a> : '—'}</dd>
              <dt>End to end</dt>
              <dd>
                <a href={`/console/trace?intent=${encodeURIComponent(i.id)}`}>Trace this intent end to end</a>
              </dd>
            </dl>
          </div>
        </>
      )}
    </Page>
  );
}
