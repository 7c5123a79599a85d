import { Pool } from 'pg';

export const ENTRY_QUERIES = {
  page: `select id, transaction_id, account_id, direction, amount, currency, status, balance_after_posted,
                balance_after_available, posted_at, effective_at, position, entry_index
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
  /** When the posting takes effect (its effective_at, else its posting time). */
  effective_at: string;
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
      effective_at: new Date(row.effective_at).toISOString(),
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

/**
 * An account's posted figures by effective time: the sums of its entries effective at or before
 * `effectiveAsOf`, among those posted at or before `knownAt` (null: everything posted so far) —
 * what the ledger knew at K about T. One indexed range of the account's own entries.
 */
export async function effectiveSums(pool: Pool, accountId: string, effectiveAsOf: string, knownAt: string | null): Promise<{ debits: bigint; credits: bigint }> {
  const { rows } = await pool.query({
    name: 'entries_effective_sums',
    text: `select coalesce(sum(amount) filter (where direction = 'debit'), 0)::text as debits,
                  coalesce(sum(amount) filter (where direction = 'credit'), 0)::text as credits
             from entries
            where account_id = $1 and effective_at <= $2 and ($3::timestamptz is null or posted_at <= $3)`,
    values: [accountId, effectiveAsOf, knownAt],
  });
  return { debits: BigInt(rows[0].debits), credits: BigInt(rows[0].credits) };
}
