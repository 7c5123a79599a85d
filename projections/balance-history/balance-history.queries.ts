import { Pool } from 'pg';
import { balanceView, BalanceView, countersFrom, NormalBalance } from '../../libs/domain/src/index.js';

export const BALANCE_HISTORY_QUERIES = {
  asOfTime: `select position, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending
               from balance_history where account_id = $1 and occurred_at <= $2 order by position desc limit 1`,
  asOfPosition: `select position, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending
                   from balance_history where account_id = $1 and position <= $2 order by position desc limit 1`,
  tenantAsOfPosition: `select distinct on (account_id) account_id, position, debits_posted, credits_posted, debits_pending, credits_pending
                         from balance_history where tenant_id = $1 and position <= $2
                        order by account_id, position desc`,
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
