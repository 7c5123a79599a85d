import { createHash } from 'node:crypto';
import { EntryPostedData, PostedEntry, StoredEntryPostedData, StoredPostedEntry } from './events.js';

/**
 * The id of entry `index` (0-based, in the posting's order) of transaction `transactionId`: a
 * name-based UUID in the RFC 9562 version-8 layout, the first 16 bytes of SHA-256 over
 * `<transaction id>/<index>` with the version nibble set to 8 and the variant bits to 10 (the
 * RFC's own example of a SHA-256 name-based UUID is version 8; version 5 is SHA-1). The same
 * log gives the same ids on every replay, in every process.
 */
export function entryIdOf(transactionId: string, index: number): string {
  const bytes = createHash('sha256').update(`${transactionId}/${index}`).digest();
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** An entry's currency: its own, else the posting's (the lean form says it once). */
export function entryCurrency(posting: Pick<StoredEntryPostedData, 'currency'>, entry: Pick<StoredPostedEntry, 'currency'>): string {
  return (entry.currency ?? posting.currency)!;
}

/** The full form of a stored posting, whichever form it was stored in (the full form reads back unchanged). */
export function postingOf(stored: StoredEntryPostedData): EntryPostedData {
  const { currency: shared, ...rest } = stored;
  return {
    ...rest,
    description: stored.description ?? null,
    reference: stored.reference ?? null,
    metadata: stored.metadata ?? {},
    entries: stored.entries.map(
      (entry, index): PostedEntry => ({
        entry_id: entry.entry_id ?? entryIdOf(stored.transaction_id, index),
        account_id: entry.account_id,
        direction: entry.direction,
        amount: entry.amount,
        currency: (entry.currency ?? shared)!,
        balance_after: entry.balance_after,
      }),
    ),
  };
}

/**
 * The lean form of a decided posting, as new events store it: leaves out only what postingOf
 * gives back exactly (postingOf(leanPosting(p)) equals p, for any p), so an entry id that is not
 * the derived one stays stored.
 */
export function leanPosting(full: EntryPostedData): StoredEntryPostedData {
  const { description, reference, metadata, entries, ...rest } = full;
  // Postings may mix currencies (balanced per currency): only a shared one is said once.
  const shared = entries.length > 0 && entries.every((e) => e.currency === entries[0].currency) ? entries[0].currency : undefined;
  return {
    ...rest,
    ...(description !== null ? { description } : {}),
    ...(reference !== null ? { reference } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ...(shared !== undefined ? { currency: shared } : {}),
    entries: entries.map((entry, index): StoredPostedEntry => ({
      ...(entry.entry_id !== entryIdOf(full.transaction_id, index) ? { entry_id: entry.entry_id } : {}),
      account_id: entry.account_id,
      direction: entry.direction,
      amount: entry.amount,
      ...(shared === undefined ? { currency: entry.currency } : {}),
      balance_after: entry.balance_after,
    })),
  };
}

/**
 * An event's data as consumers of the feed and of webhooks get it: a posting in its full form,
 * whichever form the log stores (they see the same fields for old and new events), any other
 * event's data as stored.
 */
export function dataForConsumers(type: string, data: unknown): unknown {
  return type === 'ledger.entry.posted' ? postingOf(data as StoredEntryPostedData) : data;
}
