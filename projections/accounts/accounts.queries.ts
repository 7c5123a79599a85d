import { Pool } from 'pg';
import { balanceView, BalanceView, countersFrom, NormalBalance, ScopedAccount } from '#domain/index.js';

const COLUMNS = `id, tenant_id, customer, currency, account_type, normal_balance, allow_negative, status, metadata,
  created_at, debits_posted, credits_posted, debits_pending, credits_pending, lock_version, path, created_position, position`;

export const ACCOUNT_QUERIES = {
  byId: `select ${COLUMNS} from accounts where id = $1`,
  list: `select ${COLUMNS} from accounts
          where tenant_id = $1 and ($2::text is null or customer = $2) and created_position > $3
            and ($5::jsonb is null or metadata @> $5::jsonb)
            -- A path prefix matches whole segments (merchants:acme holds merchants:acme:fees, not
            -- merchants:acmex); compared as text, not LIKE, where '_' would be a wildcard.
            and ($6::text is null or path = $6 or left(path, length($6) + 1) = $6 || ':')
          order by created_position limit $4`,
  /** What policy scopes match on (account_type and currency never change), for the tenant's accounts among $2. */
  scopes: `select id, account_type, currency from accounts where tenant_id = $1 and id = any($2::uuid[])`,
};

export interface AccountView {
  id: string;
  tenant_id: string;
  customer: string;
  currency: string;
  account_type: string;
  normal_balance: NormalBalance;
  allow_negative: boolean;
  status: string;
  metadata: Record<string, unknown>;
  created_at: string;
  balances: BalanceView;
  lock_version: number;
  path: string | null;
  created_position: string;
}

export function accountViewFromRow(row: any): AccountView {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    customer: row.customer,
    currency: row.currency,
    account_type: row.account_type,
    normal_balance: row.normal_balance,
    allow_negative: row.allow_negative,
    status: row.status,
    metadata: row.metadata,
    created_at: new Date(row.created_at).toISOString(),
    balances: balanceView(row.normal_balance, countersFrom(row)),
    lock_version: Number(row.lock_version),
    path: row.path,
    created_position: String(row.created_position),
  };
}

/** Returns null for a missing account and for another tenant's: callers answer 404 alike. */
export async function findAccount(pool: Pool, id: string): Promise<{ view: AccountView; tenant_id: string } | null> {
  const { rows } = await pool.query({ name: 'account_by_id', text: ACCOUNT_QUERIES.byId, values: [id] });
  if (rows.length === 0) return null;
  return { view: accountViewFromRow(rows[0]), tenant_id: rows[0].tenant_id };
}

/** `metadata`: top-level key -> value pairs every account listed must have (null: no filter). */
export async function listAccounts(pool: Pool, tenantId: string, customer: string | null, after: bigint, limit: number, metadata: Record<string, string> | null = null, pathPrefix: string | null = null): Promise<AccountView[]> {
  const values = [tenantId, customer, after.toString(), limit, metadata ? JSON.stringify(metadata) : null, pathPrefix];
  const { rows } = await pool.query({ name: 'accounts_list', text: ACCOUNT_QUERIES.list, values });
  return rows.map(accountViewFromRow);
}

/** The scope fields of the tenant's accounts among `ids` (at most one posting's accounts), by id. */
export async function accountScopes(pool: Pool, tenantId: string, ids: readonly string[]): Promise<Map<string, ScopedAccount>> {
  const { rows } = await pool.query({ name: 'account_scopes', text: ACCOUNT_QUERIES.scopes, values: [tenantId, ids] });
  return new Map(rows.map((row) => [row.id, { id: row.id, account_type: row.account_type, currency: row.currency }]));
}
