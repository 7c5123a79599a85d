// Over 300 lines on purpose: one adapter of the EventStore port, every method beside the error mapping it shares (errors.ts, position.ts and serialization.ts hold the parts that stand alone).
/**
 * The event store port on EventStoreDB (event-store.port.ts; docs/architecture.md), through @eventstore/db-client (gRPC).
 *
 * - append: one atomic append with the expected revision ('no_stream' / 'any' / exact revision);
 *   a WrongExpectedVersion becomes the port's WrongExpectedVersionError(stream, expected, actual).
 *   The server answers with the stream's new revision only, so the appended events are read back
 *   by revision for their positions (one more round trip per append; they are the same positions
 *   $all shows, since every event written by a 20+ server commits itself).
 * - readStream: a missing stream reads as empty.
 * - readAll: forwards from a position, strictly after it; system events and streams outside the
 *   prefixes are skipped here (the v6 client has no server-side filter on reads).
 * - subscribeToAll: catch-up then live, with the server-side filter (stream prefixes, or
 *   exclude-system-events), batches of up to batchSize handed to the handler one at a time.
 * - positions: {commit, prepare} packed into one bigint, see position.ts.
 *
 * Differences from the PostgreSQL adapter, from EventStoreDB itself:
 * - Event ids are not checked for uniqueness across appends: EventStoreDB keeps no global index of
 *   them. Instead it makes a retried append idempotent (the same ids at the same expected revision
 *   succeed once and return the original revisions). Duplicates within one append are refused here.
 * - One append is limited by the server's MaxAppendSize (1 MiB by default; docker-compose.yml
 *   raises it) besides APPEND_EVENTS_MAX.
 * - Stream reads must carry positions: EventStoreDB 22.6 or later.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import {
  answersWithin,
  APPEND_EVENTS_MAX,
  APPEND_SIZE_CEILING,
  AppendResult,
  EventStore,
  EventStoreUnavailableError,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  WrongExpectedVersionError,
} from '../event-store.port.js';
import { EventStoreDbTarget, InvalidEventStoreUrlError, parseEventStoreUrl } from './connection-url.js';
import { isStreamNotFound, mapAppendError, mapEsdbError } from './errors.js';
import { toEsdbExpectedRevision } from './expected-revision.js';
import { acceptsEvent, buildSubscriptionFilter, matchesNothing, validatePrefixes } from './filter.js';
import { decodePosition, encodePosition, POSITION_MAX, SERVER_OFFSET_MAX, serverPositionAtOrBefore } from './position.js';
import { toEventData, toRecordedEvent } from './serialization.js';

const READ_BATCH_DEFAULT = 1000;
/**
 * A filtered subscription's checkpoint comes after this many x 32 events the server has looked
 * through (CheckpointOptions): often enough that a restart rescans little, rarely enough that
 * storing it costs nothing next to the events themselves.
 */
const CHECKPOINT_INTERVAL = 32;
/** Events read per request when most of what is read may be filtered out. */
const SCAN_PAGE = 1000;
/** How many of the latest events headPosition looks through per request for one a reader sees. */
const HEAD_SCAN_PAGE = 100;
/**
 * How many of the latest events headPosition looks through at most: past them (a log whose tail
 * is another application's or the server's own), it answers the highest position this store has
 * seen a reader's event at (lower is safe: "readers may read up to here").
 */
export const HEAD_SCAN_EVENTS_MAX = 10_000;
export const CONNECT_TIMEOUT_MS = 5000;
/**
 * A read that brings neither an event nor its end for this long (up to twice it: a watchdog looks
 * every READ_STALL_MS) is cancelled and fails as unavailable (retryable). Client 6.x sends every read with no deadline at all (it forces
 * `deadline: Infinity` on reads and subscriptions), so a server that stops answering would hold
 * a request, a writer's replay or a projection's catch-up forever. Per event, not per read: a
 * long replay that keeps delivering is never cut.
 */
export const READ_STALL_MS = 10_000;

