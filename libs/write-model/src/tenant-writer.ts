import { LedgerState } from '#domain/index.js';
import { canExclude, canLookUp, EventStore, RecordedEvent, StreamExclusion, WrongExpectedVersionError } from '#event-store/index.js';
import { CommandEnvelope, CommandOutcome, ledgerStream } from './command-envelope.js';
import { CommandQueue, PendingCommand } from './command-queue.js';
import { CONFLICT_RETRIES_MAX, retryOnConflict } from './conflict-retry.js';
import { EnvelopedEvent } from './event-envelope.js';
import { commitPlan, GroupPlan, groupBytesMaxFor, planGroup, PlannedReplay } from './group-plan.js';
import { AppendedGroup, OriginalEvents } from './original-events.js';
import { accountsOnlyState, RecordCache, rememberingRecords } from './record-cache.js';
import { restoreSnapshot, takeSnapshot } from './state-snapshot.js';
import { UNCHECKED_CLOCK, WriterClock } from './writer-clock.js';
import { WRITER_RECORDS_MAX_DEFAULT } from './writer-records-max.js';
import { WriterSnapshots } from './writer-snapshots.js';
import { emptyWriterState, foldRecorded, WriterState } from './writer-state.js';
import { inGroupSpan } from './writer-spans.js';

// Where the writer's parts live, for those who import them from here.
export { CONFLICT_RETRIES_MAX, WriterContendedError } from './conflict-retry.js';

/** Events read per page when the cached state catches up with the stream. */
const CATCH_UP_PAGE = 10_000;
/**
 * How long after another writer of the tenant (another process) was last seen appending this
 * writer keeps deciding under the stream's exclusion: seen by a conflict, or by events it had not
 * appended itself found when catching up under the exclusion.
 */
export const WRITER_CONTENDED_MS = 10_000;
/**
 * A writer's turn with the tenant's exclusion lasts at most this long: it decides and appends
 * group after group meanwhile without reading the stream (nobody else appends), then lets the
 * others' writers have theirs. Longer turns hand over less often (each hand-over costs the lock
 * and a catch-up read: a few round trips) but keep the others' commands waiting longer.
 */
export const WRITER_TURN_MS = 50;
/**
 * After an exclusion could not be had in time (its holder paused or stuck), a writer decides
 * optimistically for this long rather than waiting that long again for every group.
 */
export const WRITER_TURN_BACKOFF_MS = 5_000;
/**
 * ...unless it loses this many races in a row with one group: then the others are appending, not
 * stuck, and it asks for its turn again rather than race them until its retries run out (a 503
 * for the whole group).
 */
export const WRITER_BACKOFF_CONFLICTS_MAX = 3;
/** A writer with nothing queued keeps its turn this much longer for commands about to arrive (its clients' next ones). */
export const WRITER_TURN_LINGER_MS = 10;

/** What a process's writers counted since it started (the registry's, shown by /metrics). */
export interface WriterStats {
  /** Appends refused because another writer (another process) had appended first. */
  conflicts: number;
  /** Turns taken with a tenant's exclusion (writers of one tenant active in several processes). */
  turns: number;
  /** Times a writer went on without the exclusion: not had within STREAM_LOCK_WAIT_MS (a holder paused or stuck). */
  turnsMissed: number;
}

export function newWriterStats(): WriterStats {
  return { conflicts: 0, turns: 0, turnsMissed: 0 };
}

/** Where a writer keeps its snapshots and how often it takes one (LEDGER_WRITER_SNAPSHOT_EVENTS). */
export interface SnapshotPolicy {
  store: WriterSnapshots;
  everyEvents: number;
}

/**
 * The one place commands for a tenant are decided: the domain's `evolve` and `decide`, with
 * caching, group commit and optimistic concurrency around them. Commands queue up (CommandQueue);
 * the writer takes what is queued, recalls the records they need (RecordCache), decides each in
 * order against its cached state (planGroup: a rejected command rejects alone), appends all
 * resulting events in one append with the expected revision, then answers each caller (a replay
 * with its original events: OriginalEvents). On a conflict (another process wrote first) it
 * catches up from the stream and decides the group again (retryOnConflict).
 */
