import { randomUUID } from 'node:crypto';
import {
  DecisionContext,
  ENTRIES_PER_TRANSACTION_MAX,
  Hold,
  IdempotencyRecord,
  KeyValue,
  LedgerEvent,
  LedgerState,
  decide,
  domainError,
  evolve,
  initialState,
  isDomainError,
} from '../../domain/src/index.js';
import { APPEND_EVENTS_MAX, canLookUp, EventStore, LookupField, NewEvent, RecordedEvent, StreamLookup, WrongExpectedVersionError } from '../../event-store/src/index.js';
import { CommandEnvelope, CommandOutcome, ledgerStream } from './command-envelope.js';
import { CopyOnWriteMap } from './copy-on-write-map.js';
import { flatUuid } from './ids.js';
import { GENESIS_HASH, linkEvent } from '../../audit/src/index.js';
import { UNCHECKED_CLOCK, WriterClock } from './writer-clock.js';

/** At most this many queued commands are decided and appended together (group commit)... */
export const GROUP_COMMANDS_MAX = 8190;
/** ...and at most this many bytes of event JSON, or events, go into one append. */
export const GROUP_BYTES_MAX = 16 * 1024 * 1024;
/** Commands waiting for one tenant beyond this are refused as overload. */
export const WRITER_QUEUE_MAX = 50_000;
/** Another writer appended first this many times in a row: give up and report unavailable. */
export const CONFLICT_RETRIES_MAX = 20;
const CATCH_UP_PAGE = 10_000;
/**
 * Idempotency keys, transactions and holds a writer keeps in memory, each, at most (when its
 * store can look them up again: StreamLookup). Beyond it the oldest are forgotten; any of them is
 * rebuilt exactly from the log when a command needs it. Accounts are always kept.
 */
export const WRITER_RECORDS_MAX_DEFAULT = 100_000;

export class WriterOverloadedError extends Error {
  constructor(tenantId: string) {
    super(`writer queue for tenant ${tenantId} is full`);
  }
}

/**
 * Another writer (another process) appended to the tenant's stream first on every attempt, more
 * than the retry limit allows. Nothing of the commands was appended (each conflicting append was
 * refused whole), so the caller may retry them as they are, with the same idempotency keys.
 */
export class WriterContendedError extends Error {
  constructor(
    readonly tenantId: string,
    readonly attempts: number,
  ) {
    super(`tenant ${tenantId}: another writer appended first on each of ${attempts} attempts`);
  }
}

interface Pending {
  envelope: CommandEnvelope;
  resolve: (outcome: CommandOutcome) => void;
  reject: (error: unknown) => void;
}

/** What one command turned into within a batch, before the append. */
type Planned =
  | { kind: 'new'; pending: Pending; events: NewEvent[]; first: number; hold?: Hold }
  | { kind: 'replay'; pending: Pending; record: IdempotencyRecord; hold?: Hold }
  | { kind: 'rejected'; pending: Pending; outcome: CommandOutcome }
  | { kind: 'failed'; pending: Pending };

interface WorkingState extends LedgerState {
  accounts: CopyOnWriteMap<any>;
  transactions: CopyOnWriteMap<any>;
  holds: CopyOnWriteMap<any>;
  idempotency: CopyOnWriteMap<IdempotencyRecord>;
}

/** A tentative view of the state: decisions fold into it; it is committed only after the append. */
function fork(state: LedgerState): WorkingState {
  return {
    revision: state.revision,
    last_occurred_at: state.last_occurred_at,
    chain_head: state.chain_head,
    accounts: new CopyOnWriteMap(state.accounts as Map<string, any>),
    transactions: new CopyOnWriteMap(state.transactions as Map<string, any>),
    holds: new CopyOnWriteMap(state.holds as Map<string, any>),
    idempotency: new CopyOnWriteMap(state.idempotency as Map<string, IdempotencyRecord>),
  };
}

function commit(working: WorkingState, state: LedgerState): void {
  working.accounts.commit();
  working.transactions.commit();
  working.holds.commit();
  working.idempotency.commit();
  state.revision = working.revision;
  state.last_occurred_at = working.last_occurred_at;
  state.chain_head = working.chain_head;
}

