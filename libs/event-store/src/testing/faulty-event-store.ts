/**
 * An in-memory event log and a view of it that injects storage faults, for deterministic
 * simulations of the write path (test/simulation). Nothing here waits on a real timer or does
 * real I/O: every answer is a resolved promise, time is a SimulatedClock that the faults move
 * forward, and every fault is drawn from the caller's seeded PRNG, so the same seed gives the
 * same run. Not an adapter for production: no subscriptions, no persistence.
 */
import {
  AppendResult,
  EventStore,
  EventStoreUnavailableError,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
  WrongExpectedVersionError,
} from '../event-store.port.js';

/** Milliseconds since the epoch that only move when told to. */
export class SimulatedClock {
  constructor(private millis: number) {}
  nowMs(): number {
    return this.millis;
  }
  advance(ms: number): void {
    this.millis += ms;
  }
}

/** A log held in memory, with the port's semantics for appends (expected revision) and reads. */
export class InMemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();

  constructor(private readonly clock: SimulatedClock) {}

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.appendNow(streamId, events, expected);
  }

  /** The append itself, synchronous: a fault view applies it at the moment it chooses. */
  appendNow(streamId: string, events: NewEvent[], expected: ExpectedRevision): AppendResult {
    const stream = this.streams.get(streamId) ?? [];
    const actual = stream.length === 0 ? 'no_stream' : BigInt(stream.length - 1);
    const matches = expected === 'any' || (expected === 'no_stream' ? stream.length === 0 : expected === actual);
    if (!matches) throw new WrongExpectedVersionError(streamId, expected, actual);
    const revisions: bigint[] = [];
    const positions: bigint[] = [];
    for (const event of events) {
      const recorded: RecordedEvent = {
        id: event.id,
        stream_id: streamId,
        revision: BigInt(stream.length),
        position: BigInt(this.all.length + 1),
        type: event.type,
        // A copy, as a real log would store: later changes to the caller's objects must not reach it.
        data: JSON.parse(event.serialized?.data ?? JSON.stringify(event.data)),
        metadata: JSON.parse(event.serialized?.metadata ?? JSON.stringify(event.metadata)),
        created_at: new Date(this.clock.nowMs()),
      };
      stream.push(recorded);
      this.all.push(recorded);
      revisions.push(recorded.revision);
      positions.push(recorded.position);
    }
    this.streams.set(streamId, stream);
    return { next_expected_revision: BigInt(stream.length - 1), positions, revisions };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.readStreamNow(streamId, options);
  }

  readStreamNow(streamId: string, options: ReadStreamOptions = {}): RecordedEvent[] {
    const stream = this.streams.get(streamId) ?? [];
    const from = Number(options.fromRevision ?? 0n);
    return stream.slice(from, options.maxCount === undefined ? undefined : from + options.maxCount);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = Number(options.afterPosition ?? 0n);
    const prefixes = options.streamPrefixes;
    const selected = this.all.slice(after).filter((e) => !prefixes || prefixes.some((p) => e.stream_id.startsWith(p)));
    return options.maxCount === undefined ? selected : selected.slice(0, options.maxCount);
  }

  subscribeToAll(): Subscription {
    throw new Error('the in-memory simulation log has no subscriptions');
  }

  async readAt(position: bigint): Promise<RecordedEvent | null> {
    return this.all[Number(position) - 1] ?? null;
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    const stream = this.streams.get(streamId);
    return stream && stream.length > 0 ? stream[stream.length - 1] : null;
  }

  async countEvents(after: bigint, upTo: bigint, cap: bigint): Promise<bigint> {
    const count = BigInt(Math.max(0, Math.min(this.all.length, Number(upTo)) - Number(after)));
    return count < cap ? count : cap;
  }

  async headPosition(): Promise<bigint> {
    return BigInt(this.all.length);
  }

  async close(): Promise<void> {}
}

/** Chances per call, each in [0, 1). */
export interface FaultRates {
  /** The append is refused before it is written. */
  append_fails: number;
  /** No answer within the timeout; the append may land then, later, or never. */
  append_times_out: number;
  /** The append is written but the answer is lost (an error instead). */
  append_lost_answer: number;
  /** The read answers, late. */
  read_slow: number;
}

