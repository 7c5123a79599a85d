import { PoolClient } from 'pg';
import { AccountCreatedData, balanceView, countersFrom, countersTouched, NormalBalance, pathNodes } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { occurredAt, Projection, tenantOf } from '#projection-runtime/index.js';

/** An account under a path, with the balances (as the API shows them) it last contributed. */
interface PathAccount {
  account_id: string;
  tenant_id: string;
  currency: string;
  path: string;
  normal_balance: NormalBalance;
  figures: Figures;
}

/** The sums a node holds: how many accounts are under it, and their balances added up. */
interface Figures {
  posted: bigint;
  pending_debits: bigint;
  pending_credits: bigint;
  available: bigint;
}

interface NodeState extends Figures {
  accounts: number;
}

const ZERO: Figures = { posted: 0n, pending_debits: 0n, pending_credits: 0n, available: 0n };

const SQL = {
  accounts: `select account_id::text, tenant_id::text, currency, path, normal_balance, posted, pending_debits, pending_credits, available
               from path_accounts where account_id = any($1::uuid[])`,
  nodes: `select distinct on (tenant_id, currency, node) tenant_id::text, currency, node, accounts, posted, pending_debits, pending_credits, available
            from path_node_history
           where (tenant_id, currency, node) in (select * from unnest($1::uuid[], $2::text[], $3::text[]))
           order by tenant_id, currency, node, position desc`,
  upsertAccounts: `
    insert into path_accounts (account_id, tenant_id, currency, path, normal_balance, posted, pending_debits, pending_credits, available)
    select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[])
    on conflict (account_id) do update set posted = excluded.posted, pending_debits = excluded.pending_debits,
      pending_credits = excluded.pending_credits, available = excluded.available`,
  history: `
    insert into path_node_history (tenant_id, currency, node, position, occurred_at, accounts, posted, pending_debits, pending_credits, available)
    select * from unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[], $5::timestamptz[], $6::int[], $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[])
    on conflict do nothing`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table path_accounts (
    account_id uuid primary key,
    tenant_id uuid not null,
    currency text not null,
    path text not null,
    normal_balance text not null,
    posted numeric not null,
    pending_debits numeric not null,
    pending_credits numeric not null,
    available numeric not null
  );
  create table path_node_history (
    tenant_id uuid not null,
    currency text not null,
    node text not null,
    position numeric(39,0) not null,
    occurred_at timestamptz not null,
    accounts integer not null,
    posted numeric not null,
    pending_debits numeric not null,
    pending_credits numeric not null,
    available numeric not null,
    primary key (tenant_id, currency, node, position)
  );`;

/**
 * Rollups over account paths (GET /balances?path_prefix=): one node per path prefix and
 * currency, holding the sum of the balances of every account at or under it. Each event that
 * changes a pathed account's balances adds the change to every node of its path, as a new row
 * of the node's history (at the event's position and time), so the rollup now and as of any
 * time is one indexed read of one row, never a sum over accounts per request. Accounts without a
 * path cost one lookup per batch.
 */
export const pathBalancesProjection: Projection = {
  name: 'path_balances',
  version: 1,
  tables: ['path_accounts', 'path_node_history'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const touchedIds = new Set<string>();
    for (const event of events) {
      if (event.type === 'account.created') continue;
      for (const id of countersTouched(event).keys()) touchedIds.add(id);
    }
    const accounts = new Map<string, PathAccount>();
    if (touchedIds.size > 0) {
      const { rows } = await tx.query(SQL.accounts, [[...touchedIds]]);
      for (const r of rows) accounts.set(r.account_id, { ...r, figures: { posted: BigInt(r.posted), pending_debits: BigInt(r.pending_debits), pending_credits: BigInt(r.pending_credits), available: BigInt(r.available) } });
    }
    const created = events.filter((e) => e.type === 'account.created' && (e.data as AccountCreatedData).path !== undefined);
    if (accounts.size === 0 && created.length === 0) return;

    const nodes = await loadNodes(tx, [...accounts.values(), ...created.map((e) => ({ tenant_id: tenantOf(e), currency: (e.data as AccountCreatedData).currency, path: (e.data as AccountCreatedData).path! }))]);
    const changedAccounts = new Set<PathAccount>();
    const history: unknown[][] = Array.from({ length: 10 }, () => []);
    const record = (account: Pick<PathAccount, 'tenant_id' | 'currency' | 'path'>, event: RecordedEvent, delta: Figures, accountsDelta: number) => {
      for (const node of pathNodes(account.path)) {
        const key = nodeKey(account.tenant_id, account.currency, node);
        const state = nodes.get(key) ?? { accounts: 0, ...ZERO };
        const next: NodeState = {
          accounts: state.accounts + accountsDelta,
          posted: state.posted + delta.posted,
          pending_debits: state.pending_debits + delta.pending_debits,
          pending_credits: state.pending_credits + delta.pending_credits,
          available: state.available + delta.available,
        };
        nodes.set(key, next);
        const row = [account.tenant_id, account.currency, node, event.position.toString(), occurredAt(event), next.accounts, next.posted.toString(), next.pending_debits.toString(), next.pending_credits.toString(), next.available.toString()];
        row.forEach((value, i) => history[i].push(value));
      }
    };
    for (const event of events) {
      if (event.type === 'account.created') {
        const d = event.data as AccountCreatedData;
        if (d.path === undefined) continue;
        const account: PathAccount = { account_id: d.account_id, tenant_id: tenantOf(event), currency: d.currency, path: d.path, normal_balance: d.normal_balance, figures: ZERO };
        accounts.set(d.account_id, account);
        changedAccounts.add(account);
        record(account, event, ZERO, 1);
        continue;
      }
      for (const [id, after] of countersTouched(event)) {
        const account = accounts.get(id);
        if (!account) continue;
        const view = balanceView(account.normal_balance, countersFrom(after));
        const figures: Figures = { posted: BigInt(view.posted), pending_debits: BigInt(view.pending_debits), pending_credits: BigInt(view.pending_credits), available: BigInt(view.available) };
        const delta: Figures = {
          posted: figures.posted - account.figures.posted,
          pending_debits: figures.pending_debits - account.figures.pending_debits,
          pending_credits: figures.pending_credits - account.figures.pending_credits,
          available: figures.available - account.figures.available,
        };
        account.figures = figures;
        changedAccounts.add(account);
        record(account, event, delta, 0);
      }
    }
    if (changedAccounts.size > 0) {
      const rows = [...changedAccounts];
      await tx.query(SQL.upsertAccounts, [
        rows.map((a) => a.account_id), rows.map((a) => a.tenant_id), rows.map((a) => a.currency), rows.map((a) => a.path), rows.map((a) => a.normal_balance),
        rows.map((a) => a.figures.posted.toString()), rows.map((a) => a.figures.pending_debits.toString()), rows.map((a) => a.figures.pending_credits.toString()), rows.map((a) => a.figures.available.toString()),
      ]);
    }
    // Two events at one position never touch one node twice (one event per position), but one
    // event may touch a node through two accounts: the last row for (node, position) wins.
    if (history[0].length > 0) await tx.query(SQL.history, dedupeLastPerKey(history));
  },
};

function nodeKey(tenantId: string, currency: string, node: string): string {
  return `${tenantId}/${currency}/${node}`;
}

async function loadNodes(tx: PoolClient, accounts: Pick<PathAccount, 'tenant_id' | 'currency' | 'path'>[]): Promise<Map<string, NodeState>> {
  const wanted = new Map<string, [string, string, string]>();
  for (const a of accounts) for (const node of pathNodes(a.path)) wanted.set(nodeKey(a.tenant_id, a.currency, node), [a.tenant_id, a.currency, node]);
  const keys = [...wanted.values()];
  const nodes = new Map<string, NodeState>();
  if (keys.length === 0) return nodes;
  const { rows } = await tx.query(SQL.nodes, [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])]);
  for (const r of rows) {
    nodes.set(nodeKey(r.tenant_id, r.currency, r.node), { accounts: r.accounts, posted: BigInt(r.posted), pending_debits: BigInt(r.pending_debits), pending_credits: BigInt(r.pending_credits), available: BigInt(r.available) });
  }
  return nodes;
}

/** Keeps, for each (tenant, currency, node, position), only its last row: the node after the whole event. */
function dedupeLastPerKey(columns: unknown[][]): unknown[][] {
  const last = new Map<string, number>();
  for (let i = 0; i < columns[0].length; i++) last.set(`${columns[0][i]}/${columns[1][i]}/${columns[2][i]}/${columns[3][i]}`, i);
  const keep = [...last.values()].sort((a, b) => a - b);
  return columns.map((column) => keep.map((i) => column[i]));
}
