import { PoolClient } from 'pg';
import { BalanceReleasedData, entryCurrency, HoldCreatedData, StoredEntryPostedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { Projection, tenantOf } from '#projection-runtime/index.js';

interface Totals {
  tenant_id: string;
  currency: string;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
  credits_pending: bigint;
  position: bigint;
}

const SQL = {
  upsert: `
    insert into trial_balance as t (tenant_id, currency, debits_posted, credits_posted, debits_pending, credits_pending, position)
    select * from unnest($1::uuid[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[])
    on conflict (tenant_id, currency) do update set
      debits_posted = t.debits_posted + excluded.debits_posted,
      credits_posted = t.credits_posted + excluded.credits_posted,
      debits_pending = t.debits_pending + excluded.debits_pending,
      credits_pending = t.credits_pending + excluded.credits_pending,
      position = excluded.position`,
  byTenant: `select currency, debits_posted, credits_posted, debits_pending, credits_pending, position
               from trial_balance where tenant_id = $1 order by currency`,
};

/** The read model's tables at `version` (a change here is a new version: the model is rebuilt from the log). */
const SCHEMA = `
  create table trial_balance (
    tenant_id uuid not null,
    currency text not null,
    debits_posted numeric not null default 0,
    credits_posted numeric not null default 0,
    debits_pending numeric not null default 0,
    credits_pending numeric not null default 0,
    position numeric(39,0) not null,
    primary key (tenant_id, currency)
  );`;

/**
 * Per tenant and currency, the sum of every debit and every credit, posted and pending. Double
 * entry means both columns of each pair are always equal; the drift check and the API show it.
 */
export const trialBalanceProjection: Projection = {
  name: 'trial_balance',
  version: 1,
  tables: ['trial_balance'],
  schema: SCHEMA,
  async apply(tx: PoolClient, events: RecordedEvent[]): Promise<void> {
    const totals = new Map<string, Totals>();
    const add = (event: RecordedEvent, currency: string, delta: Partial<Omit<Totals, 'tenant_id' | 'currency' | 'position'>>) => {
      const key = `${tenantOf(event)}/${currency}`;
      const t = totals.get(key) ?? { tenant_id: tenantOf(event), currency, debits_posted: 0n, credits_posted: 0n, debits_pending: 0n, credits_pending: 0n, position: 0n };
      t.debits_posted += delta.debits_posted ?? 0n;
      t.credits_posted += delta.credits_posted ?? 0n;
      t.debits_pending += delta.debits_pending ?? 0n;
      t.credits_pending += delta.credits_pending ?? 0n;
      t.position = event.position;
      totals.set(key, t);
    };
    for (const event of events) {
      if (event.type === 'ledger.entry.posted') {
        const d = event.data as StoredEntryPostedData;
        for (const [index, entry] of d.entries.entries()) {
          const amount = BigInt(entry.amount);
          const currency = entryCurrency(d, entry);
          // A capture moves its hold's legs, the first and the last entry, from pending to posted; an intent's settlement legs between are posted only.
          const captured = d.hold_id !== undefined && (index === 0 || index === d.entries.length - 1);
          if (entry.direction === 'debit') add(event, currency, { debits_posted: amount, debits_pending: captured ? -amount : 0n });
          else add(event, currency, { credits_posted: amount, credits_pending: captured ? -amount : 0n });
        }
      } else if (event.type === 'balance.hold.created') {
        const d = event.data as HoldCreatedData;
        add(event, d.currency, { debits_pending: BigInt(d.amount), credits_pending: BigInt(d.amount) });
      } else if (event.type === 'balance.released') {
        const d = event.data as BalanceReleasedData;
        add(event, d.currency, { debits_pending: -BigInt(d.amount), credits_pending: -BigInt(d.amount) });
      }
    }
    if (totals.size === 0) return;
    const rows = [...totals.values()];
    await tx.query(SQL.upsert, [
      rows.map((r) => r.tenant_id),
      rows.map((r) => r.currency),
      rows.map((r) => r.debits_posted.toString()),
      rows.map((r) => r.credits_posted.toString()),
      rows.map((r) => r.debits_pending.toString()),
      rows.map((r) => r.credits_pending.toString()),
      rows.map((r) => r.position.toString()),
    ]);
  },
};

export interface TrialBalanceLine {
  currency: string;
  posted: { debits: string; credits: string; balanced: boolean };
  pending: { debits: string; credits: string; balanced: boolean };
}

export async function trialBalance(db: { query: PoolClient['query'] }, tenantId: string): Promise<TrialBalanceLine[]> {
  const { rows } = await db.query({ name: 'trial_balance_by_tenant', text: SQL.byTenant, values: [tenantId] });
  return rows.map((r: any) => ({
    currency: r.currency,
    posted: { debits: r.debits_posted, credits: r.credits_posted, balanced: r.debits_posted === r.credits_posted },
    pending: { debits: r.debits_pending, credits: r.credits_pending, balanced: r.debits_pending === r.credits_pending },
  }));
}