export class TenantWriter {
  /** When a command last arrived (ms): idle writers can be dropped, their state is only a cache. */
  lastUsedAt = Date.now();
  private readonly queue: CommandQueue;
  private state: WriterState | null = null;
  /** Set when an append found the stream ahead of the cache. */
  private behind = false;
  private readonly stream: string;
  /** Set when records may be forgotten: the store can find them again. */
  private readonly records: RecordCache | null;
  private readonly originals: OriginalEvents;
  /** Decides under the stream's exclusion while another process's writer of the tenant is active (null: never). */
  private readonly exclusion: StreamExclusion | null;
  /** Until when (ms) another writer counts as active: set by what it appends. */
  private contendedUntil = 0;
  /** The exclusion while this writer has its turn: when the turn began and how to end it. */
  private turn: { since: number; release: () => Promise<void>; linger: NodeJS.Timeout | null } | null = null;
  /** When an exclusion was last not had in time (WRITER_TURN_BACKOFF_MS). */
  private turnMissedAt = -Infinity;
  private readonly onConflict = (): void => {
    this.stats.conflicts++;
    this.behind = true;
    this.contendedUntil = Date.now() + WRITER_CONTENDED_MS;
  };
  /** Revision of the newest snapshot this writer loaded or took (-1: none). */
  private snapshotRevision = -1n;
  /** The snapshot being written, if any: at most one at a time. */
  private snapshotting: Promise<void> | null = null;

  constructor(
    readonly tenantId: string,
    private readonly store: EventStore,
    recordsMax = WRITER_RECORDS_MAX_DEFAULT,
    /** Stamps `occurred_at`; a skewed clock refuses commands (LEDGER_CLOCK_SKEW_MAX_MS). */
    private readonly clock: WriterClock = UNCHECKED_CLOCK,
    /** Lowered by tests to reach exhaustion with few competing appends. */
    private readonly conflictRetriesMax = CONFLICT_RETRIES_MAX,
    /** Snapshots are taken and used only by a writer that can recall records (they keep only the newest). */
    private snapshots: SnapshotPolicy | null = null,
    /** Whether writers of the tenant in several processes take turns through the store's exclusion (LEDGER_WRITER_LOCK). */
    excludeWhenContended = true,
    /** Counted into by every writer of the registry. */
    private readonly stats: WriterStats = newWriterStats(),
  ) {
    this.stream = ledgerStream(tenantId);
    const lookup = canLookUp(store) && Number.isFinite(recordsMax) ? store : null;
    this.records = lookup ? new RecordCache(lookup, this.stream, recordsMax) : null;
    this.originals = new OriginalEvents(store, this.stream, lookup);
    this.exclusion = excludeWhenContended && canExclude(store) ? store : null;
    this.queue = new CommandQueue(tenantId, (group) => this.commitGroup(group));
    if (!this.records || (snapshots && snapshots.everyEvents <= 0)) this.snapshots = null;
  }

  submit(envelope: CommandEnvelope): Promise<CommandOutcome> {
    this.lastUsedAt = Date.now();
    return this.queue.submit(envelope);
  }

  /** Queues several commands back to back: they are decided in this order, in as few appends as fit. */
  submitMany(envelopes: CommandEnvelope[]): Promise<CommandOutcome>[] {
    this.lastUsedAt = Date.now();
    return this.queue.submitMany(envelopes);
  }

  /** Nothing queued or in flight. */
  get isIdle(): boolean {
    return this.queue.isIdle;
  }

  /** Resolves once every queued command has been answered. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Answers every command of the group but those that did not fit into one append (returned). */
  private async commitGroup(group: PendingCommand[]): Promise<PendingCommand[]> {
    try {
      let lost = 0;
      const deferred = await retryOnConflict(this.tenantId, this.conflictRetriesMax, () => this.attempt(group, lost), () => {
        lost++;
        this.onConflict();
      });
      await this.endTurnIfDue(deferred.length > 0);
      return deferred;
    } catch (error) {
      await this.endTurn();
      // The cache may now be behind the stream (an append can succeed even when its answer is
      // lost, or land after its timeout): the next group catches it up from its revision. It is
      // never ahead of the log nor half-changed — a group's decisions reach it only after their
      // append succeeded (commitPlan) — so reading on from there is enough; reloading the whole
      // tenant after every failed append made a failing log cost the square of its length.
      this.behind = true;
      for (const pending of group) pending.reject(error);
      return [];
    }
  }

