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

type StatementLine = { line: number; external_id: string; status: string; entry_ids?: string[]; error?: string };
type Statement = { id: string; account_id: string; summary: Record<string, number>; lines?: StatementLine[] };

/** An imported statement by id: its summary and each line matched, unmatched, ambiguous or invalid. */
function StatementLookup() {
  const { zentra } = useSession();
  const [input, setInput] = useState('');
  const [id, setId] = useState<string | null>(null);
  const statement = useLoad(() => (id ? (zentra.reconciliation.statements.retrieve(id) as Promise<Statement>) : Promise.resolve(null)), [id]);
  const s = statement.data;
  return (
    <div class="card">
      <h2>Statement</h2>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setId(input.trim() || null);
        }}
      >
        <label>
          Statement id
          <input value={input} onInput={(e) => setInput((e.target as HTMLInputElement).value)} placeholder="the id POST /reconciliation/statements answered" />
        </label>
        <button type="submit" class="secondary">
          Open
        </button>
      </form>
      <ErrorNote error={id ? statement.error : null} />
      {s && (
        <>
          <p>
            {Object.entries(s.summary).map(([k, v]) => (
              <Badge key={k} status={`${v} ${k}`} tone={k === 'matched' ? 'ok' : v === 0 ? undefined : 'warn'} />
            ))}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">External id</th>
                <th scope="col">Status</th>
                <th scope="col">Entries</th>
              </tr>
            </thead>
            <tbody>
              {(s.lines ?? []).map((l) => (
                <tr key={l.line}>
                  <td>{l.line}</td>
                  <td class="mono">{l.external_id}</td>
                  <td>
                    <Badge status={l.status} tone={l.status === 'matched' ? 'ok' : 'warn'} />
                    {l.error && <div class="small error-text">{l.error}</div>}
                  </td>
                  <td class="mono small">{(l.entry_ids ?? []).map(shortId).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
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
      <StatementLookup />
    </Page>
  );
}
