// Over 300 lines on purpose: one adapter of the EventStore port; its methods share the SQL, the gap rule and the tail cache (tail-cache.ts holds the cache itself).
import { CustomTypesConfig, Pool, PoolClient, types } from 'pg';
import {
  APPEND_EVENTS_MAX,
  AppendResult,
  EventStore,
  EventStoreUnavailableError,
  ExpectedRevision,
  LookupSpec,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  StreamExclusion,
  StreamLookup,
  Subscription,
  WrongExpectedVersionError,
} from '../event-store.port.js';
import { isConnectionError } from '#database/errors.js';
import { StreamLocks } from './stream-locks.js';
import { TailCache } from './tail-cache.js';

const READ_BATCH_DEFAULT = 1000;
/** A subscriber that saw nothing new looks again after this long even without a NOTIFY. */
const IDLE_POLL_MS = 200;

/** Recently read events kept for other readers: at most this many... */
const TAIL_CACHE_EVENTS = 10_000;
/** ...and this much of their JSON text (a posting has up to 512 entries: ~130 KB). */
const TAIL_CACHE_JSON_CHARS = 32 * 1024 * 1024;
const JSONB_OID = 3802;

/** A jsonb parser that notes the length of each value's text, in the order the rows' fields arrive. */
function measuredJson(): { types: CustomTypesConfig; lengths: number[] } {
  const lengths: number[] = [];
  const parseJson = (text: string) => {
    lengths.push(text.length);
    return JSON.parse(text);
  };
  return {
    lengths,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === JSONB_OID ? parseJson : types.getTypeParser(oid, format))) as CustomTypesConfig['getTypeParser'] },
  };
}
/** After losing its LISTEN connection, a store tries again this soon (subscribers poll meanwhile). */
const LISTEN_RETRY_MS = 1000;

const INT8_MAX = (1n << 63n) - 1n;

const COLUMNS = `global_position, stream_id, stream_revision, event_id, type, data, metadata, created_at`;

const SQL = {
  append: `select out_position, out_revision, out_created_at, out_event_id from append_events($1, $2, $3::jsonb)`,
  readStream: `select ${COLUMNS} from events where stream_id = $1 and stream_revision >= $2 order by stream_revision limit $3`,
  /**
   * The page after $1 up to the first gap that an append in flight could still fill: a row is
   * readable when it follows the previous one with no gap (positions are unique: nothing can
   * appear between them later), or when its transaction id is below the oldest in flight (appends
   * take their transaction id and positions together, in order, so every append that took a lower
   * position has ended and a gap below it is final: a rolled-back append). Readers thus wait only
   * for appends in flight below them, not for unrelated older transactions (a projection's batch).
   */
  readAll: `select ${COLUMNS} from (
              select ${COLUMNS}, bool_or(open_gap) over (order by global_position rows between unbounded preceding and current row) as blocked
              from (
                select ${COLUMNS},
                       transaction_id >= pg_snapshot_xmin(pg_current_snapshot())
                         and global_position <> coalesce(lag(global_position) over (order by global_position), $1) + 1 as open_gap
                  from events where global_position > $1 order by global_position limit $2
              ) page
            ) checked
            where not blocked order by global_position`,
  readAllFiltered: `select ${COLUMNS} from events
            where global_position > $1 and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
              and stream_id like any($3::text[])
            order by global_position limit $2`,
  /** A committed event at a position is final: no gap rule for one position. */
  readAt: `select ${COLUMNS} from events where global_position = $1`,
  readLast: `select ${COLUMNS} from events where stream_id = $1 order by stream_revision desc limit 1`,
  head: `select global_position from events
         where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         order by global_position desc limit 1`,
};

const LOOKUP_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const findStatements = new Map<string, { name: string; text: string }>();

/**
 * The named statement that finds a stream's events by a lookup field. Its predicates repeat the
 * partial indexes' (`<source> ? '<field>'`, not null), so PostgreSQL can use them; the field is an
 * identifier checked here, never a value from a request.
 */
