import { createServer, Server, Socket } from 'node:net';
import { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { EventStoreUnavailableError } from '../event-store.port.js';
import { PostgresEventStore } from '../postgres/postgres-event-store.js';
import { eventStoreUrlFromEnv } from '../event-log-url.js';
import { POSTGRES_EVENT_LOG_DESCRIPTION, selectEventStore } from '../select.js';
import { InvalidEventStoreUrlError } from './connection-url.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback server that accepts connections and never answers (a hung server). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('selectEventStore (with eventStoreUrlFromEnv)', () => {
  let pool: Pool;

  beforeAll(async () => {
    pool = new Pool({ connectionString: `postgres://nobody@127.0.0.1:${await closedPort()}/none`, connectionTimeoutMillis: 2000 });
  });

  afterAll(async () => {
    await pool.end();
  });

  it('uses the PostgreSQL log when EVENTSTORE_URL is unset or empty', () => {
    for (const env of [{}, { EVENTSTORE_URL: '' }, { EVENTSTORE_URL: '   ' }, { DATABASE_URL: 'postgres://x/y' }]) {
      const selected = selectEventStore(eventStoreUrlFromEnv(env), pool);
      expect(selected.kind).toBe('postgres');
      expect(selected.store).toBeInstanceOf(PostgresEventStore);
      expect(selected.describe()).toBe('event log: PostgreSQL (events table)');
      expect(POSTGRES_EVENT_LOG_DESCRIPTION).toBe('event log: PostgreSQL (events table)');
      expect(eventStoreUrlFromEnv(env)).toBeNull();
    }
  });

  it('uses EventStoreDB when EVENTSTORE_URL is an esdb:// URL, scoped to the ledger’s streams, without connecting', async () => {
    const selected = selectEventStore(eventStoreUrlFromEnv({ EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false' }), pool);
    expect(selected.kind).toBe('eventstoredb');
    expect(selected.store).toBeInstanceOf(EventStoreDbEventStore);
    expect(selected.describe()).toBe('event log: EventStoreDB at eventstore:2113');
    const cluster = selectEventStore(eventStoreUrlFromEnv({ EVENTSTORE_URL: 'esdb://admin:changeit@n1:2113,n2:2113' }), pool);
    expect(cluster.describe()).toBe('event log: EventStoreDB at n1:2113,n2:2113');
    await selected.store.close();
    await cluster.store.close();
  });

  it('fails fast with a clear error for a malformed EVENTSTORE_URL', () => {
    expect(() => selectEventStore(eventStoreUrlFromEnv({ EVENTSTORE_URL: 'http://eventstore:2113' }), pool)).toThrow(InvalidEventStoreUrlError);
    expect(() => selectEventStore(eventStoreUrlFromEnv({ EVENTSTORE_URL: 'esdb://eventstore:99999' }), pool)).toThrow(
      /^EVENTSTORE_URL is not a valid EventStoreDB connection string \(esdb:\/\/eventstore:99999\): port 99999/,
    );
    expect(() => selectEventStore(eventStoreUrlFromEnv({ EVENTSTORE_URL: 'esdb://admin:pw@:2113' }), pool)).not.toThrow(/pw/);
  });

  it('connect() fails fast with a clear message when nothing listens at the EventStoreDB address', async () => {
    const port = await closedPort();
    const selected = selectEventStore(eventStoreUrlFromEnv({ EVENTSTORE_URL: `esdb://127.0.0.1:${port}?tls=false` }), pool);
    const started = Date.now();
    const error = await selected.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toContain(`EventStoreDB at 127.0.0.1:${port}`);
    await selected.store.close();
  }, 15_000);

  it('ping() gives up on a server that never answers after its timeout', async () => {
    const server = await silentServer();
    const store = EventStoreDbEventStore.fromUrl(`esdb://127.0.0.1:${server.port}?tls=false`);
    const started = Date.now();
    const error = await store.ping(800).then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`EventStoreDB at 127.0.0.1:${server.port} (did not answer within 800 ms|is unreachable)`));
    expect(elapsed).toBeLessThan(3_000);
    await store.close();
    await server.close();
  }, 15_000);

  it('connect() of the PostgreSQL log fails fast too when the database is unreachable', async () => {
    const selected = selectEventStore(eventStoreUrlFromEnv({}), pool);
    await expect(selected.connect()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  }, 15_000);
});