export interface EventStoreDbEventStoreOptions {
  /**
   * Streams this store's readers see when a read or subscription names no prefixes of its own
   * (e.g. LEDGER_STREAM_PREFIXES). Unset: every stream except EventStoreDB's system streams.
   */
  streamPrefixes?: readonly string[];
  /** How long connect()/ping() wait for the server. */
  connectTimeoutMs?: number;
  /** READ_STALL_MS unless given (tests). */
  readStallMs?: number;
  /**
   * The server's MaxAppendSize (EVENTSTORE_MAX_APPEND_SIZE, read by loadConfig too): larger
   * appends are refused here with the sizes rather than by the server, and the writer sizes its
   * groups below it. APPEND_SIZE_CEILING unless given.
   */
  appendBytesMax?: number;
}

/**
 * Where the start from `afterPosition` is: START for 0n, END when no event can follow it, else a
 * position the server takes at or before it (position.ts: the server throws for a pair no event
 * can have, e.g. from a caller's cursor; readers drop what is not strictly after their cursor).
 */
export function readPositionAfter(afterPosition: bigint | undefined): ReadPosition {
  if (afterPosition === undefined || afterPosition <= 0n) return START;
  if (afterPosition > POSITION_MAX) return END;
  return serverPositionAtOrBefore(afterPosition) ?? END;
}

export class EventStoreDbEventStore implements EventStore {
  private readonly scope: readonly string[] | undefined;
  private readonly connectTimeoutMs: number;
  private readonly readStallMs: number;
  readonly appendBytesMax: number;
  /** The highest position of an event a reader sees that this store has appended or found (headPosition's fallback). */
  private knownHead = 0n;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(
    private readonly client: EventStoreDBClient,
    readonly target: EventStoreDbTarget,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.scope = options.streamPrefixes === undefined ? undefined : validatePrefixes(options.streamPrefixes);
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.readStallMs = options.readStallMs ?? READ_STALL_MS;
    this.appendBytesMax = options.appendBytesMax ?? APPEND_SIZE_CEILING;
  }

  /**
   * A store for a connection string; checks it and creates the client, without connecting (the
   * client connects on first use). Throws InvalidEventStoreUrlError for a malformed string.
   */
  static fromUrl(url: string, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore {
    const target = parseEventStoreUrl(url);
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(target.url);
    } catch (error) {
      throw new InvalidEventStoreUrlError(`${target.discover ? 'esdb+discover' : 'esdb'}://${target.display}`, String((error as Error)?.message ?? error));
    }
    return new EventStoreDbEventStore(client, target, options);
  }

  describe(): string {
    return `event log: EventStoreDB at ${this.target.display}`;
  }

  /**
   * Fails fast, within connectTimeoutMs (5 s), with an EventStoreUnavailableError naming the
   * server if it cannot be reached or cannot read $all. Call at start-up.
   */
  ping(timeoutMs = this.connectTimeoutMs): Promise<void> {
    return answersWithin(this.readRaw(END, 1, BACKWARDS, timeoutMs), timeoutMs, {
      name: `EventStoreDB at ${this.target.display}`,
      failed: 'is unreachable or refused to read $all',
      hint: '(EVENTSTORE_URL)',
    });
  }