  /**
   * One decision of the group against the state, and its append. Alone, a writer decides on its
   * cached state and lets the append's expected revision catch another writer. With another
   * process's writer of the tenant active, deciding that way thrashes: each appends, the other's
   * append then fails, and it catches up and decides again. So while one is (WRITER_CONTENDED_MS
   * since it was last seen), writers take turns through the store's exclusion: each catches up
   * from the stream before asking and again under it (what was appended meanwhile), then decides
   * on a state nobody else moves until its turn ends. The expected revision stays the check (an
   * exclusion not had in time runs the attempt without it).
   */
  private async attempt(group: PendingCommand[], lostRaces: number): Promise<PendingCommand[]> {
    if (this.turn?.linger) {
      clearTimeout(this.turn.linger);
      this.turn.linger = null;
    }
    const now = Date.now();
    const backingOff = now - this.turnMissedAt < WRITER_TURN_BACKOFF_MS && lostRaces < WRITER_BACKOFF_CONFLICTS_MAX;
    if (this.turn || !this.exclusion || now >= this.contendedUntil || backingOff) return this.decideAndAppend(await this.caughtUpState(), group);
    const before = this.state?.revision;
    // Catch up before asking: what the others appended since this writer's last turn may be a
    // lot (a writer idle for a while, or a cold one), and reading it under the exclusion would
    // keep them waiting, past STREAM_LOCK_WAIT_MS on a loaded machine. Under it, only what they
    // appended meanwhile is left to read.
    this.behind = true;
    await this.caughtUpState();
    const release = await this.exclusion.exclude(this.stream);
    if (release) {
      this.turn = { since: Date.now(), release, linger: null };
      this.stats.turns++;
    } else {
      this.turnMissedAt = Date.now();
      this.stats.turnsMissed++;
    }
    // What arrived while this writer waited for its turn goes in this turn.
    this.queue.topUp(group);
    this.behind = true;
    const state = await this.caughtUpState();
    if (before !== undefined && state.revision !== before) this.contendedUntil = Date.now() + WRITER_CONTENDED_MS;
    return this.decideAndAppend(state, group);
  }

  /**
   * After a group: the turn ends when it has lasted WRITER_TURN_MS, or with nothing queued once
   * WRITER_TURN_LINGER_MS passed without a command (`more`: commands that did not fit are next).
   */
  private async endTurnIfDue(more: boolean): Promise<void> {
    const turn = this.turn;
    if (!turn) return;
    if (Date.now() - turn.since >= WRITER_TURN_MS) return this.endTurn();
    if (more || !this.queue.isEmpty) return;
    turn.linger = setTimeout(() => void this.endTurn(), WRITER_TURN_LINGER_MS);
  }

  private async endTurn(): Promise<void> {
    const turn = this.turn;
    if (!turn) return;
    this.turn = null;
    if (turn.linger) clearTimeout(turn.linger);
    // Another writer may append from now on: the next group reads the stream first.
    this.behind = true;
    await turn.release();
  }

  /**
   * The cached state, read from the stream only when there is none yet or another writer was
   * seen to append: otherwise the append's expected revision is the check, and a hot writer
   * pays no read per group.
   */
  private async caughtUpState(): Promise<WriterState> {
    if (this.state && !this.behind) return this.state;
    let state: WriterState;
    if (this.state) state = await this.catchUp(this.state);
    else if (this.records) state = (await this.fromSnapshot()) ?? rememberingRecords(await this.catchUp(accountsOnlyState()));
    else state = await this.catchUp(emptyWriterState());
    this.state = state;
    this.behind = false;
    return state;
  }

  /**
   * The tenant's state from its snapshot, caught up with the stream; null when there is none or
   * it cannot be used (another format, a hash that does not match, or a stream that no longer
   * has the snapshot's last event where it was): the caller then replays the whole stream.
   */
  private async fromSnapshot(): Promise<WriterState | null> {
    if (!this.snapshots) return null;
    // A snapshot is a cache: failing to read one costs a replay, not the command.
    const stored = await this.snapshots.store.load(this.tenantId).catch(() => null);
    if (!stored) return null;
    const restored = restoreSnapshot(stored);
    if ('unusable' in restored) return null;
    const [last] = await this.store.readStream(this.stream, { fromRevision: stored.revision, maxCount: 1 });
    if (!last || last.metadata.hash !== stored.chain_head) return null;
    this.snapshotRevision = stored.revision;
    return this.catchUp(restored.state);
  }

  /**
   * Snapshots the cached state (when it moved since the last one) and waits until it is stored:
   * for a clean shutdown or a writer dropped idle. Never throws (a snapshot is only a cache).
   */
  async snapshot(): Promise<void> {
    await this.snapshotting;
    if (this.state && !this.behind && this.state.revision > this.snapshotRevision) this.startSnapshot(this.state);
    await this.snapshotting;
  }

