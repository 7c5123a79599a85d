import { useState } from 'preact/hooks';
import type { WebhookDelivery } from '@zentra/sdk';
import { ActionButton, Badge, Empty, ErrorNote, Loading, NotForRole, Page, PAGE_ROWS, Pager, useLoad, usePaged, useSession } from '../ui.js';
import { shortId, time } from '../format.js';

const STATUSES = ['failed', 'retrying', 'pending', 'delivered', 'all'] as const;

export function Attempts({ delivery }: { delivery: WebhookDelivery }) {
  if (delivery.attempts.length === 0) return <span class="muted">no attempt yet</span>;
  return (
    <ol class="attempts">
      {delivery.attempts.map((a, n) => {
        const attempt = a as { at: string; status_code?: number; error?: string; duration_ms: number };
        const ok = attempt.status_code !== undefined && attempt.status_code >= 200 && attempt.status_code < 300;
        return (
          <li key={n}>
            <Badge status={attempt.status_code !== undefined ? String(attempt.status_code) : 'error'} tone={ok ? 'ok' : 'bad'} /> <span class="small">{time(attempt.at)}</span>{' '}
            <span class="small muted">{attempt.duration_ms} ms</span> {attempt.error && <span class="small error-text">{attempt.error}</span>}
          </li>
        );
      })}
    </ol>
  );
}

export function Webhooks() {
  const session = useSession();
  const { zentra } = session;
  const readable = session.can('read_webhooks');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('failed');
  const endpoints = useLoad(() => (readable ? zentra.webhookEndpoints.list().page() : Promise.resolve({ data: [] })), []);
  const deliveries = usePaged<WebhookDelivery>(
    (cursor) => (readable ? zentra.webhookDeliveries.list({ ...(status === 'all' ? {} : { status }), limit: PAGE_ROWS } as never).page(cursor) : Promise.resolve({ data: [] })),
    [status],
  );
  const [replayed, setReplayed] = useState<Record<string, boolean>>({});
  if (!readable) return <Page title="Webhooks"><NotForRole what="webhooks" /></Page>;
  return (
    <Page title="Webhooks" subtitle="Signed deliveries of the tenant's events, with every attempt.">
      <div class="card">
        <h2>Endpoints</h2>
        <ErrorNote error={endpoints.error} />
        {endpoints.data?.data.length === 0 && <Empty>No endpoint yet.</Empty>}
        <ul class="plain">
          {endpoints.data?.data.map((e) => (
            <li key={e.id}>
              <Badge status={e.status} tone={e.status === 'enabled' ? 'ok' : 'warn'} /> <span class="mono">{e.url}</span> <span class="muted small">{e.events.join(', ')}</span>
            </li>
          ))}
        </ul>
      </div>
      <div class="tabs" role="tablist" aria-label="Delivery status">
        {STATUSES.map((s) => (
          <button type="button" role="tab" aria-selected={status === s} class={status === s ? 'tab active' : 'tab'} onClick={() => setStatus(s)} key={s}>
            {s[0]!.toUpperCase() + s.slice(1)}
          </button>
        ))}
      </div>
      <ErrorNote error={deliveries.error} />
      <div class="card table-card">
        <table>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.rows.map((d) => (
              <tr key={d.id} data-delivery-id={d.id}>
                <td>
                  {d.event_type}
                  <div class="muted mono small">event {shortId(d.event_id)}</div>
                </td>
                <td>
                  <Badge status={replayed[d.id] ? 'replay queued' : d.status} tone={replayed[d.id] ? 'warn' : undefined} />
                </td>
                <td>
                  <Attempts delivery={d} />
                </td>
                <td>{time(d.next_attempt_at)}</td>
                <td>
                  {session.can('replay_webhook_delivery') && !replayed[d.id] && d.status !== 'pending' && (
                    <ActionButton label="Replay" onClick={async () => (await zentra.webhookDeliveries.replay(d.id), setReplayed((r) => ({ ...r, [d.id]: true })))} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!deliveries.loading && deliveries.rows.length === 0 && <Empty>No {status === 'all' ? '' : status} delivery.</Empty>}
        <Loading loading={deliveries.loading} />
      </div>
      <Pager label="Deliveries" pageNumber={deliveries.pageNumber} next={deliveries.next} previous={deliveries.previous} />
    </Page>
  );
}
