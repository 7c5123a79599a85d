import { Pool } from 'pg';
import { availableBalance, Counters, NormalBalance, postedBalance } from '../../libs/domain/src/index.js';

export const BALANCE_HISTORY_QUERIES = {
  asOfTime: `select position, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending
               from balance_history where account_id = $1 and occurred_at <= $2 order by position desc limit 1`,
  asOfPosition: `select position, occurred_at, debits_posted, credits_posted, debits_pending, credits_pending
                   from balance_history where account_id = $1 and position <= $2 order by position desc limit 1`,
  tenantAsOfPosition: `select distinct on (account_id) account_id, position, debits_posted, credits_posted, debits_pending, credits_pending
                         from balance_history where tenant_id = $1 and position <= $2
                        order by account_id, position desc`,
};

export interface PointInTimeBalances {
  posted: string;
  pending_debits: string;
  pending_credits: string;
  available: string;
}

export function balancesOf(normal: NormalBalance, row: any | undefined): PointInTimeBalances {
  const c: Counters = {
    debits_posted: BigInt(row?.debits_posted ?? 0),
    credits_posted: BigInt(row?.credits_posted ?? 0),
    debits_pending: BigInt(row?.debits_pending ?? 0),
    credits_pending: BigInt(row?.credits_pending ?? 0),
  };
  return {
    posted: postedBalance(normal, c).toString(),
    pending_debits: c.debits_pending.toString(),
    pending_credits: c.credits_pending.toString(),
    available: availableBalance(normal, c).toString(),
  };
}

/** The account's balances at an instant or a log position; zeros before it existed. */
export async function balancesAsOf(
  pool: Pool,
  accountId: string,
  normal: NormalBalance,
  at: { time: string } | { position: bigint },
): Promise<{ balances: PointInTimeBalances; position: string | null }> {
  const { rows } =
    'time' in at
      ? await pool.query({ name: 'balances_as_of_time', text: BALANCE_HISTORY_QUERIES.asOfTime, values: [accountId, at.time] })
      : await pool.query({ name: 'balances_as_of_position', text: BALANCE_HISTORY_QUERIES.asOfPosition, values: [accountId, at.position.toString()] });
  return { balances: balancesOf(normal, rows[0]), position: rows[0] ? String(rows[0].position) : null };
}