  /** The same check as ping(), under the name the start-up code uses. */
  connect(): Promise<void> {
    return this.ping();
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    if (events.length > APPEND_EVENTS_MAX) throw new Error(`append of ${events.length} events exceeds ${APPEND_EVENTS_MAX}`);
    const expectedRevision = toEsdbExpectedRevision(expected);
    const payload = events.map(toEventData);
    const ids = new Set<string>();
    for (const event of payload) {
      const id = event.id.toLowerCase();
      if (ids.has(id)) throw new Error(`duplicate event id ${event.id} within one append to ${streamId}`);
      ids.add(id);
    }

    const size = appendSizeOver(events, payload.map((e) => e.metadata as Uint8Array), this.appendBytesMax);
    if (size !== null) {
      throw new Error(`append to ${streamId} is ${size} bytes; EventStoreDB takes at most ${this.appendBytesMax} per append (MaxAppendSize)`);
    }

    let last: bigint;
    try {
      const result = await this.client.appendToStream(streamId, payload, { expectedRevision });
      if (result.success === false) {
        // Only with throwOnAppendFailure=false, which connection-url.ts refuses: the client then
        // answers a wrong expected version with success: false and a revision it gets wrong
        // (6.2.1 sends BigInt(hasCurrentStreamRevision()), i.e. 1n). The stream says the actual one.
        const current = await this.readLastEvent(streamId);
        throw new WrongExpectedVersionError(streamId, expected, current ? current.revision : 'no_stream');
      }
      last = result.nextExpectedRevision;
    } catch (error) {
      throw mapAppendError(error, streamId, expected);
    }

    // From the leader: a follower may not have the append yet (the client may be connected to a
    // follower of a cluster, and reads go to whichever node it is on unless told otherwise).
    const first = last - BigInt(events.length) + 1n;
    const written = await this.readStreamFrom(streamId, { fromRevision: first, maxCount: events.length }, true);
    const matches = written.length === events.length && written.every((e, i) => e.id.toLowerCase() === payload[i].id.toLowerCase());
    if (!matches) {
      throw new Error(
        `EventStoreDB acknowledged the append to ${streamId} at revisions ${first}..${last}, but those revisions do not hold the appended events`,
      );
    }
    for (const e of written) if (e.position > this.knownHead && acceptsEvent(e.stream_id, e.type, this.scope)) this.knownHead = e.position;
    return {
      next_expected_revision: last,
      positions: written.map((e) => e.position),
      revisions: written.map((e) => e.revision),
    };
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.readStreamFrom(streamId, options, false);
  }