export const NO_FAULTS: FaultRates = { append_fails: 0, append_times_out: 0, append_lost_answer: 0, read_slow: 0 };

/** How long a timed-out append is waited for before the caller is told it timed out. */
export const APPEND_TIMEOUT_MS = 5_000;
/** The longest a slow read takes. */
export const READ_LATENCY_MS_MAX = 2_000;

export type FaultKind = 'append_failed' | 'append_timed_out' | 'append_landed_late' | 'append_lost_answer' | 'read_slow';

/**
 * One writer's view of a shared InMemoryEventStore, injecting faults drawn from `random`. A
 * timed-out append lands before the timeout (the answer was lost), never, or later: just before
 * the next call any view makes to the log (when it lands its expected revision is checked again,
 * as a real log's delayed commit would be, so it may then fail silently). `settle()` lands them all.
 */
export class FaultyEventStore implements EventStore {
  readonly faults = new Map<FaultKind, number>();

  constructor(
    private readonly log: InMemoryEventStore,
    private readonly clock: SimulatedClock,
    private readonly random: () => number,
    public rates: FaultRates,
    /** Appends that timed out and will land late, shared by every view of the same log. */
    private readonly late: LateAppends,
  ) {}

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.late.land(this.random);
    const roll = this.random();
    let threshold = this.rates.append_fails;
    if (roll < threshold) {
      this.count('append_failed');
      throw new EventStoreUnavailableError('simulated: the append failed before it was written');
    }
    threshold += this.rates.append_times_out;
    if (roll < threshold) {
      this.clock.advance(APPEND_TIMEOUT_MS);
      const when = this.random();
      if (when < 1 / 3) this.log.appendNow(streamId, events, expected);
      else if (when < 2 / 3) this.late.push(() => this.log.appendNow(streamId, events, expected), () => this.count('append_landed_late'));
      this.count('append_timed_out');
      throw new EventStoreUnavailableError(`simulated: no answer within ${APPEND_TIMEOUT_MS} ms`);
    }
    threshold += this.rates.append_lost_answer;
    const result = this.log.appendNow(streamId, events, expected);
    if (roll < threshold) {
      this.count('append_lost_answer');
      throw new EventStoreUnavailableError('simulated: the append was written but its answer was lost');
    }
    return result;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.late.land(this.random);
    this.maybeSlow();
    return this.log.readStream(streamId, options);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    this.late.land(this.random);
    this.maybeSlow();
    return this.log.readAll(options);
  }

  subscribeToAll(): Subscription {
    return this.log.subscribeToAll();
  }

  readAt(position: bigint): Promise<RecordedEvent | null> {
    return this.log.readAt(position);
  }

  readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    this.late.land(this.random);
    return this.log.readLastEvent(streamId);
  }

  countEvents(after: bigint, upTo: bigint, cap: bigint): Promise<bigint> {
    return this.log.countEvents(after, upTo, cap);
  }

  headPosition(): Promise<bigint> {
    return this.log.headPosition();
  }

  async close(): Promise<void> {}

  /** Lands every late append still in flight (the end of a run: nothing stays in doubt). */
  settle(): void {
    this.late.land(() => 0);
  }

  private maybeSlow(): void {
    if (this.random() >= this.rates.read_slow) return;
    this.clock.advance(1 + Math.floor(this.random() * READ_LATENCY_MS_MAX));
    this.count('read_slow');
  }

  private count(kind: FaultKind): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }
}

/** Timed-out appends still in flight; they land (or fail their revision check) in order. */
export class LateAppends {
  private readonly pending: { apply: () => void; landed: () => void }[] = [];

  push(apply: () => void, landed: () => void): void {
    this.pending.push({ apply, landed });
  }

  get size(): number {
    return this.pending.length;
  }

  /** Before each call to the log, the oldest late append lands with even odds (so one may land between a writer's read and its append). */
  land(random: () => number): void {
    while (this.pending.length > 0 && random() < 0.5) {
      const next = this.pending.shift()!;
      try {
        next.apply();
        next.landed();
      } catch (error) {
        // Another append took its revision first: the delayed commit fails, as a real one would.
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      }
    }
  }
}
