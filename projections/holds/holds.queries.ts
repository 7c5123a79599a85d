import { Pool } from 'pg';

const COLUMNS = `id, tenant_id, account_id, destination_account_id, amount, currency, status, expires_at, reference, description,
  metadata, request_id, created_at, captured_amount, released_amount, capture_transaction_id, capture_entry_ids, release_reason,
  release_note, released_at, created_position, position`;

export const HOLD_QUERIES = {
  byId: `select ${COLUMNS} from holds where id = $1`,
  list: `select ${COLUMNS} from holds
          where tenant_id = $1 and ($2::text is null or status = $2) and ($3::uuid is null or account_id = $3)
            and created_position > $4
          order by created_position limit $5`,
  // Pending and past expiry, or pending for longer than the threshold.
  stuck: `select ${COLUMNS} from holds
           where tenant_id = $1 and status = 'pending'
             and (expires_at <= now() or created_at <= now() - make_interval(secs => $2))
             and created_position > $3
           order by created_position limit $4`,
  dueForExpiry: `select id, tenant_id from holds where status = 'pending' and expires_at <= now() order by expires_at limit $1`,
};

export interface HoldView {
  id: string;
  status: string;
  account_id: string;
  destination_account_id: string;
  amount: string;
  currency: string;
  expires_at: string | null;
  reference: string | null;
  description: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  captured_amount: string;
  released_amount: string;
  evidence: {
    request_id: string | null;
    capture_transaction_id: string | null;
    capture_entry_ids: string[];
    release_reason: string | null;
    release_note: string | null;
    released_at: string | null;
  };
  created_position: string;
  position: string;
}

function iso(value: unknown): string | null {
  return value ? new Date(value as string).toISOString() : null;
}

export function holdViewFromRow(row: any): HoldView {
  return {
    id: row.id,
    status: row.status,
    account_id: row.account_id,
    destination_account_id: row.destination_account_id,
    amount: row.amount,
    currency: row.currency,
    expires_at: iso(row.expires_at),
    reference: row.reference,
    description: row.description,
    metadata: row.metadata,
    created_at: iso(row.created_at)!,
    captured_amount: row.captured_amount,
    released_amount: row.released_amount,
    evidence: {
      request_id: row.request_id,
      capture_transaction_id: row.capture_transaction_id,
      capture_entry_ids: row.capture_entry_ids ?? [],
      release_reason: row.release_reason,
      release_note: row.release_note,
      released_at: iso(row.released_at),
    },
    created_position: String(row.created_position),
    position: String(row.position),
  };
}

export async function findHold(pool: Pool, id: string): Promise<{ view: HoldView; tenant_id: string } | null> {
  const { rows } = await pool.query({ name: 'hold_by_id', text: HOLD_QUERIES.byId, values: [id] });
  return rows.length ? { view: holdViewFromRow(rows[0]), tenant_id: rows[0].tenant_id } : null;
}

export interface HoldFilter {
  status: string | null;
  account_id: string | null;
  stuck_after_seconds: number | null;
}

export async function listHolds(pool: Pool, tenantId: string, filter: HoldFilter, after: bigint, limit: number): Promise<HoldView[]> {
  const result =
    filter.stuck_after_seconds !== null
      ? await pool.query({ name: 'holds_stuck', text: HOLD_QUERIES.stuck, values: [tenantId, filter.stuck_after_seconds, after.toString(), limit] })
      : await pool.query({
          name: 'holds_list',
          text: HOLD_QUERIES.list,
          values: [tenantId, filter.status, filter.account_id, after.toString(), limit],
        });
  return result.rows.map(holdViewFromRow);
}

export async function holdsDueForExpiry(pool: Pool, limit: number): Promise<{ id: string; tenant_id: string }[]> {
  const { rows } = await pool.query({ name: 'holds_due', text: HOLD_QUERIES.dueForExpiry, values: [limit] });
  return rows;
}
