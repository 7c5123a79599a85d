/**
 * Events between the port and EventStoreDB: data and metadata travel as JSON
 * (content type application/json), event ids are kept as given.
 *
 * JSON has no bigint: amounts and other bigint values must already be strings in `data` and
 * `metadata` (as the domain sends them). A bigint anywhere is refused with a TypeError naming
 * where it is, before anything is sent, like the PostgreSQL adapter (whose JSON.stringify throws).
 * Validation happens here because the client serializes inside its own request and an error
 * thrown there would not reach the caller.
 */
import type { JSONEventData, JSONType, Position } from '@eventstore/db-client';
import { NewEvent, RecordedEvent } from '../event-store.port.js';
import { encodePosition } from './position.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * Throws a TypeError if `value` cannot be written as JSON without loss of meaning: a bigint
 * (send it as a string) or a cycle. Follows JSON.stringify's rules otherwise (toJSON is used;
 * functions, symbols and undefined members are dropped).
 */
export function assertJsonSafe(value: unknown, path = 'value', seen: Set<object> = new Set()): void {
  if (typeof value === 'bigint') {
    throw new TypeError(`${path} is a bigint (${value}n): JSON has no bigint, send bigint values as strings`);
  }
  if (typeof value !== 'object' || value === null) return;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const json = (value as { toJSON: (key: string) => unknown }).toJSON('');
    if (json !== value) assertJsonSafe(json, path, seen);
    return;
  }
  if (seen.has(value)) throw new TypeError(`${path} refers back to itself: a cycle cannot be written as JSON`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonSafe(item, `${path}[${i}]`, seen));
  } else {
    for (const key of Object.keys(value)) assertJsonSafe((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
  }
  seen.delete(value);
}

/** The port's event as the client's JSON event, ids preserved. Throws before any I/O if it cannot be sent. */
export function toEventData(event: NewEvent): JSONEventData {
  if (typeof event.id !== 'string' || !UUID.test(event.id)) {
    throw new TypeError(`event id must be a UUID (EventStoreDB stores ids as UUIDs), got ${JSON.stringify(event.id)}`);
  }
  if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError(`event ${event.id} needs a type`);
  if (event.type.startsWith('$')) throw new TypeError(`event type ${event.type} is reserved for EventStoreDB system events`);
  if (event.data === undefined) throw new TypeError(`event ${event.id} (${event.type}) has no data`);
  if (!event.serialized) {
    assertJsonSafe(event.data, 'data');
    assertJsonSafe(event.metadata ?? {}, 'metadata');
  }
  const metadataJson = event.serialized?.metadata ?? JSON.stringify(event.metadata ?? {});
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // The client runs JSON.stringify on data. (It cannot take pre-serialized JSON text for a JSON
    // event; metadata it takes as bytes, so there `serialized` spares the second stringify.)
    data: event.data as JSONType,
    // A plain Uint8Array (the client checks the constructor, so not a Buffer) is sent as is.
    metadata: new Uint8Array(utf8.encode(metadataJson)),
  };
}

/** What the adapter needs of the client's recorded event (from a stream read or from $all). */
export interface EsdbRecordedEventLike {
  id: string;
  streamId: string;
  revision: bigint;
  type: string;
  created: Date;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

function decodeData(event: EsdbRecordedEventLike): unknown {
  if (event.data instanceof Uint8Array) {
    const parsed = parseJsonBytes(event.data);
    return parsed === undefined ? event.data : parsed;
  }
  return event.data;
}

function decodeMetadata(metadata: unknown): Record<string, any> {
  const value = metadata instanceof Uint8Array ? parseJsonBytes(metadata) : metadata;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, any>;
  return {};
}

export function toRecordedEvent(event: EsdbRecordedEventLike): RecordedEvent {
  if (!event.position) {
    throw new Error(
      `EventStoreDB returned event ${event.id} of ${event.streamId} without a position: stream reads carry positions from server version 22.6 on`,
    );
  }
  return {
    id: event.id,
    stream_id: event.streamId,
    revision: event.revision,
    position: encodePosition(event.position),
    type: event.type,
    data: decodeData(event),
    metadata: decodeMetadata(event.metadata),
    created_at: event.created,
  };
}
