import { Hold, HoldCreatedData } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';
import { renderPostedEvent } from '#projections/transactions/transactions.queries.js';

/** A hold as a command answers it, from the write model after the decision. */
export function renderHold(hold: Hold, event: RecordedEvent) {
  return {
    id: hold.id,
    status: hold.status,
    account_id: hold.account_id,
    destination_account_id: hold.destination_account_id,
    amount: hold.amount.toString(),
    currency: hold.currency,
    expires_at: hold.expires_at,
    reference: hold.reference,
    description: hold.description,
    metadata: hold.metadata,
    created_at: hold.created_at,
    captured_amount: hold.captured_amount.toString(),
    released_amount: hold.released_amount.toString(),
    event: event.type,
    position: event.position.toString(),
  };
}

export function renderPlacedHold(event: RecordedEvent) {
  const d = event.data as HoldCreatedData;
  return {
    id: d.hold_id,
    status: 'pending',
    account_id: d.account_id,
    destination_account_id: d.destination_account_id,
    amount: d.amount,
    currency: d.currency,
    expires_at: d.expires_at,
    reference: d.reference,
    description: d.description,
    metadata: d.metadata,
    created_at: d.created_at,
    captured_amount: '0',
    released_amount: '0',
    event: event.type,
    position: event.position.toString(),
  };
}

/** Capture: the hold after it (remainder released) and the posting it made. */
export function renderCapture(hold: Hold, events: RecordedEvent[]) {
  const posting = events.find((e) => e.type === 'ledger.entry.posted')!;
  const last = events[events.length - 1];
  return {
    hold: renderHold(hold, last),
    transaction: renderPostedEvent(posting),
  };
}