/**
 * The one place commands for a tenant are decided. Commands queue up; the writer takes what is
 * queued, decides each in order against its cached state (each seeing the effects of those
 * before it), appends all resulting events in one append with the expected revision, then
 * answers each caller. A rejected command rejects alone. On a conflict (another process wrote
 * first) it catches up from the stream and decides the batch again.
 */
export class TenantWriter {
  private readonly queue: Pending[] = [];
  private running = false;
  /** When a command last arrived (ms): idle writers can be dropped, their state is only a cache. */
  lastUsedAt = Date.now();
  private state: LedgerState | null = null;
  /** Set when an append found the stream ahead of the cache. */
  private behind = false;
  private readonly stream: string;

  /** Set when records may be forgotten: the store can find them again. */
  private readonly lookup: StreamLookup | null;

  constructor(
    readonly tenantId: string,
    private readonly store: EventStore,
    private readonly recordsMax = WRITER_RECORDS_MAX_DEFAULT,
    /** Stamps `occurred_at`; a skewed clock refuses commands (LEDGER_CLOCK_SKEW_MAX_MS). */
    private readonly clock: WriterClock = UNCHECKED_CLOCK,
    /** Lowered by tests to reach exhaustion with few competing appends. */
    private readonly conflictRetriesMax = CONFLICT_RETRIES_MAX,
  ) {
    this.stream = ledgerStream(tenantId);
    this.lookup = canLookUp(store) && Number.isFinite(recordsMax) ? store : null;
  }