  private async readStreamFrom(streamId: string, options: ReadStreamOptions, requiresLeader: boolean): Promise<RecordedEvent[]> {
    const fromRevision = options.fromRevision ?? 0n;
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, { fromRevision, maxCount, direction: FORWARDS, ...(requiresLeader ? { requiresLeader } : {}) });
      for await (const resolved of withStallDeadline(read, this.readStallMs, `read of ${streamId}`)) {
        if (resolved.event) events.push(toRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw mapEsdbError(error, `read of ${streamId}`);
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const max = options.maxCount ?? READ_BATCH_DEFAULT;
    const prefixes = this.prefixesFor(options.streamPrefixes);
    if (max <= 0 || matchesNothing(prefixes)) return [];
    const out: RecordedEvent[] = [];
    // +1: a forward read starts at (and includes) the event at the cursor, which is dropped.
    const pageSize = () => (prefixes ? Math.max(max - out.length + 1, SCAN_PAGE) : max - out.length + 1);
    for await (const { event, accepted } of this.scan(options.afterPosition ?? 0n, prefixes, pageSize)) {
      if (!accepted) continue;
      out.push(toRecordedEvent(event));
      if (out.length === max) break;
    }
    return out;
  }

  /**
   * $all forwards, strictly after `after`, page by page (`pageSize` asked before each page), each
   * event with its encoded position and whether a reader with these prefixes sees it; ends at the
   * end of the log.
   */
  private async *scan(
    after: bigint,
    prefixes: readonly string[] | undefined,
    pageSize: () => number,
  ): AsyncGenerator<{ position: bigint; event: AllStreamRecordedEvent; accepted: boolean }> {
    let cursor = after;
    for (;;) {
      const request = pageSize();
      const page = await this.readRaw(readPositionAfter(cursor), request, FORWARDS);
      let last = cursor;
      for (const event of page) {
        const position = encodePosition(event.position);
        if (position <= cursor) continue;
        last = position;
        yield { position, event, accepted: acceptsEvent(event.streamId, event.type, prefixes) };
      }
      if (page.length < request || last === cursor) return; // the end of the log
      cursor = last;
    }
  }

  async readAt(position: bigint): Promise<RecordedEvent | null> {
    if (position <= 0n || position > POSITION_MAX) return null;
    // The server throws for a pair no event has (prepare > commit, or an offset beyond int64).
    const at = decodePosition(position);
    if (at.prepare > at.commit || at.commit > SERVER_OFFSET_MAX) return null;
    // A forward read from a position starts at (and includes) the event there.
    const [event] = await this.readRaw(at, 1, FORWARDS);
    if (!event || encodePosition(event.position) !== position || !acceptsEvent(event.streamId, event.type, this.scope)) return null;
    return toRecordedEvent(event);
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    try {
      const read = this.client.readStream(streamId, { fromRevision: END, maxCount: 1, direction: BACKWARDS });
      for await (const resolved of withStallDeadline(read, this.readStallMs, `read of ${streamId}`)) {
        if (resolved.event) return toRecordedEvent(resolved.event);
      }
      return null;
    } catch (error) {
      if (isStreamNotFound(error)) return null;
      throw mapEsdbError(error, `read of ${streamId}`);
    }
  }

  /** Reads the events between the two positions (not their data's meaning), stopping at `cap`. */
  async countEvents(after: bigint, upTo: bigint, cap: bigint): Promise<bigint> {
    let count = 0n;
    if (cap <= 0n || after >= upTo) return count;
    for await (const { position, accepted } of this.scan(after, this.scope, () => SCAN_PAGE)) {
      if (position > upTo) break;
      if (accepted && ++count >= cap) break;
    }
    return count;
  }

  async headPosition(): Promise<bigint> {
    const prefixes = this.scope;
    let from: ReadPosition = END;
    let scanned = 0;
    while (scanned < HEAD_SCAN_EVENTS_MAX) {
      const request = Math.min(HEAD_SCAN_PAGE, HEAD_SCAN_EVENTS_MAX - scanned);
      const page = await this.readRaw(from, request, BACKWARDS);
      scanned += page.length;
      for (const event of page) {
        const position = encodePosition(event.position);
        // At or below what this store knows already: nothing newer a reader sees is left to find.
        if (position <= this.knownHead) return this.knownHead;
        if (acceptsEvent(event.streamId, event.type, prefixes)) return (this.knownHead = position);
      }
      if (page.length < request) return this.knownHead; // the start of the log
      // Backward reads return events before the position given (it is a post-position).
      from = page[page.length - 1].position;
    }
    return this.knownHead;
  }

  subscribeToAll(options: SubscribeOptions, handler: (events: RecordedEvent[]) => Promise<void>): Subscription {
    const batchSize = Math.max(1, options.batchSize ?? READ_BATCH_DEFAULT);
    const prefixes = this.prefixesFor(options.streamPrefixes);
    let position = options.afterPosition ?? 0n;
    let stopped = this.closed;
    let failure: unknown = null;
    let ended = false;
    let wake: () => void = () => undefined;
    const waitForMore = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    // The client awaits checkpointReached before it passes on anything later, so once what it
    // passed on before is handled, the checkpoint is in order with the batches.
    let checkpoint: { position: bigint; handled: () => void } | null = null;
    const onCheckpoint = options.onCheckpoint;
    const checkpoints = onCheckpoint && {
      checkpointInterval: CHECKPOINT_INTERVAL,
      checkpointReached: (_: unknown, at: Position) =>
        new Promise<void>((handled) => {
          checkpoint = { position: encodePosition(at), handled };
          wake();
        }),
    };

    let source: AllStreamSubscription | null = null;
    if (!stopped && !matchesNothing(prefixes)) {
      source = this.client.subscribeToAll(
        { fromPosition: readPositionAfter(position), filter: buildSubscriptionFilter(prefixes, checkpoints), resolveLinkTos: false },
        { highWaterMark: Math.max(2 * batchSize, 64) },
      );
      source.on('readable', () => wake());
      source.on('error', (error) => {
        failure ??= error;
        wake();
      });
      source.on('end', () => {
        ended = true;
        wake();
      });
      source.on('close', () => {
        ended = true;
        wake();
      });
    }

    const loop = async () => {
      while (!stopped) {
        const batch: RecordedEvent[] = [];
        if (source) {
          let resolved: AllStreamResolvedEvent | null;
          while (batch.length < batchSize && (resolved = source.read() as AllStreamResolvedEvent | null) !== null) {
            const event = resolved.event;
            if (!event || !acceptsEvent(event.streamId, event.type, prefixes)) continue;
            const recorded = toRecordedEvent(event);
            if (recorded.position <= position) continue; // at or before where we start / already delivered
            batch.push(recorded);
            position = recorded.position;
          }
        }
        if (stopped) break;
        if (batch.length > 0) {
          await handler(batch);
          continue;
        }
        const reached: { position: bigint; handled: () => void } | null = checkpoint;
        if (reached && onCheckpoint) {
          checkpoint = null;
          if (reached.position > position) {
            await onCheckpoint(reached.position);
            position = reached.position;
          }
          reached.handled();
          continue;
        }
        if (failure) throw mapEsdbError(failure, 'subscription to $all');
        if (ended) throw new EventStoreUnavailableError('EventStoreDB ended the subscription to $all');
        await waitForMore();
      }
    };

    const done = loop().finally(async () => {
      stopped = true;
      (checkpoint as { handled: () => void } | null)?.handled();
      this.subscriptions.delete(subscription);
      await source?.unsubscribe().catch(() => undefined);
    });
    const subscription: Subscription = {
      done,
      stop: async () => {
        stopped = true;
        wake();
        await done.catch(() => undefined);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose().catch(() => undefined);
  }

  private prefixesFor(requested: readonly string[] | undefined): readonly string[] | undefined {
    if (requested !== undefined) return validatePrefixes(requested);
    return this.scope;
  }

  /** Events of $all from `from` in `direction`, link-free, as the client gives them. */
  private async readRaw(from: ReadPosition, maxCount: number, direction: typeof FORWARDS | typeof BACKWARDS, stallMs = this.readStallMs): Promise<AllStreamRecordedEvent[]> {
    const events: AllStreamRecordedEvent[] = [];
    try {
      const read = this.client.readAll({ fromPosition: from, maxCount, direction, resolveLinkTos: false });
      for await (const resolved of withStallDeadline(read, stallMs, 'read of $all')) {
        if (resolved.event) events.push(resolved.event);
      }
    } catch (error) {
      throw mapEsdbError(error, 'read of $all');
    }
    return events;
  }
}

/**
 * Whether an append stays within `max` bytes as the server counts them: data, metadata and twice
 * the type's length per event (Event.SizeOnDisk; Streams.Append.cs refuses past MaxAppendSize
 * with an InvalidArgument). Data goes as UTF-8 JSON, at most 3 bytes per UTF-16 unit of its text,
 * so the exact count (a stringify for events without `serialized`) runs only near the limit.
 * Returns the exact size when over, else null.
 */
export function appendSizeOver(events: readonly NewEvent[], metadata: readonly Uint8Array[], max: number): number | null {
  let bound = 0;
  for (let i = 0; i < events.length; i++) {
    const data = events[i].serialized?.data;
    bound += (data === undefined ? Infinity : 3 * data.length) + metadata[i].byteLength + 2 * events[i].type.length;
  }
  if (bound <= max) return null;
  let size = 0;
  for (let i = 0; i < events.length; i++) {
    const data = events[i].serialized?.data ?? JSON.stringify(events[i].data);
    size += Buffer.byteLength(data) + metadata[i].byteLength + 2 * events[i].type.length;
  }
  return size > max ? size : null;
}

/**
 * The items of a read, failing with EventStoreUnavailableError (and cancelling the call) when
 * `stallMs` pass without the next one or the end (at most 2 x stallMs: a watchdog looks every
 * stallMs; per item there is only a flag to set). See READ_STALL_MS.
 */
export async function* withStallDeadline<T>(read: AsyncIterable<T>, stallMs: number, what: string): AsyncGenerator<T> {
  const stream = read as AsyncIterable<T> & { cancel?: () => Promise<void>; destroy?: (error?: Error) => void };
  let progressed = true;
  let stalled: EventStoreUnavailableError | null = null;
  let finished = false;
  const watchdog = setInterval(() => {
    if (progressed) {
      progressed = false;
      return;
    }
    stalled = new EventStoreUnavailableError(`event store unavailable (EventStoreDB, ${what}): no answer within ${stallMs} ms`);
    clearInterval(watchdog);
    // Cancelled on the client: the server stops sending; destroying the stream ends the wait.
    void stream.cancel?.().catch(() => undefined);
    stream.destroy?.(stalled);
  }, stallMs);
  watchdog.unref();
  try {
    for await (const item of stream) {
      progressed = true;
      yield item;
    }
    finished = true;
  } catch (error) {
    throw stalled ?? error;
  } finally {
    clearInterval(watchdog);
    if (!finished && !stalled) {
      void stream.cancel?.().catch(() => undefined);
      stream.destroy?.();
    }
  }
}
