import { Pool } from 'pg';
import { EntryPostedData } from '../../libs/domain/src/index.js';
import { EventStore, RecordedEvent } from '../../libs/event-store/src/index.js';
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
    position: position.toString(),
  };
}

/** A command's answer for the `ledger.entry.posted` event it appended: the transaction and the event's name. */
export function renderPostedEvent(event: RecordedEvent): TransactionView & { event: string } {
  return { ...renderTransaction(event.data as EntryPostedData, event.position), event: event.type };
}

export const TRANSACTION_QUERIES = {
  byId: `select id, tenant_id, status, reversed_by, position from transactions where id = $1`,
};

/** Where a transaction is (its tenant and the position of its posting) and what happened since (status, reversal). */
export async function findTransactionRow(pool: Pool, id: string): Promise<{ view: { id: string; status: string; reversed_by: string | null; position: string }; tenant_id: string } | null> {
  const { rows } = await pool.query({ name: 'transaction_by_id', text: TRANSACTION_QUERIES.byId, values: [id] });
  if (rows.length === 0) return null;
  const row = rows[0];
  return { tenant_id: row.tenant_id, view: { id: row.id, status: row.status, reversed_by: row.reversed_by, position: String(row.position) } };
}

/**
 * A transaction as the API shows it: its posting event, read from the log at the position the
 * read model holds, with the status and reversal the read model has seen since. (The read model
 * keeps no copy of the entries and metadata the event already holds.)
 */
export async function findTransaction(pool: Pool, store: EventStore, id: string): Promise<{ view: TransactionView; tenant_id: string } | null> {
  const found = await findTransactionRow(pool, id);
  if (!found) return null;
  const event = await store.readAt(BigInt(found.view.position));
  const data = event?.data as EntryPostedData | undefined;
  if (!event || event.type !== 'ledger.entry.posted' || data?.transaction_id !== found.view.id) {
    throw new Error(`transaction ${found.view.id}: no posting at position ${found.view.position} in the log`);
  }
  return {
    tenant_id: found.tenant_id,
    view: { ...renderTransaction(data, event.position), status: found.view.status, reversed_by: found.view.reversed_by },
  };
}
