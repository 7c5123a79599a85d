import { useState } from 'preact/hooks';
import type { Hold } from '@zentra/sdk';
import { ActionButton, ActionWithNote, Badge, Empty, ErrorNote, Loading, Money, Page, PAGE_ROWS, Pager, usePaged, useSession } from '../ui.js';
import { relative, shortId, time } from '../format.js';

const VIEWS = [
  ['stuck', 'Stuck'],
  ['pending', 'Pending'],
  ['all', 'All'],
] as const;
type View = (typeof VIEWS)[number][0];

/** Stuck: pending past its expiry (the sweep has not caught it) or longer than the service's threshold (the stuck view). */
function isStuck(hold: Hold, view: View): boolean {
  if (hold.status !== 'pending') return false;
  return view === 'stuck' || (hold.expires_at !== null && hold.expires_at !== undefined && new Date(hold.expires_at).getTime() < Date.now());
}

export function Holds() {
  const session = useSession();
  const { zentra } = session;
  const [view, setView] = useState<View>('stuck');
  const filter = view === 'stuck' ? { stuck: 'true' } : view === 'pending' ? { status: 'pending' } : {};
  const list = usePaged<Hold>((cursor) => zentra.holds.list({ ...filter, limit: PAGE_ROWS } as never).page(cursor), [view]);
  const [resolved, setResolved] = useState<Record<string, Hold>>({});
  const shown = list.rows.map((h) => resolved[h.id] ?? h);
  return (
    <Page title="Holds" subtitle="Reserved funds. A stuck hold stays here until it is released, captured or expires.">
      <div class="tabs" role="tablist" aria-label="Which holds">
        {VIEWS.map(([value, label]) => (
          <button type="button" role="tab" aria-selected={view === value} class={view === value ? 'tab active' : 'tab'} onClick={() => setView(value)} key={value}>
            {label}
          </button>
        ))}
      </div>
      <ErrorNote error={list.error} />
      <div class="card table-card">
        <table>
          <thead>
            <tr>
              <th scope="col">Reference</th>
              <th scope="col" class="num">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Age</th>
              <th scope="col">Expiry</th>
              <th scope="col">Accounts</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((h) => {
              const stuck = isStuck(h, view);
              return (
                <tr key={h.id} class={stuck ? 'stuck' : undefined} data-hold-id={h.id}>
                  <td>
                    {h.reference ?? <span class="muted">no reference</span>}
                    <div class="muted mono small">{shortId(h.id)}</div>
                  </td>
                  <td class="num">
                    <Money amount={h.amount} currency={h.currency} />
                  </td>
                  <td>
                    <Badge status={h.status} />
                    {stuck && <Badge status="stuck" />}
                  </td>
                  <td>{relative(h.created_at)}</td>
                  <td>
                    {h.expires_at ? time(h.expires_at) : <span class="muted">never</span>}
                    {h.expires_at && <div class="muted small">{relative(h.expires_at)}</div>}
                  </td>
                  <td class="small">
                    <a href={`/console/accounts/${h.account_id}`}>from {shortId(h.account_id)}</a>
                    <br />
                    <a href={`/console/accounts/${h.destination_account_id}`}>to {shortId(h.destination_account_id)}</a>
                  </td>
                  <td class="actions">
                    {h.status === 'pending' && session.can('release_hold') && (
                      <ActionWithNote
                        label="Release"
                        noteLabel="Release note"
                        onConfirm={async (note) => {
                          const released = await zentra.holds.release(h.id, note ? { reason: note } : {});
                          setResolved((r) => ({ ...r, [h.id]: released as Hold }));
                        }}
                      />
                    )}
                    {h.status === 'pending' && session.can('capture_hold') && (
                      <ActionButton
                        label="Capture"
                        onClick={async () => {
                          const captured = await zentra.holds.capture(h.id);
                          setResolved((r) => ({ ...r, [h.id]: captured.hold as Hold }));
                        }}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {!list.loading && shown.length === 0 && <Empty>{view === 'stuck' ? 'No stuck hold. Nothing waits for review.' : 'No hold here.'}</Empty>}
        <Loading loading={list.loading} />
      </div>
      <Pager label="Holds" pageNumber={list.pageNumber} next={list.next} previous={list.previous} />
    </Page>
  );
}
