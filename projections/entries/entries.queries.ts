import { Pool } from 'pg';

export const ENTRY_QUERIES = {
  page: `select id, transaction_id, account_id, direction, amount, currency, status, balance_after_posted,
                balance_after_available, posted_at, position, entry_index
           from entries
          where account_id = $1 and (position, entry_index) > ($2::numeric, $3::int)
          order by position, entry_index limit $4`,
};

export interface EntryView {
  id: string;
  transaction_id: string;
  account_id: string;
  direction: string;
  amount: string;
  currency: string;
  status: string;
  balance_after: { posted: string; available: string };
  posted_at: string;
  position: string;
}

export interface EntryCursor {
  position: bigint;
  entry_index: number;
}

/** One page of an account's entries, each with the cursor that continues after it. */
export async function entriesPage(pool: Pool, accountId: string, after: EntryCursor, limit: number): Promise<{ entry: EntryView; cursor: EntryCursor }[]> {
  const { rows } = await pool.query({
    name: 'entries_page',
    text: ENTRY_QUERIES.page,
    values: [accountId, after.position.toString(), after.entry_index, limit],
  });
  return rows.map((row) => ({
    entry: {
      id: row.id,
      transaction_id: row.transaction_id,
      account_id: row.account_id,
      direction: row.direction,
      amount: row.amount,
      currency: row.currency,
      status: row.status,
      balance_after: { posted: row.balance_after_posted, available: row.balance_after_available },
      posted_at: new Date(row.posted_at).toISOString(),
      position: String(row.position),
    },
    cursor: { position: BigInt(row.position), entry_index: row.entry_index },
  }));
}

/** An account's entries posted within [from, to), at most `limit`, with their transaction's reference: input for statement matching. */
export async function entriesForMatching(pool: Pool, accountId: string, from: string, to: string, limit: number) {
  const { rows } = await pool.query({
    name: 'entries_for_matching',
    text: `select e.id, e.transaction_id, e.direction, e.amount, e.currency, e.posted_at, t.reference
             from entries e left join transactions t on t.id = e.transaction_id
            where e.account_id = $1 and e.posted_at >= $2 and e.posted_at < $3
            order by e.position, e.entry_index limit $4`,
    values: [accountId, from, to, limit],
  });
  return rows.map((r) => ({
    id: r.id as string,
    transaction_id: r.transaction_id as string,
    direction: r.direction as 'debit' | 'credit',
    amount: BigInt(r.amount),
    currency: r.currency as string,
    posted_at: new Date(r.posted_at).toISOString(),
    reference: (r.reference as string | null) ?? null,
  }));
}