  submit(envelope: CommandEnvelope): Promise<CommandOutcome> {
    this.lastUsedAt = Date.now();
    if (this.queue.length >= WRITER_QUEUE_MAX) return Promise.reject(new WriterOverloadedError(this.tenantId));
    return new Promise((resolve, reject) => {
      this.queue.push({ envelope, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** Queues several commands back to back: they are decided in this order, in as few appends as fit. */
  submitMany(envelopes: CommandEnvelope[]): Promise<CommandOutcome>[] {
    this.lastUsedAt = Date.now();
    if (this.queue.length + envelopes.length > WRITER_QUEUE_MAX) {
      return envelopes.map(() => Promise.reject(new WriterOverloadedError(this.tenantId)));
    }
    const promises = envelopes.map(
      (envelope) => new Promise<CommandOutcome>((resolve, reject) => this.queue.push({ envelope, resolve, reject })),
    );
    if (!this.running) void this.drain();
    return promises;
  }

  /** Nothing queued or in flight. */
  get isIdle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  /** Resolves once every queued command has been answered. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, GROUP_COMMANDS_MAX);
        await this.process(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async process(batch: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const state = await this.caughtUpState();
        const deferred = await this.decideAndAppend(state, batch);
        // What did not fit goes next, ahead of anything queued since: order is kept.
        this.queue.unshift(...deferred);
        return;
      } catch (error) {
        const conflict = error instanceof WrongExpectedVersionError;
        if (conflict && attempt < this.conflictRetriesMax) {
          // Another process appended first: read what it wrote, then decide again.
          this.behind = true;
          continue;
        }
        // The cache may now be behind the stream (an append can succeed even when its answer
        // is lost): rebuild it on the next batch.
        this.state = null;
        // Out of retries is a typed error (the API's 503 unavailable), not the store's conflict.
        const reason = conflict ? new WriterContendedError(this.tenantId, attempt + 1) : error;
        for (const pending of batch) pending.reject(reason);
        return;
      }
    }
  }

  /**
   * The cached state, read from the stream only when there is none yet or another writer was
   * seen to append: otherwise the append's expected revision is the check, and a hot writer
   * pays no read per batch.
   */
  private async caughtUpState(): Promise<LedgerState> {
    if (this.state && !this.behind) return this.state;
    // A writer that can look records up again replays the log for its accounts only (memory
    // bounded by the number of accounts); records come back one by one when commands need them.
    const cold = !this.state && this.lookup !== null;
    const state = this.state ?? (cold ? withoutRecords(initialState()) : initialState());
    for (;;) {
      const events = await this.store.readStream(this.stream, { fromRevision: state.revision + 1n, maxCount: CATCH_UP_PAGE });
      for (const event of events) fold(state, event);
      if (events.length < CATCH_UP_PAGE) break;
    }
    if (cold) Object.assign(state, { transactions: new Map(), holds: new Map(), idempotency: new Map() });
    this.state = state;
    this.behind = false;
    return state;
  }

  /** Returns the commands that did not fit into this append (bounded by bytes and events). */
  private async decideAndAppend(state: LedgerState, batch: Pending[]): Promise<Pending[]> {
    // Events recalled by idempotency key: a replay of such a key answers with them (no second lookup).
    const recalledByKey = this.lookup ? await this.recall(state, batch) : new Map<string, RecordedEvent[]>();
    const working = fork(state);
    let offset = 0;
    let bytes = 0;
    let deferred: Pending[] = [];
    const planned: Planned[] = [];
    for (const [index, pending] of batch.entries()) {
      const item = planOne(working, pending, this.clock);
      if (item.kind === 'new') {
        item.first = offset;
        offset += item.events.length;
        bytes += item.events.reduce((sum, e) => sum + e.serialized!.data.length + e.serialized!.metadata.length, 0);
      }
      planned.push(item);
      if (bytes >= GROUP_BYTES_MAX || offset >= APPEND_EVENTS_MAX - 2 * ENTRIES_PER_TRANSACTION_MAX) {
        deferred = batch.slice(index + 1);
        break;
      }
    }
    const newEvents = planned.flatMap((p) => (p.kind === 'new' ? p.events : []));
    // An append checks the revision the group was decided at; refusals alone append nothing, so
    // check that no other process has written since, or refuse on a state that is out of date
    // (e.g. "not found" for a transaction another process just posted).
    if (newEvents.length === 0 && planned.some((p) => p.kind === 'rejected')) {
      const ahead = await this.store.readStream(this.stream, { fromRevision: state.revision + 1n, maxCount: 1 });
      if (ahead.length > 0) throw new WrongExpectedVersionError(this.stream, state.revision, ahead[0].revision);
    }

    let recorded: RecordedEvent[] = [];
    if (newEvents.length > 0) {
      const result = await this.store.append(this.stream, newEvents, state.revision < 0n ? 'no_stream' : state.revision);
      const now = new Date();
      recorded = newEvents.map((event, index) => ({
        id: event.id,
        stream_id: this.stream,
        revision: result.revisions[index],
        position: result.positions[index],
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        created_at: now,
      }));
    }
    // Only now, with the append durable, does the cached state move forward.
    commit(working, state);
    if (this.lookup) forgetOldest(state, this.recordsMax);

    for (const item of planned) {
      if (item.kind === 'rejected') item.pending.resolve(item.outcome);
      else if (item.kind === 'new') {
        item.pending.resolve({ kind: 'accepted', events: recorded.slice(item.first, item.first + item.events.length), replayed: false, state, hold: item.hold });
      }
    }
    const replays = planned.filter((p): p is Extract<Planned, { kind: 'replay' }> => p.kind === 'replay');
    const batchFirst = state.revision - BigInt(recorded.length) + 1n;
    const fromLog = await this.loggedEvents(state.revision, replays.filter((r) => !(recorded.length > 0 && r.record.first_revision >= batchFirst)), recalledByKey);
    for (const item of replays) {
      const events = fromLog.get(item) ?? (await this.originalEvents(item.record, recorded, batchFirst));
      item.pending.resolve({ kind: 'accepted', events, replayed: true, state, hold: item.hold });
    }
    return deferred;
  }

  /**
   * The original events of replayed commands not appended in this batch, in one lookup by their
   * idempotency keys (a key's events are exactly its first command's: a replay appends nothing),
   * less the keys `recall` already brought back. Without a lookup, each is read back by revision
   * (originalEvents).
   */
  private async loggedEvents(upTo: bigint, replays: Extract<Planned, { kind: 'replay' }>[], recalledByKey: Map<string, RecordedEvent[]>): Promise<Map<Planned, RecordedEvent[]>> {
    const found = new Map<Planned, RecordedEvent[]>();
    if (!this.lookup || replays.length === 0) return found;
    const byKey = recalledByKey; // made for this group only: the lookup's finds join it
    const keys = [...new Set(replays.map((r) => r.pending.envelope.idempotency_key!))].filter((key) => !byKey.has(key));
    if (keys.length > 0) groupByKey(await this.lookup.findInStream(this.stream, 'idempotency_key', keys, upTo), byKey);
    for (const replay of replays) {
      const { first_revision, event_count } = replay.record;
      const events = (byKey.get(replay.pending.envelope.idempotency_key!) ?? []).filter((e) => e.revision >= first_revision && e.revision < first_revision + BigInt(event_count));
      if (events.length === event_count) found.set(replay, events);
    }
    return found;
  }

  /**
   * Brings back, from the log, the records the batch's commands will read that are not in memory:
   * their idempotency keys, the transactions they reverse, the holds they capture, release or
   * expire. Each is folded with the domain's evolve from its events up to the state's revision,
   * so it is exactly what the writer would hold had it never forgotten it.
   */
  private async recall(state: LedgerState, batch: Pending[]): Promise<Map<string, RecordedEvent[]>> {
    const wanted: Record<LookupField, Set<string>> = { idempotency_key: new Set(), transaction_id: new Set(), hold_id: new Set() };
    for (const { envelope } of batch) {
      const key = envelope.idempotency_key;
      if (key && !state.idempotency.get(key)) wanted.idempotency_key.add(key);
      const command = envelope.command;
      if (command.type === 'reverse_transaction' && !state.transactions.get(command.transaction_id)) wanted.transaction_id.add(command.transaction_id);
      const holdId = holdIdOf(command);
      if (holdId && !state.holds.get(holdId)) wanted.hold_id.add(holdId);
    }
    // The lookups by key, transaction and hold are independent: in parallel, not one after another.
    const fields = (Object.keys(wanted) as LookupField[]).filter((field) => wanted[field].size > 0);
    const pages = await Promise.all(fields.map((field) => this.lookup!.findInStream(this.stream, field, [...wanted[field]], state.revision)));
    const byKey = new Map<string, RecordedEvent[]>();
    const keyPage = fields.indexOf('idempotency_key');
    if (keyPage >= 0) groupByKey(pages[keyPage], byKey);
    const found = new Map<bigint, RecordedEvent>();
    for (const event of pages.flat()) found.set(event.revision, event);
    if (found.size === 0) return byKey;
    // The same fold as the writer's own, over just these events (accounts are not needed here).
    const recalled = initialState();
    for (const event of [...found.values()].sort((a, b) => (a.revision < b.revision ? -1 : 1))) fold(recalled, event);
    const restore = <V>(keys: Set<string>, from: KeyValue<V>, into: KeyValue<V>) => {
      for (const key of keys) {
        const record = from.get(key);
        if (record !== undefined) into.set(key, record);
      }
    };
    restore(wanted.idempotency_key, recalled.idempotency, state.idempotency);
    restore(wanted.transaction_id, recalled.transactions, state.transactions);
    restore(wanted.hold_id, recalled.holds, state.holds);
    return byKey;
  }

  /** The events an idempotency key first produced: from this batch, or read back from the log. */
  private async originalEvents(record: IdempotencyRecord, batchEvents: RecordedEvent[], batchFirstRevision: bigint): Promise<RecordedEvent[]> {
    if (batchEvents.length > 0 && record.first_revision >= batchFirstRevision) {
      const start = Number(record.first_revision - batchFirstRevision);
      return batchEvents.slice(start, start + record.event_count);
    }
    return this.store.readStream(this.stream, { fromRevision: record.first_revision, maxCount: record.event_count });
  }
}

/** The hold a capture or release leaves (for its answer), as of this command. */
function holdOf(state: LedgerState, command: CommandEnvelope['command']): Hold | undefined {
  const holdId = holdIdOf(command);
  return holdId ? state.holds.get(holdId) : undefined;
}

/** The hold a command acts on (capture, release, expiry), if any. */
function holdIdOf(command: CommandEnvelope['command']): string | undefined {
  return command.type === 'capture_hold' || command.type === 'release_hold' || command.type === 'expire_hold' ? command.hold_id : undefined;
}

/** Maps that remember nothing: a replay for the accounts only. */
class Forgetful<V> implements KeyValue<V> {
  get(): V | undefined {
    return undefined;
  }
  set(): this {
    return this;
  }
}

function withoutRecords(state: LedgerState): LedgerState {
  return { ...state, transactions: new Forgetful(), holds: new Forgetful(), idempotency: new Forgetful() };
}

/** Events found by idempotency key, gathered under their key (in the order found: by revision). */
function groupByKey(events: RecordedEvent[], byKey: Map<string, RecordedEvent[]>): void {
  for (const event of events) {
    const key = String(event.metadata.idempotency_key);
    const events = byKey.get(key) ?? [];
    events.push(event);
    byKey.set(key, events);
  }
}

/** Forgets the oldest records beyond `max` in each map (they can be recalled from the log). */
function forgetOldest(state: LedgerState, max: number): void {
  for (const map of [state.idempotency, state.transactions, state.holds] as Map<string, unknown>[]) {
    if (map.size <= max) continue;
    let excess = map.size - max;
    for (const key of map.keys()) {
      if (excess-- <= 0) break;
      map.delete(key);
    }
  }
}

function fold(state: LedgerState, event: RecordedEvent): void {
  evolve(state, { type: event.type, data: event.data } as LedgerEvent, event.revision, event.metadata);
}

/**
 * A command whose decision throws (a programming error, e.g. a shape the edge should have
 * refused) fails alone: the rest of the group and the cached state are unaffected, because its
 * tentative events are only folded after the decision succeeded.
 */
function planOne(working: WorkingState, pending: Pending, clock: WriterClock): Planned {
  try {
    return plan(working, pending, clock);
  } catch (error) {
    pending.reject(error);
    return { kind: 'failed', pending };
  }
}

/** Decides one command against the working state and folds its events in tentatively. */
function plan(working: WorkingState, pending: Pending, clock: WriterClock): Planned {
  const { envelope } = pending;
  if (envelope.idempotency_key) {
    const seen = working.idempotency.get(envelope.idempotency_key);
    if (seen) {
      if (seen.request_hash !== envelope.request_hash) {
        const error = domainError('idempotency_key_reused', 'this Idempotency-Key was used with a different request', {
          idempotency_key: envelope.idempotency_key,
        });
        return { kind: 'rejected', pending, outcome: { kind: 'rejected', error } };
      }
      return { kind: 'replay', pending, record: seen, hold: holdOf(working, envelope.command) };
    }
  }
  // A tenant's log time never goes backwards, even across processes with skewed clocks, so
  // "the balances as of T" is always a prefix of the stream. The max alone would let one process
  // with a fast clock carry the log time ahead for good; a process whose clock is off by more than
  // LEDGER_CLOCK_SKEW_MAX_MS decides nothing (thrown: this command fails alone, planOne), so the
  // log time runs ahead of the database's clock by at most that much. Replays and refusals of a
  // reused key above stamp nothing and still answer.
  const skewed = clock.refusal();
  if (skewed) throw skewed;
  const local = new Date(clock.nowMs()).toISOString();
  const now = working.last_occurred_at && working.last_occurred_at > local ? working.last_occurred_at : local;
  const ctx: DecisionContext = { now, newId: flatUuid };
  const decision = decide(working, envelope.command, ctx);
  if (isDomainError(decision)) return { kind: 'rejected', pending, outcome: { kind: 'rejected', error: decision } };

  // Each event is linked into the tenant's hash chain as it is decided, in stream order.
  const events: NewEvent[] = [];
  for (const event of decision) {
    const metadata: Record<string, unknown> = {
      tenant_id: envelope.tenant_id,
      ...envelope.metadata,
      idempotency_key: envelope.idempotency_key,
      request_hash: envelope.request_hash,
      occurred_at: ctx.now,
      command: envelope.command.type,
      prev_hash: working.chain_head ?? GENESIS_HASH,
    };
    const link = linkEvent(event.type, event.data, metadata, metadata.prev_hash as string);
    metadata.hash = link.hash;
    // The canonical JSON the hash was computed over is the data's JSON too (jsonb keeps no key order).
    events.push({ id: randomUUID(), type: event.type, data: event.data, metadata, serialized: { data: link.dataJson, metadata: JSON.stringify(metadata) } });
    evolve(working, event, working.revision + 1n, metadata);
  }
  return { kind: 'new', pending, events, first: 0, hold: holdOf(working, envelope.command) };
}
