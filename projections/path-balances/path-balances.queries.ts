import { Pool } from 'pg';

const SQL = {
  now: `select accounts, posted::text, pending_debits::text, pending_credits::text, available::text from path_node_history
         where tenant_id = $1 and currency = $2 and node = $3 order by position desc limit 1`,
  asOf: `select accounts, posted::text, pending_debits::text, pending_credits::text, available::text from path_node_history
          where tenant_id = $1 and currency = $2 and node = $3 and occurred_at <= $4 order by position desc limit 1`,
};

export interface PathRollup {
  accounts: number;
  balances: { posted: string; pending_debits: string; pending_credits: string; available: string };
}

/** The sums over every account at or under `prefix` in `currency`, now or as of a time (one indexed row). */
export async function pathRollup(pool: Pool, tenantId: string, currency: string, prefix: string, asOf: string | null): Promise<PathRollup> {
  const { rows } = asOf === null
    ? await pool.query({ name: 'path_rollup_now', text: SQL.now, values: [tenantId, currency, prefix] })
    : await pool.query({ name: 'path_rollup_as_of', text: SQL.asOf, values: [tenantId, currency, prefix, asOf] });
  if (rows.length === 0) return { accounts: 0, balances: { posted: '0', pending_debits: '0', pending_credits: '0', available: '0' } };
  const r = rows[0];
  return { accounts: r.accounts, balances: { posted: r.posted, pending_debits: r.pending_debits, pending_credits: r.pending_credits, available: r.available } };
}
