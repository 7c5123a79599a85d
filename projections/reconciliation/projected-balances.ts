import type { ProjectedBalances } from '#reconciliation/drift/index.js';

const SQL = {
  checkpoints: `select name, position::text as p from projection_checkpoints where name in ('accounts', 'trial_balance')`,
  accounts: `select id, debits_posted, credits_posted, debits_pending, credits_pending from accounts where tenant_id = $1`,
  totals: `select currency, debits_posted, credits_posted, debits_pending, credits_pending from trial_balance where tenant_id = $1`,
};

/** The accounts and trial-balance read models of a tenant, each with its checkpoint: what a drift check compares with the log. */
export const projectedBalances: ProjectedBalances = async (snapshot, tenantId) => {
  const { rows } = await snapshot.query(SQL.checkpoints);
  const at = (name: string) => BigInt(rows.find((r) => r.name === name)?.p ?? 0);
  return {
    accountsCheckpoint: at('accounts'),
    totalsCheckpoint: at('trial_balance'),
    accounts: (await snapshot.query(SQL.accounts, [tenantId])).rows,
    totals: (await snapshot.query(SQL.totals, [tenantId])).rows,
  };
};
