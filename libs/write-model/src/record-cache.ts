import { Account, Hold, IdempotencyRecord, Intent, KeyValue, LedgerState, Policy, PostedTransaction, AccountWindows, initialState } from '#domain/index.js';
import { LookupSpec, RecordedEvent, StreamLookup } from '#event-store/index.js';
import { holdIdOf, intentIdOf } from './command-envelope.js';
import { PendingCommand } from './command-queue.js';
import { WriterState, emptyWriterState, foldRecorded } from './writer-state.js';

/** The kinds of record a writer recalls, each by the field of its events the log finds them by. */
export type RecordField = 'idempotency_key' | 'transaction_id' | 'hold_id' | 'intent_id';

/** Where each recalled record's id stands in its events (the PostgreSQL log's migration indexes these). */
export const LEDGER_LOOKUPS: Record<RecordField, LookupSpec> = {
  idempotency_key: { source: 'metadata', field: 'idempotency_key' },
  transaction_id: { source: 'data', field: 'transaction_id' },
  hold_id: { source: 'data', field: 'hold_id' },
  intent_id: { source: 'data', field: 'intent_id' },
};

/** Records a group's commands will read, by the field the log finds their events by. */
export type WantedRecords = Record<RecordField, Set<string>>;

/**
 * The bound on a writer's memory: it keeps every account but only the most recent `recordsMax`
 * idempotency keys, transactions and holds, and brings others back from the log (by indexed
 * lookups) before a group that needs them is decided.
 */
export class RecordCache {
  constructor(
    private readonly lookup: StreamLookup,
    private readonly stream: string,
    private readonly recordsMax: number,
  ) {}

  /**
   * Brings back, from the log, the records the group's commands will read that are not in memory:
   * their idempotency keys, the transactions they reverse, the holds they capture, release or
   * expire. Returns the events found by idempotency key, by key: a replay of such a key answers
   * with them (no second lookup).
   */
  async recall(state: WriterState, group: readonly PendingCommand[]): Promise<Map<string, RecordedEvent[]>> {
    const wanted = missingRecords(state, group);
    // The lookups by key, transaction and hold are independent: in parallel, not one after another.
    const fields = (Object.keys(wanted) as RecordField[]).filter((field) => wanted[field].size > 0);
    const pages = await Promise.all(fields.map((field) => this.lookup.findInStream(this.stream, LEDGER_LOOKUPS[field], [...wanted[field]], state.revision)));
    const byKey = new Map<string, RecordedEvent[]>();
    const keyPage = fields.indexOf('idempotency_key');
    if (keyPage >= 0) groupByKey(pages[keyPage], byKey);
    restoreRecords(state, wanted, pages.flat());
    return byKey;
  }

  /** After a group is committed: the oldest records beyond the limit go (they can be recalled). */
  forgetOldest(state: WriterState): void {
    forgetOldest(state, this.recordsMax);
  }
}

/** What the group's commands will read that `state` does not hold. */
export function missingRecords(state: WriterState, group: readonly PendingCommand[]): WantedRecords {
  const wanted: WantedRecords = { idempotency_key: new Set(), transaction_id: new Set(), hold_id: new Set(), intent_id: new Set() };
  for (const { envelope } of group) {
    const key = envelope.idempotency_key;
    if (key && !state.idempotency.get(key)) wanted.idempotency_key.add(key);
    const command = envelope.command;
    if (command.type === 'reverse_transaction' && !state.transactions.get(command.transaction_id)) wanted.transaction_id.add(command.transaction_id);
    const holdId = holdIdOf(command);
    if (holdId && !state.holds.get(holdId)) wanted.hold_id.add(holdId);
    const intentId = intentIdOf(command);
    if (intentId && !state.intents.get(intentId)) wanted.intent_id.add(intentId);
  }
  return wanted;
}

/**
 * Puts the wanted records back into `state`, each folded with the domain's evolve from its
 * events (the log's, up to the state's revision; found by several lookups, so possibly found
 * twice), in revision order: exactly what the writer would hold had it never forgotten it.
 */
export function restoreRecords(state: WriterState, wanted: WantedRecords, events: readonly RecordedEvent[]): void {
  const found = new Map<bigint, RecordedEvent>();
  for (const event of events) found.set(event.revision, event);
  if (found.size === 0) return;
  // The same fold as the writer's own, over just these events (accounts are not needed here).
  const recalled = initialState();
  for (const event of [...found.values()].sort((a, b) => (a.revision < b.revision ? -1 : 1))) foldRecorded(recalled, event);
  restore(wanted.idempotency_key, recalled.idempotency, state.idempotency);
  restore(wanted.transaction_id, recalled.transactions, state.transactions);
  restore(wanted.hold_id, recalled.holds, state.holds);
  restore(wanted.intent_id, recalled.intents, state.intents);
}

function restore<V>(keys: Set<string>, from: KeyValue<V>, into: Map<string, V>): void {
  for (const key of keys) {
    const record = from.get(key);
    if (record !== undefined) into.set(key, record);
  }
}

/** Events found by idempotency key, gathered under their key (in the order found: by revision). */
export function groupByKey(events: readonly RecordedEvent[], byKey: Map<string, RecordedEvent[]>): void {
  for (const event of events) {
    const key = String(event.metadata.idempotency_key);
    const events = byKey.get(key) ?? [];
    events.push(event);
    byKey.set(key, events);
  }
}

/** The records a writer may forget (and recall from the log); the rest of its state it always keeps. */
export const FORGETTABLE_RECORDS = ['idempotency', 'transactions', 'holds', 'intents'] as const satisfies readonly (keyof WriterState)[];

/** Forgets the oldest records beyond `max` in each map (a Map iterates in insertion order). */
export function forgetOldest(state: WriterState, max: number): void {
  for (const map of FORGETTABLE_RECORDS.map((field) => state[field]) as Map<string, unknown>[]) {
    if (map.size <= max) continue;
    let excess = map.size - max;
    for (const key of map.keys()) {
      if (excess-- <= 0) break;
      map.delete(key);
    }
  }
}

/** Maps that remember nothing: a replay for the accounts only. */
export class Forgetful<V> implements KeyValue<V> {
  get(): V | undefined {
    return undefined;
  }
  set(): this {
    return this;
  }
}

/** A state being replayed from the log that keeps its accounts only. */
export interface AccountsOnlyState extends LedgerState {
  accounts: Map<string, Account>;
  policies: Map<string, Policy>;
  velocity_windows: Map<string, AccountWindows>;
  account_paths: Map<string, string>;
}

/**
 * For a cold writer that can recall records: the state to replay the log into. It keeps the
 * accounts only, so the replay's memory is bounded by the number of accounts; records come back
 * one by one when commands need them.
 */
export function accountsOnlyState(): AccountsOnlyState {
  return { ...emptyWriterState(), transactions: new Forgetful(), holds: new Forgetful(), idempotency: new Forgetful(), intents: new Forgetful() };
}

/** The replayed state, now remembering the records folded into it from here on. */
export function rememberingRecords(state: AccountsOnlyState): WriterState {
  return Object.assign(state, {
    transactions: new Map<string, PostedTransaction>(),
    holds: new Map<string, Hold>(),
    idempotency: new Map<string, IdempotencyRecord>(),
    intents: new Map<string, Intent>(),
  });
}
