import { useState } from 'preact/hooks';
import { ActionButton, Badge, Empty, ErrorNote, Loading, Money, NotForRole, Page, PAGE_ROWS, Pager, useLoad, usePaged, useSession } from '../ui.js';
import { shortId, time } from '../format.js';

type Run = { id: string; status: string; checked_position?: string; accounts_checked?: number; mismatches?: unknown[]; started_at?: string; duration_ms?: number };

export function TrialBalance() {
  const { zentra } = useSession();
  const trial = useLoad(() => zentra.reconciliation.trialBalance(), []);
  return (
    <div class="card">
      <h2>Trial balance</h2>
      <ErrorNote error={trial.error} />
      <Loading loading={trial.loading} />
      {trial.data && trial.data.data.length === 0 && <Empty>No posting yet.</Empty>}
      {trial.data && trial.data.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col" class="num">Posted debits</th>
              <th scope="col" class="num">Posted credits</th>
              <th scope="col" class="num">Pending debits</th>
              <th scope="col">Balanced</th>
            </tr>
          </thead>
          <tbody>
            {trial.data.data.map((row) => (
              <tr key={row.currency}>
                <td>{row.currency}</td>
                <td class="num">
                  <Money amount={row.posted.debits} currency={row.currency} />
                </td>
                <td class="num">
                  <Money amount={row.posted.credits} currency={row.currency} />
                </td>
                <td class="num">
                  <Money amount={row.pending.debits} currency={row.currency} />
                </td>
                <td>
                  <Badge status={row.posted.balanced && row.pending.balanced ? 'balanced' : 'unbalanced'} tone={row.posted.balanced && row.pending.balanced ? 'ok' : 'bad'} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function Reconciliation() {
  const session = useSession();
  const readable = session.can('reconcile');
  const [tick, setTick] = useState(0);
  const runs = usePaged<Run>((cursor) => (readable ? session.zentra.reconciliation.runs.list({ limit: PAGE_ROWS } as never).page(cursor) : Promise.resolve({ data: [] })) as never, [tick]);
  if (!readable) return <Page title="Reconciliation"><NotForRole what="reconciliation" /></Page>;
  return (
    <Page
      title="Reconciliation"
      subtitle="Drift checks replay the log and compare it with every read model."
      actions={<ActionButton label="Run drift check" kind="primary" onClick={async () => (await session.zentra.reconciliation.runs.create(), setTick((t) => t + 1))} />}
    >
      <TrialBalance />
      <div class="card table-card">
        <h2>Drift runs</h2>
        <ErrorNote error={runs.error} />
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Accounts checked</th>
              <th scope="col" class="num">Mismatches</th>
              <th scope="col">Checked up to</th>
            </tr>
          </thead>
          <tbody>
            {runs.rows.map((r) => (
              <tr key={r.id}>
                <td>{time(r.started_at)}</td>
                <td class="mono">{shortId(r.id)}</td>
                <td>
                  <Badge status={r.status} tone={r.status === 'balanced' ? 'ok' : r.status === 'running' ? 'warn' : 'bad'} />
                </td>
                <td class="num">{r.accounts_checked ?? '—'}</td>
                <td class="num">{r.mismatches?.length ?? 0}</td>
                <td class="mono">{r.checked_position ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!runs.loading && runs.rows.length === 0 && <Empty>No drift check has run yet.</Empty>}
        <Loading loading={runs.loading} />
        <Pager label="Runs" pageNumber={runs.pageNumber} next={runs.next} previous={runs.previous} />
      </div>
    </Page>
  );
}