function findStatement(lookup: LookupSpec): { name: string; text: string } {
  const key = `${lookup.source}.${lookup.field}`;
  let statement = findStatements.get(key);
  if (!statement) {
    if ((lookup.source !== 'data' && lookup.source !== 'metadata') || !LOOKUP_FIELD.test(lookup.field)) throw new Error(`not a lookup field: ${key}`);
    const value = `${lookup.source}->>'${lookup.field}'`;
    statement = {
      name: `zl_find_${lookup.source}_${lookup.field}`,
      text: `select ${COLUMNS} from events where stream_id = $1 and ${lookup.source} ? '${lookup.field}' and ${value} is not null
               and ${value} = any($2::text[]) and stream_revision <= $3 order by stream_revision`,
    };
    findStatements.set(key, statement);
  }
  return statement;
}

function encodeExpected(expected: ExpectedRevision): string {
  if (expected === 'any') return '-2';
  if (expected === 'no_stream') return '-1';
  return expected.toString();
}

function toRecorded(row: any): RecordedEvent {
  return {
    id: row.event_id,
    stream_id: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: BigInt(row.global_position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    created_at: row.created_at,
  };
}

/**
 * The events of an append as one JSON array of {id, type, data, metadata}, by concatenation:
 * data and metadata are JSON already (the writer serialized them), so nothing is escaped again.
 * With each event's size as JSON text (data and metadata: the tail cache's measure).
 */
export function encodeEvents(events: NewEvent[]): { json: string; sizes: number[] } {
  let json = '[';
  const sizes: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const data = e.serialized?.data ?? JSON.stringify(e.data);
    const metadata = e.serialized?.metadata ?? JSON.stringify(e.metadata);
    if (data === undefined || metadata === undefined) throw new TypeError(`event ${e.id} has no data or metadata`);
    json += `${i ? ',' : ''}{"id":${JSON.stringify(e.id)},"type":${JSON.stringify(e.type)},"data":${data},"metadata":${metadata}}`;
    sizes.push(data.length + metadata.length);
  }
  return { json: json + ']', sizes };
}

export class PostgresEventStore implements EventStore, StreamLookup, StreamExclusion {
  private listener: PoolClient | null = null;
  private listenerStarting: Promise<void> | null = null;
  private readonly wakers = new Set<() => void>();
  private readonly readsInFlight = new Map<string, Promise<RecordedEvent[]>>();
  private readonly tail = new TailCache(TAIL_CACHE_EVENTS, TAIL_CACHE_JSON_CHARS);
  private closed = false;
  /** Connects as the store's pool does (pg keeps the password out of the options' enumerable fields). */
  private readonly locks = new StreamLocks(() => ({ ...this.pool.options, password: this.pool.options.password }));

  constructor(private readonly pool: Pool) {}

  exclude(streamId: string): Promise<(() => Promise<void>) | null> {
    return this.locks.exclude(streamId);
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    if (events.length > APPEND_EVENTS_MAX) throw new Error(`append of ${events.length} events exceeds ${APPEND_EVENTS_MAX}`);
    try {
      const { json, sizes } = encodeEvents(events);
      const result = await this.pool.query({
        name: 'zl_append_events',
        text: SQL.append,
        values: [streamId, encodeExpected(expected), json],
      });
      const rows = result.rows
        .map((r) => ({ position: BigInt(r.out_position), revision: BigInt(r.out_revision), created_at: r.out_created_at as Date, id: r.out_event_id as string }))
        .sort((a, b) => (a.revision < b.revision ? -1 : 1));
      this.keepAppended(streamId, json, sizes, rows);
      return {
        next_expected_revision: rows[rows.length - 1].revision,
        positions: rows.map((r) => r.position),
        revisions: rows.map((r) => r.revision),
      };
    } catch (error: any) {
      if (error?.code === 'ZL001') {
        const actual = BigInt(error.detail);
        throw new WrongExpectedVersionError(streamId, expected, actual < 0n ? 'no_stream' : actual);
      }
      throw this.mapError(error);
    }
  }

