import { initialState, Account, Hold, IdempotencyRecord, Intent, LedgerEvent, LedgerState, Policy, PostedTransaction, AccountWindows, evolve } from '#domain/index.js';
import { RecordedEvent } from '#event-store/index.js';

/**
 * A tenant's state as its writer caches it: the domain's state with every record kept in a real
 * Map, because the writer forks it (copy-on-write overlays read through to these maps) and
 * forgets its oldest records (Map keeps insertion order and a size).
 */
export interface WriterState extends LedgerState {
  accounts: Map<string, Account>;
  transactions: Map<string, PostedTransaction>;
  holds: Map<string, Hold>;
  idempotency: Map<string, IdempotencyRecord>;
  /** Policies and their velocity windows are never forgotten: they cannot be recalled from the log by a lookup. */
  policies: Map<string, Policy>;
  velocity_windows: Map<string, AccountWindows>;
  /** Intents are records like holds: the recent ones kept, the rest recalled by intent_id. */
  intents: Map<string, Intent>;
  /** Paths are kept with the accounts (never forgotten). */
  account_paths: Map<string, string>;
}

export function emptyWriterState(): WriterState {
  // initialState() builds every record map as a Map: exactly the writer's state when empty.
  return initialState() as WriterState;
}

/** Folds one event read from the log with the domain's evolve, at its stream revision. */
export function foldRecorded(state: LedgerState, event: RecordedEvent): void {
  evolve(state, { type: event.type, data: event.data } as LedgerEvent, event.revision, event.metadata);
}
