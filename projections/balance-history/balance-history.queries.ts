import { Pool } from 'pg';
import { balanceView, BalanceView, countersFrom, NormalBalance } from '#domain/index.js';

/**
 * An account's counters at a point are those of the latest event touching it up to there: a
 * posting's are on its entries (the account's last entry in it), any other event's in
 * balance_history. Entries without counters predate them (their balance_history rows remain).
 */
const latestOf = (historyBound: string, entryBound: string) => `
  select position, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending from (
    (select position, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending
       from balance_history where account_id = $1 and ${historyBound} order by position desc limit 1)
    union all
    (select position, posted_at, debits_posted, credits_posted, debits_pending, credits_pending
       from entries where account_id = $1 and ${entryBound} and debits_posted is not null
      order by position desc, entry_index desc limit 1)
  ) latest order by position desc limit 1`;

export const BALANCE_HISTORY_QUERIES = {
  asOfTime: latestOf('occurred_at <= $2', 'posted_at <= $2'),
  asOfPosition: latestOf('position <= $2', 'position <= $2'),
  tenantAsOfPosition: `
    select distinct on (account_id) account_id, position, debits_posted, credits_posted, debits_pending, credits_pending from (
      select account_id, position, -1 as entry_index, debits_posted, credits_posted, debits_pending, credits_pending
        from balance_history where tenant_id = $1 and position <= $2
      union all
      select account_id, position, entry_index, debits_posted, credits_posted, debits_pending, credits_pending
        from entries where tenant_id = $1 and position <= $2 and debits_posted is not null
    ) touched order by account_id, position desc, entry_index desc`,
};

const ZERO = { debits_posted: '0', credits_posted: '0', debits_pending: '0', credits_pending: '0' };

export function balancesOf(normal: NormalBalance, row: any | undefined): BalanceView {
  return balanceView(normal, countersFrom(row ?? ZERO));
}

/** The account's balances at an instant or a log position; zeros before it existed. */
export async function balancesAsOf(
  pool: Pool,
  accountId: string,
  normal: NormalBalance,
  at: { time: string } | { position: bigint },
): Promise<{ balances: BalanceView; position: string | null }> {
  const { rows } =
    'time' in at
      ? await pool.query({ name: 'balances_as_of_time', text: BALANCE_HISTORY_QUERIES.asOfTime, values: [accountId, at.time] })
      : await pool.query({ name: 'balances_as_of_position', text: BALANCE_HISTORY_QUERIES.asOfPosition, values: [accountId, at.position.toString()] });
  return { balances: balancesOf(normal, rows[0]), position: rows[0] ? String(rows[0].position) : null };
}