  /**
   * The events just appended, for the subscribers of this process (the projections): committed, and
   * holding every position from the first to the last (an append takes its positions together),
   * they are a complete stretch of the log. Each holds the values a read would give (object key
   * order aside: jsonb keeps none): the JSON parsed from the text the database stored, with the
   * position, revision, created_at and event id it returned.
   */
  private keepAppended(streamId: string, json: string, sizes: number[], rows: { position: bigint; revision: bigint; created_at: Date; id: string }[]): void {
    // No subscriber in this process (an API without its projector): nothing would read them.
    if (this.wakers.size === 0) return;
    if (rows.length !== sizes.length || rows.some((row, i) => row.position !== rows[0].position + BigInt(i))) return;
    try {
      const parsed: { type: string; data: any; metadata: any }[] = JSON.parse(json);
      const recorded = parsed.map((e, i): RecordedEvent => ({
        id: rows[i].id,
        stream_id: streamId,
        revision: rows[i].revision,
        position: rows[i].position,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        created_at: rows[i].created_at,
      }));
      this.tail.add(rows[0].position - 1n, recorded, sizes);
    } catch {
      // Only a saving: the append has committed, and readers read these events from the log.
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0n;
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    try {
      const result = await this.pool.query({
        name: 'zl_read_stream',
        text: SQL.readStream,
        values: [streamId, from.toString(), max],
      });
      return result.rows.map(toRecorded);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /**
   * The projections of a process follow the log a little behind one another: a read the tail
   * cache can answer costs no query, and reads of the same page in flight share one query.
   */
  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.afterPosition ?? 0n;
    const maxCount = options.maxCount ?? READ_BATCH_DEFAULT;
    if (!options.streamPrefixes) {
      const kept = this.tail.take(after, maxCount);
      if (kept) return Promise.resolve(kept);
    }
    const key = `${after}|${maxCount}|${options.streamPrefixes?.join(',') ?? ''}`;
    const inFlight = this.readsInFlight.get(key);
    if (inFlight) return inFlight;
    const read = this.queryAll(options).finally(() => this.readsInFlight.delete(key));
    this.readsInFlight.set(key, read);
    return read;
  }

  private async queryAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const after = options.afterPosition ?? 0n;
    const max = options.maxCount ?? READ_BATCH_DEFAULT;
    try {
      if (options.streamPrefixes) {
        const result = await this.pool.query({
          name: 'zl_read_all_filtered',
          text: SQL.readAllFiltered,
          values: [after.toString(), max, options.streamPrefixes.map((p) => `${p.replace(/[\\%_]/g, '\\$&')}%`)],
        });
        return result.rows.map(toRecorded);
      }
      const json = measuredJson();
      const result = await this.pool.query({ name: 'zl_read_all', text: SQL.readAll, values: [after.toString(), max], types: json.types });
      const events = result.rows.map(toRecorded);
      // Each row's data and metadata, in column order: the events' sizes as JSON text.
      this.tail.add(after, events, events.map((_, i) => json.lengths[2 * i] + json.lengths[2 * i + 1]));
      return events;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  async headPosition(): Promise<bigint> {
    try {
      const result = await this.pool.query({ name: 'zl_head', text: SQL.head });
      return result.rows.length ? BigInt(result.rows[0].global_position) : 0n;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  async readAt(position: bigint): Promise<RecordedEvent | null> {
    if (position <= 0n || position > INT8_MAX) return null;
    try {
      const result = await this.pool.query({ name: 'zl_read_at', text: SQL.readAt, values: [position.toString()] });
      return result.rows.length ? toRecorded(result.rows[0]) : null;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  async findInStream(streamId: string, lookup: LookupSpec, values: string[], maxRevision: bigint): Promise<RecordedEvent[]> {
    if (values.length === 0 || maxRevision < 0n) return [];
    const { name, text } = findStatement(lookup);
    try {
      const result = await this.pool.query({ name, text, values: [streamId, values, maxRevision.toString()] });
      return result.rows.map(toRecorded);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    try {
      const result = await this.pool.query({ name: 'zl_read_last', text: SQL.readLast, values: [streamId] });
      return result.rows.length ? toRecorded(result.rows[0]) : null;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /** From positions: they come from one sequence, so the distance is the count (an append rolled back leaves a gap that counts). */
  async countEvents(after: bigint, upTo: bigint, cap: bigint): Promise<bigint> {
    const distance = upTo > after ? upTo - after : 0n;
    return distance < cap ? distance : cap;
  }

  subscribeToAll(options: SubscribeOptions, handler: (events: RecordedEvent[]) => Promise<void>): Subscription {
    let stopped = false;
    let wake: () => void = () => undefined;
    const waker = () => wake();
    this.wakers.add(waker);
    let position = options.afterPosition ?? 0n;
    const batchSize = options.batchSize ?? READ_BATCH_DEFAULT;
    const lingerMs = options.lingerMs ?? 0;
    /** Waits `ms`, or less when woken (`interruptible`: by an append's NOTIFY too; otherwise only by stop()). */
    const pause = (ms: number, interruptible: boolean) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          if (!interruptible && !stopped) return;
          clearTimeout(timer);
          resolve();
        };
      });

    const loop = async () => {
      await this.ensureListener().catch(() => undefined);
      while (!stopped) {
        const events = await this.readAll({ afterPosition: position, maxCount: batchSize, streamPrefixes: options.streamPrefixes });
        if (stopped) break;
        if (events.length > 0) {
          await handler(events);
          position = events[events.length - 1].position;
          // A short batch means caught up: let the next appends gather before reading them.
          if (lingerMs > 0 && events.length < batchSize && !stopped) await pause(lingerMs, false);
          continue;
        }
        await pause(IDLE_POLL_MS, true);
        if (lingerMs > 0 && !stopped) await pause(lingerMs, false);
      }
    };
    const done = loop().finally(() => this.wakers.delete(waker));
    return {
      done,
      stop: async () => {
        stopped = true;
        wake();
        await done.catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.locks.close();
    await this.listenerStarting?.catch(() => undefined);
    for (const waker of this.wakers) waker();
    if (this.listener) {
      const listener = this.listener;
      this.listener = null;
      await listener.query('unlisten *').catch(() => undefined);
      listener.release();
    }
  }

  /** One LISTEN connection per store wakes every subscriber when an append commits. */
  private ensureListener(): Promise<void> {
    if (this.listener || this.closed) return Promise.resolve();
    if (!this.listenerStarting) {
      this.listenerStarting = (async () => {
        const client = await this.pool.connect();
        client.on('notification', () => {
          for (const waker of this.wakers) waker();
        });
        client.on('error', (error) => {
          // Only a listener still in use is ours to give back; close() releases it otherwise.
          if (this.closed || this.listener !== client) return;
          // The connection is gone: give it back to the pool as broken and listen again.
          this.listener = null;
          this.listenerStarting = null;
          client.release(error);
          if (this.wakers.size > 0) setTimeout(() => void this.ensureListener().catch(() => undefined), LISTEN_RETRY_MS);
        });
        await client.query('listen zentra_events');
        this.listener = client;
      })().finally(() => {
        if (!this.listener) this.listenerStarting = null;
      });
    }
    return this.listenerStarting;
  }

  private mapError(error: unknown): Error {
    if (isConnectionError(error)) return new EventStoreUnavailableError('event store unavailable', error);
    return error as Error;
  }
}
