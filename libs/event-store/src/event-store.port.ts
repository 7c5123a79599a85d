/**
 * The event store port, shaped after EventStoreDB so adapters are interchangeable.
 * Revisions are per stream and 0-based; positions are global and strictly increasing in
 * the order a reader of $all sees events.
 */
export type ExpectedRevision = 'no_stream' | 'any' | bigint;

export interface NewEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** JSON of data and metadata when the caller already has it (spares a second stringify). */
  serialized?: { data: string; metadata: string };
}

export interface RecordedEvent {
  id: string;
  stream_id: string;
  revision: bigint;
  position: bigint;
  type: string;
  data: any;
  metadata: Record<string, any>;
  created_at: Date;
}

export interface AppendResult {
  /** Revision of the last event written. */
  next_expected_revision: bigint;
  /** One per appended event, in order. */
  positions: bigint[];
  revisions: bigint[];
}

export interface ReadStreamOptions {
  fromRevision?: bigint;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position (0n or undefined: from the start). */
  afterPosition?: bigint;
  maxCount?: number;
  /** Only streams whose id starts with one of these prefixes. */
  streamPrefixes?: string[];
}

export interface SubscribeOptions extends ReadAllOptions {
  /** How many events a subscriber handles at once. */
  batchSize?: number;
  /**
   * Called between batches, in order with them, with a position the subscription has looked up
   * to and found nothing more for this subscriber (EventStoreDB's checkpoints of a filtered
   * subscription): storing it spares a restart the rescan of what the filter skipped. Logs that
   * have none never call it.
   */
  onCheckpoint?: (position: bigint) => Promise<void>;
  /**
   * Once caught up with the log, wait this long after an append is announced (or after a batch
   * that did not fill `batchSize`) before reading, so that appends arriving meanwhile come as one
   * batch: a subscriber with a fixed cost per batch (a projector's transaction) then pays it once
   * per window, not once per small append. Never while catching up (full batches go on at once).
   * 0 or absent: read at once. A hint: a log that pushes events may batch what it has instead.
   */
  lingerMs?: number;
}

export interface Subscription {
  /** Resolves when the subscription has stopped (after stop(), or with the handler's error). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly stream_id: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`wrong expected version for ${stream_id}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/** The store could not be reached or failed; the caller may retry. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'EventStoreUnavailableError';
  }
}

export interface EventStore {
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Reads committed events in global order, never past a gap that a slower transaction may still
   * fill. A read may answer fewer than `maxCount` while more are readable (a kept page ends there);
   * read on from the last event: only an empty answer means nothing more is readable now.
   */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up then live: calls handler with batches in global order until stopped. */
  subscribeToAll(options: SubscribeOptions, handler: (events: RecordedEvent[]) => Promise<void>): Subscription;
  /** The event at exactly this position, or null when a reader of $all sees none there. */
  readAt(position: bigint): Promise<RecordedEvent | null>;
  /** The last event of a stream, or null when there is no such stream. */
  readLastEvent(streamId: string): Promise<RecordedEvent | null>;
  /**
   * How many events a reader of $all sees after `after` up to and including `upTo`, counting at
   * most `cap` (lag figures: positions need not be dense, e.g. EventStoreDB's are log offsets).
   */
  countEvents(after: bigint, upTo: bigint, cap: bigint): Promise<bigint>;
  /** Highest position a reader may safely read up to right now. */
  headPosition(): Promise<bigint>;
  /** The most bytes one append may carry (APPEND_SIZE_CEILING's count), when the log has a limit below that ceiling. */
  readonly appendBytesMax?: number;
  close(): Promise<void>;
}

/** Events one append may carry: a batch of 8,190 postings, each possibly two events (a reversal). */
export const APPEND_EVENTS_MAX = 16_384;
/**
 * Bytes one append may carry (data and metadata in UTF-8, and twice each type's length): the
 * largest MaxAppendSize an EventStoreDB/KurrentDB server starts with, 16 MiB less 10,000 bytes of
 * record overhead (TFConsts.EffectiveMaxLogRecordSize; ClusterVNodeOptionsValidator refuses to
 * start above it). docker-compose.yml sets EVENTSTORE_MAX_APPEND_SIZE to it (the default is 1 MiB).
 */
export const APPEND_SIZE_CEILING = 16 * 1024 * 1024 - 10_000;
/** The least MaxAppendSize the ledger runs with: the server's default, 1 MiB, which the largest command fits in. */
export const APPEND_SIZE_FLOOR = 1024 * 1024;


/**
 * A field events are found by: a top-level string of their `data` or `metadata`. The port knows
 * no event shapes; a writer names the fields its records live in (libs/write-model's
 * LEDGER_LOOKUPS) and the adapter indexes them (the PostgreSQL log's migration does).
 */
export interface LookupSpec {
  source: 'data' | 'metadata';
  /** A plain identifier: letters, digits and underscores. */
  field: string;
}

/**
 * An optional capability of a store (the PostgreSQL one, through indexes): the events of one
 * stream whose `lookup` field is one of `values`, up to `maxRevision`, in revision order. With it,
 * a writer need not keep every record in memory.
 */
export interface StreamLookup {
  findInStream(streamId: string, lookup: LookupSpec, values: string[], maxRevision: bigint): Promise<RecordedEvent[]>;
}

export function canLookUp(store: EventStore): store is EventStore & StreamLookup {
  return typeof (store as Partial<StreamLookup>).findInStream === 'function';
}

/**
 * An optional capability of a store (the PostgreSQL one, through advisory locks): a stream's
 * exclusion, held by at most one holder in any process on the same log until it releases it.
 * It only spares writers of one stream in several processes from deciding against a state another
 * has just moved (and retrying): the append's expected revision stays the check of correctness,
 * so when the exclusion cannot be had in time (a holder paused or stuck) the answer is null and
 * the writer goes on without it.
 */
export interface StreamExclusion {
  /** Resolves to the release of the stream's exclusion, or null when it could not be had in time. */
  exclude(streamId: string): Promise<(() => Promise<void>) | null>;
}

export function canExclude(store: EventStore): store is EventStore & StreamExclusion {
  return typeof (store as Partial<StreamExclusion>).exclude === 'function';
}

/**
 * Waits for `attempt` at most `timeoutMs`: a timeout or a failure becomes an
 * EventStoreUnavailableError worded by `what` (start-up checks of the log).
 */
export async function answersWithin(attempt: Promise<unknown>, timeoutMs: number, what: { name: string; failed: string; hint?: string }): Promise<void> {
  const hint = what.hint ? ` ${what.hint}` : '';
  let timer: NodeJS.Timeout | undefined;
  attempt.catch(() => undefined); // it may settle after the timeout
  const timedOut = new EventStoreUnavailableError(`${what.name} did not answer within ${timeoutMs} ms${hint}`);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), timeoutMs);
  });
  try {
    await Promise.race([attempt, timeout]);
  } catch (error) {
    if (error === timedOut) throw error;
    throw new EventStoreUnavailableError(`${what.name} ${what.failed}${hint}: ${String((error as Error)?.message ?? error)}`, error);
  } finally {
    clearTimeout(timer);
  }
}
