import { PoolClient } from 'pg';
import { AccountCreatedData, AccountStatusChangedData, BalanceCounters, countersTouched } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { BatchedStatement, Projection, StatementSequence, tenantOf } from '#projection-runtime/index.js';

const INSERT: BatchedStatement = {
  sql: `
    insert into accounts (id, tenant_id, customer, currency, account_type, normal_balance, allow_negative, status,
                          metadata, created_at, created_position, position, path)
    select v.id, v.tenant_id, v.customer, v.currency, v.account_type, v.normal_balance, v.allow_negative, 'active',
           v.metadata, v.created_at, v.position, v.position, v.path
      from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], jsonb_column($8),
                  $9::timestamptz[], $10::numeric[], $11::text[])
           as v(id, tenant_id, customer, currency, account_type, normal_balance, allow_negative, metadata, created_at, position, path)
    on conflict (id) do nothing`,
  width: 11,
  jsonColumns: [7],
};

const SET_STATUS: BatchedStatement = {
  sql: `update accounts a set status = v.status, position = v.position
          from unnest($1::uuid[], $2::text[], $3::numeric[]) as v(id, status, position) where a.id = v.id`,
  width: 3,
};

const SQL = {  // One statement per batch: each account's counters as the last entry in the batch left them.
  setCounters: `
    update accounts a
       set debits_posted = v.debits_posted, credits_posted = v.credits_posted,
           debits_pending = v.debits_pending, credits_pending = v.credits_pending, position = v.position,
           lock_version = a.lock_version + v.changes
      from unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::bigint[])
           as v(id, debits_posted, credits_posted, debits_pending, credits_pending, position, changes)
     where a.id = v.id`,
};

interface CounterRow {
  id: string;
  debits_posted: string;
  credits_posted: string;
  debits_pending: string;
  credits_pending: string;
  position: string;
  /** Events of the batch that changed the account's balances: what its lock_version moves by. */
  changes: number;
}

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const TABLES = `
  create table accounts (
    id uuid primary key,
    tenant_id uuid not null,
    customer text not null,
    currency text not null,
    account_type text not null,
    normal_balance text not null,
    allow_negative boolean not null,
    status text not null,
    metadata jsonb not null,
    created_at timestamptz not null,
    debits_posted numeric not null default 0,
    credits_posted numeric not null default 0,
    debits_pending numeric not null default 0,
    credits_pending numeric not null default 0,
    lock_version bigint not null default 0,
    path text,
    created_position numeric(39,0) not null,
    position numeric(39,0) not null
  );
  create unique index accounts_tenant_path on accounts (tenant_id, path) where path is not null;`;
/**
 * Its secondary indexes (a rebuild builds them after filling the table: bulk-rebuild.ts). The
 * unique one above stays with the table: it refuses a second account at a path as it is applied.
 */
const INDEXES = `
  create index accounts_tenant_created on accounts (tenant_id, created_position);
  -- GET /accounts?metadata.<key>=<value>: containment (metadata @> {key: value}) on a GIN index,
  -- so a filter reads the matching accounts' index entries, never a whole tenant.
  create index accounts_metadata on accounts using gin (metadata jsonb_path_ops);
  create index accounts_tenant_customer on accounts (tenant_id, customer, created_position);`;

/** Accounts with their current counters; balances are derived when read. */
export const accountsProjection: Projection = {
  name: 'accounts',
  version: 2,
  tables: ['accounts'],
  schema: TABLES + INDEXES,
  // Counters are updated in place by id: the rebuild applies as live, without the secondary indexes to maintain.
  bulk: { indexes: INDEXES },
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    // Creations and status changes in batches (in event order); counters gathered per account.
    const statements = new StatementSequence();
    let counters = new Map<string, CounterRow>();
    const flushCounters = async () => {
      if (counters.size === 0) return;
      const rows = [...counters.values()];
      await tx.query(SQL.setCounters, [
        rows.map((r) => r.id),
        rows.map((r) => r.debits_posted),
        rows.map((r) => r.credits_posted),
        rows.map((r) => r.debits_pending),
        rows.map((r) => r.credits_pending),
        rows.map((r) => r.position),
        rows.map((r) => r.changes),
      ]);
      counters = new Map();
    };
    for (const event of events) {
      switch (event.type) {
        case 'account.created': {
          const d = event.data as AccountCreatedData;
          await statements.add(tx, INSERT, d.account_id, [
            d.account_id, tenantOf(event), d.customer, d.currency, d.account_type, d.normal_balance, d.allow_negative,
            d.metadata, d.created_at, event.position.toString(), d.path ?? null,
          ]);
          break;
        }
        case 'account.status_changed': {
          const d = event.data as AccountStatusChangedData;
          if (counters.size > 0) {
            // Counters gathered so far belong before this change (both move the row's position).
            await statements.flush(tx);
            await flushCounters();
          }
          await statements.add(tx, SET_STATUS, d.account_id, [d.account_id, d.to, event.position.toString()]);
          break;
        }
        case 'ledger.entry.posted':
        case 'balance.hold.created':
        case 'balance.released': {
          const position = event.position.toString();
          for (const [id, after] of countersTouched(event)) counters.set(id, { id, ...pickCounters(after), position, changes: (counters.get(id)?.changes ?? 0) + 1 });
          break;
        }
      }
    }
    // The rows must exist before their counters are set.
    await statements.flush(tx);
    await flushCounters();
  },
};

/** The four counters of a balance_after (which also carries posted/available). */
function pickCounters(b: BalanceCounters) {
  return {
    debits_posted: b.debits_posted,
    credits_posted: b.credits_posted,
    debits_pending: b.debits_pending,
    credits_pending: b.credits_pending,
  };
}
