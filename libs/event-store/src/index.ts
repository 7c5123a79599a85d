export * from './event-store.port.js';
export * from './postgres/postgres-event-store.js';
export { EventStoreDbEventStore, CONNECT_TIMEOUT_MS } from './eventstoredb/eventstoredb-event-store.js';
export type { EventStoreDbEventStoreOptions } from './eventstoredb/eventstoredb-event-store.js';
export { InvalidEventStoreUrlError, parseEventStoreUrl, redactEventStoreUrl } from './eventstoredb/connection-url.js';
export type { EventStoreDbEndpoint, EventStoreDbTarget } from './eventstoredb/connection-url.js';
export { decodePosition, encodePosition, formatPosition, POSITION_MAX, UINT64_MAX } from './eventstoredb/position.js';
export * from './streams.js';
export * from './select.js';
