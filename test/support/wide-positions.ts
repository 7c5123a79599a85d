import { Pool } from 'pg';
import {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  PostgresEventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SelectedEventStore,
  SubscribeOptions,
  Subscription,
} from '#event-store/index.js';

/**
 * The PostgreSQL log with positions shaped like EventStoreDB's: an event at PostgreSQL position p
 * is at p * (2^64 + 1), which is how an EventStoreDB position {commit: p, prepare: p} is packed
 * (libs/event-store/src/eventstoredb/position.ts). Every event is real and in PostgreSQL; only the
 * numbering differs, so everything downstream (checkpoints, read models, cursors, lag, evidence)
 * must carry positions beyond int8 and must not treat a position difference as a count.
 */
export const WIDE = (1n << 64n) + 1n;

export class WidePositionsEventStore implements EventStore {
  constructor(readonly inner: EventStore) {}

  private widen = (event: RecordedEvent): RecordedEvent => ({ ...event, position: event.position * WIDE });
  /** Strictly after a wide position = strictly after the narrow one below or at it. */
  private narrow = (position: bigint | undefined): bigint | undefined => (position === undefined ? undefined : position / WIDE);

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const result = await this.inner.append(streamId, events, expected);
    return { ...result, positions: result.positions.map((p) => p * WIDE) };
  }
  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(this.widen);
  }
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return (await this.inner.readAll({ ...options, afterPosition: this.narrow(options.afterPosition) })).map(this.widen);
  }
  async readAt(position: bigint): Promise<RecordedEvent | null> {
    if (position % WIDE !== 0n) return null;
    const event = await this.inner.readAt(position / WIDE);
    return event && this.widen(event);
  }
  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    const event = await this.inner.readLastEvent(streamId);
    return event && this.widen(event);
  }
  countEvents(after: bigint, upTo: bigint, cap: bigint): Promise<bigint> {
    return this.inner.countEvents(after / WIDE, upTo / WIDE, cap);
  }
  subscribeToAll(options: SubscribeOptions, handler: (events: RecordedEvent[]) => Promise<void>): Subscription {
    return this.inner.subscribeToAll({ ...options, afterPosition: this.narrow(options.afterPosition) }, (events) => handler(events.map(this.widen)));
  }
  async headPosition(): Promise<bigint> {
    return (await this.inner.headPosition()) * WIDE;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export function wideLog(pool: Pool): SelectedEventStore {
  const store = new WidePositionsEventStore(new PostgresEventStore(pool));
  return { kind: 'postgres', store, describe: () => 'event log: PostgreSQL with EventStoreDB-shaped positions (test)', connect: async () => undefined };
}
