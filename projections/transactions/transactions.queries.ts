import { Pool } from 'pg';
import { EntryPostedData, postingOf, StoredEntryPostedData } from '#domain/index.js';
import { EventStore, RecordedEvent } from '#event-store/index.js';
import { EntryView } from '../entries/entries.queries.js';

export interface TransactionView {
  id: string;
  status: string;
  /** The hold this posting captured, if any. */
  hold_id: string | null;
  /** The transaction this one reverses, if it is a reversal. */
  reverses: string | null;
  /** The reversal of this transaction, once reversed. */
  reversed_by: string | null;
  entries: EntryView[];
  description: string | null;
  reference: string | null;
  metadata: Record<string, unknown>;
  posted_at: string;
  /** When the posting takes effect: its effective_at, else its posting time. */
  effective_at: string;
  position: string;
}

/** The API's entry shape, from the event: the same rendering for a command's answer and the read model. */
export function renderEntries(d: EntryPostedData, position: bigint): EntryView[] {
  return d.entries.map((entry) => ({
    id: entry.entry_id,
    transaction_id: d.transaction_id,
    account_id: entry.account_id,
    direction: entry.direction,
    amount: entry.amount,
    currency: entry.currency,
    status: 'posted',
    balance_after: { posted: entry.balance_after.posted, available: entry.balance_after.available },
    posted_at: d.posted_at,
    effective_at: d.effective_at ?? d.posted_at,
    position: position.toString(),
  }));
}

export function renderTransaction(d: EntryPostedData, position: bigint): TransactionView {
  return {
    id: d.transaction_id,
    status: 'posted',
    hold_id: d.hold_id ?? null,
    reverses: d.reverses ?? null,
    reversed_by: null,
    entries: renderEntries(d, position),
    description: d.description,
    reference: d.reference,
    metadata: d.metadata,
    posted_at: d.posted_at,
    effective_at: d.effective_at ?? d.posted_at,
    position: position.toString(),
  };
}

/** A command's answer for the `ledger.entry.posted` event it appended: the transaction and the event's name. */
export function renderPostedEvent(event: RecordedEvent): TransactionView & { event: string } {
  return { ...renderTransaction(postingOf(event.data as StoredEntryPostedData), event.position), event: event.type };
}

export const TRANSACTION_QUERIES = {
  byId: `select id, tenant_id, status, reversed_by, position from transactions where id = $1`,
};

/** What the read model holds of a transaction: what happened to it since (status, reversal) and where its posting is. */
export interface TransactionRow {
  id: string;
  status: string;
  reversed_by: string | null;
  position: string;
}

/** A transaction's row and tenant (to check the caller may see it before anything else is read). */
export async function findTransactionRow(pool: Pool, id: string): Promise<{ view: TransactionRow; tenant_id: string } | null> {
  const { rows } = await pool.query({ name: 'transaction_by_id', text: TRANSACTION_QUERIES.byId, values: [id] });
  if (rows.length === 0) return null;
  const row = rows[0];
  return { tenant_id: row.tenant_id, view: { id: row.id, status: row.status, reversed_by: row.reversed_by, position: String(row.position) } };
}

/**
 * A transaction as the API shows it, for a row the caller may see (findTransactionRow): its
 * posting event, read from the log at the position the read model holds, with the status and
 * reversal the read model has seen since. (The read model keeps no copy of the entries and
 * metadata the event already holds.)
 */
export async function transactionView(store: EventStore, row: TransactionRow): Promise<TransactionView> {
  const event = await store.readAt(BigInt(row.position));
  const data = event?.data as StoredEntryPostedData | undefined;
  if (!event || event.type !== 'ledger.entry.posted' || data?.transaction_id !== row.id) {
    throw new Error(`transaction ${row.id}: the read model places its posting at position ${row.position}, the log does not hold it there`);
  }
  return { ...renderTransaction(postingOf(data), event.position), status: row.status, reversed_by: row.reversed_by };
}

/** GET /transactions filters (every one optional; several are ANDed). */
export interface TransactionFilter {
  account_id: string | null;
  reference: string | null;
  metadata: Record<string, string> | null;
  posted_after: string | null;
  posted_before: string | null;
}

/**
 * The tenant's transactions matching `filter`, newest first, before position `before` (the
 * cursor). The statement names only the filters given, so that each combination is planned for
 * its own index (a catch-all `($n is null or ...)` would keep a generic plan off the indexes).
 */
export async function listTransactionRows(pool: Pool, tenantId: string, filter: TransactionFilter, before: bigint | null, limit: number): Promise<TransactionRow[]> {
  const values: unknown[] = [tenantId];
  const where = ['tenant_id = $1'];
  const add = (condition: string, value: unknown) => {
    values.push(value);
    where.push(condition.replace('?', `$${values.length}`));
  };
  if (filter.account_id !== null) add('account_ids @> array[?::uuid]', filter.account_id);
  if (filter.reference !== null) add('reference = ?', filter.reference);
  if (filter.metadata !== null) add('metadata @> ?::jsonb', JSON.stringify(filter.metadata));
  if (filter.posted_after !== null) add('posted_at > ?::timestamptz', filter.posted_after);
  if (filter.posted_before !== null) add('posted_at < ?::timestamptz', filter.posted_before);
  if (before !== null) add('position < ?::numeric', before.toString());
  values.push(limit);
  const text = `select id, status, reversed_by, position from transactions where ${where.join(' and ')} order by position desc limit $${values.length}`;
  const { rows } = await pool.query(text, values);
  return rows.map((row) => ({ id: row.id, status: row.status, reversed_by: row.reversed_by, position: String(row.position) }));
}