  /** After a group: a snapshot when `everyEvents` have been appended since the last one. */
  private snapshotIfDue(state: WriterState): void {
    if (this.snapshots && !this.snapshotting && state.revision - this.snapshotRevision >= BigInt(this.snapshots.everyEvents)) this.startSnapshot(state);
  }

  /** Takes the bytes now (the state changes in place from the next group on) and stores them beside the writer. */
  private startSnapshot(state: WriterState): void {
    if (!this.snapshots) return;
    const snapshot = takeSnapshot(state);
    if (!snapshot) return;
    const store = this.snapshots.store;
    this.snapshotting = store
      .save(this.tenantId, snapshot)
      .then(() => {
        this.snapshotRevision = snapshot.revision;
      })
      .catch(() => undefined)
      .finally(() => {
        this.snapshotting = null;
      });
  }

  private async catchUp<S extends LedgerState>(state: S): Promise<S> {
    for (;;) {
      const events = await this.store.readStream(this.stream, { fromRevision: state.revision + 1n, maxCount: CATCH_UP_PAGE });
      for (const event of events) foldRecorded(state, event);
      if (events.length < CATCH_UP_PAGE) return state;
    }
  }

  /** Returns the commands that did not fit into this append (bounded by bytes and events). */
  private async decideAndAppend(state: WriterState, group: PendingCommand[]): Promise<PendingCommand[]> {
    const recalledByKey = this.records ? await this.records.recall(state, group) : new Map<string, RecordedEvent[]>();
    const plan = await inGroupSpan('ledger.decide', group, { 'ledger.tenant_id': this.tenantId }, async () => planGroup(state, group, this.clock, groupBytesMaxFor(this.store.appendBytesMax)));
    // An append checks the revision the group was decided at; refusals alone append nothing, so
    // check that no other process has written since, or refuse on a state that is out of date
    // (e.g. "not found" for a transaction another process just posted).
    if (plan.events.length === 0 && plan.planned.some((p) => p.kind === 'rejected' || p.kind === 'dry')) {
      const ahead = await this.store.readStream(this.stream, { fromRevision: state.revision + 1n, maxCount: 1 });
      if (ahead.length > 0) throw new WrongExpectedVersionError(this.stream, state.revision, ahead[0].revision);
    }
    const recorded = plan.events.length > 0 ? await inGroupSpan('ledger.append', group, { 'ledger.events': plan.events.length }, () => this.append(state.revision, plan.events)) : [];
    // Only now, with the append durable, does the cached state move forward.
    commitPlan(plan.working, state);
    this.records?.forgetOldest(state);
    this.snapshotIfDue(state);
    await this.answer(plan, { events: recorded, firstRevision: state.revision - BigInt(recorded.length) + 1n }, state, recalledByKey);
    return plan.deferred;
  }

  private async append(revision: bigint, events: EnvelopedEvent[]): Promise<RecordedEvent[]> {
    const result = await this.store.append(this.stream, events, revision < 0n ? 'no_stream' : revision);
    const now = new Date();
    return events.map((event, index) => ({
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

  /** A dry run's event as a caller reads events: never in the log, so no revision (-1) and no position (0). */
  private unappended(event: EnvelopedEvent): RecordedEvent {
    return { id: event.id, stream_id: this.stream, revision: -1n, position: 0n, type: event.type, data: event.data, metadata: event.metadata, created_at: new Date() };
  }

  /** Answers each planned command: refusals and new commands at once, replays with their original events. */
  private async answer(plan: GroupPlan, appended: AppendedGroup, state: WriterState, recalledByKey: Map<string, RecordedEvent[]>): Promise<void> {
    const replays: PlannedReplay[] = [];
    for (const item of plan.planned) {
      if (item.kind === 'rejected') item.pending.resolve(item.outcome);
      else if (item.kind === 'new') {
        item.pending.resolve({ kind: 'accepted', events: appended.events.slice(item.first, item.first + item.events.length), replayed: false, state, hold: item.hold });
      } else if (item.kind === 'dry') {
        item.pending.resolve({ kind: 'accepted', events: item.events.map((event) => this.unappended(event)), replayed: false, state, dry_run: true });
      } else if (item.kind === 'replay') replays.push(item);
    }
    if (replays.length === 0) return;
    const recalled = await this.originals.recall(replays, appended, state.revision, recalledByKey);
    for (const item of replays) {
      const events = recalled.get(item) ?? (await this.originals.of(item.record, appended));
      item.pending.resolve({ kind: 'accepted', events, replayed: true, state, hold: item.hold });
    }
  }
}
