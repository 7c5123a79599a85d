/**
 * Which event log the process uses, from its configuration (loadConfig reads EVENTSTORE_URL):
 *
 *   EVENTSTORE_URL unset (or empty)   PostgreSQL: the `events` table in DATABASE_URL's database
 *   EVENTSTORE_URL=esdb://...         EventStoreDB at that address (esdb+discover:// for a cluster)
 *
 * selectEventStore is pure: it checks the URL (a malformed one throws at once, with the reason)
 * and builds the store, but connects to nothing. Call `connect()` at start-up to fail fast, within
 * about 5 s, when the log cannot be reached, and log `describe()`.
 */
import type { Pool } from 'pg';
import { answersWithin, EventStore } from './event-store.port.js';
import { CONNECT_TIMEOUT_MS, EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.js';
import { LEDGER_STREAM_PREFIXES } from './streams.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';

export type EventLogKind = 'postgres' | 'eventstoredb';

export interface SelectedEventStore {
  readonly kind: EventLogKind;
  readonly store: EventStore;
  /** One line for the start-up log, without credentials. */
  describe(): string;
  /** Resolves once the log answers; rejects with EventStoreUnavailableError after at most ~5 s. */
  connect(): Promise<void>;
}

export const POSTGRES_EVENT_LOG_DESCRIPTION = 'event log: PostgreSQL (events table)';

/** The log at `url` (the configuration's eventStoreUrl: EVENTSTORE_URL), or PostgreSQL's when it is null. */
export function selectEventStore(url: string | null, pool: Pool, options: { appendBytesMax?: number } = {}): SelectedEventStore {
  if (url === null) {
    const store = new PostgresEventStore(pool);
    return {
      kind: 'postgres',
      store,
      describe: () => POSTGRES_EVENT_LOG_DESCRIPTION,
      connect: () => pingPostgres(pool),
    };
  }
  const store = EventStoreDbEventStore.fromUrl(url, { streamPrefixes: LEDGER_STREAM_PREFIXES, appendBytesMax: options.appendBytesMax });
  return {
    kind: 'eventstoredb',
    store,
    describe: () => store.describe(),
    connect: () => store.connect(),
  };
}

function pingPostgres(pool: Pool, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  return answersWithin(pool.query('select 1'), timeoutMs, { name: 'PostgreSQL (event log)', failed: 'is unreachable' });
}
