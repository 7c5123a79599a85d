/**
 * Which event log the process uses, from its environment:
 *
 *   EVENTSTORE_URL unset (or empty)   PostgreSQL: the `events` table in DATABASE_URL's database
 *   EVENTSTORE_URL=esdb://...         EventStoreDB at that address (esdb+discover:// for a cluster)
 *
 * eventStoreFromEnv is pure: it checks the URL (a malformed one throws at once, with the reason)
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

export type EventStoreEnv = Readonly<Record<string, string | undefined>>;

export const POSTGRES_EVENT_LOG_DESCRIPTION = 'event log: PostgreSQL (events table)';

/** The EventStoreDB connection string in the environment, or null for the PostgreSQL log. */
export function eventStoreUrlFromEnv(env: EventStoreEnv): string | null {
  const url = env.EVENTSTORE_URL?.trim();
  return url ? url : null;
}

export function eventStoreFromEnv(env: EventStoreEnv, pool: Pool): SelectedEventStore {
  const url = eventStoreUrlFromEnv(env);
  if (url === null) {
    const store = new PostgresEventStore(pool);
    return {
      kind: 'postgres',
      store,
      describe: () => POSTGRES_EVENT_LOG_DESCRIPTION,
      connect: () => pingPostgres(pool),
    };
  }
  const store = EventStoreDbEventStore.fromUrl(url, { streamPrefixes: LEDGER_STREAM_PREFIXES });
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
