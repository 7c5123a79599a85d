import { EventStoreDbEventStore } from './eventstoredb-event-store.js';
import { InvalidEventStoreUrlError, parseEventStoreUrl, redactEventStoreUrl } from './connection-url.js';

describe('EVENTSTORE_URL validation', () => {
  it('accepts a single insecure node (the docker-compose form)', () => {
    expect(parseEventStoreUrl('esdb://eventstore:2113?tls=false')).toEqual({
      url: 'esdb://eventstore:2113?tls=false',
      discover: false,
      hosts: [{ host: 'eventstore', port: 2113 }],
      tls: false,
      hasCredentials: false,
      display: 'eventstore:2113',
    });
  });

  it('defaults the port to 2113 and TLS to on; accepts credentials, clusters, IPs and options', () => {
    expect(parseEventStoreUrl('esdb://localhost')).toMatchObject({ hosts: [{ host: 'localhost', port: 2113 }], tls: true });
    expect(parseEventStoreUrl(' esdb://127.0.0.1:2113/?tls=FALSE&keepAliveTimeout=10000 ')).toMatchObject({
      url: 'esdb://127.0.0.1:2113/?tls=FALSE&keepAliveTimeout=10000',
      tls: false,
      display: '127.0.0.1:2113',
    });
    const secured = parseEventStoreUrl('esdb://admin:changeit@db.example.internal:2113?tls=true');
    expect(secured).toMatchObject({ hasCredentials: true, tls: true, display: 'db.example.internal:2113' });
    expect(secured.display).not.toContain('changeit');
    expect(parseEventStoreUrl('esdb+discover://cluster.example.internal')).toMatchObject({ discover: true, display: 'cluster.example.internal:2113' });
    expect(parseEventStoreUrl('esdb://node1:2113,node2:2114,node3')).toMatchObject({
      discover: false,
      hosts: [
        { host: 'node1', port: 2113 },
        { host: 'node2', port: 2114 },
        { host: 'node3', port: 2113 },
      ],
      display: 'node1:2113,node2:2114,node3:2113',
    });
    expect(parseEventStoreUrl('esdb://[::1]:2113?tls=false').hosts).toEqual([{ host: '[::1]', port: 2113 }]);
  });

  it.each([
    ['', /must start with esdb:\/\//],
    ['eventstore:2113', /must start with esdb:\/\//],
    ['http://eventstore:2113', /unsupported scheme http:\/\//],
    ['postgres://zentra@postgres/ledger', /unsupported scheme postgres:\/\//],
    ['esdb://', /a host is missing/],
    ['esdb://:2113', /a host is missing/],
    ['esdb://eventstore:abc', /invalid port "abc"/],
    ['esdb://eventstore:', /invalid port ""/],
    ['esdb://eventstore:0', /outside 1-65535/],
    ['esdb://eventstore:70000', /outside 1-65535/],
    ['esdb://event store:2113', /whitespace/],
    ['esdb://eventstore:2113/ledger', /a path is not allowed/],
    ['esdb://eventstore:2113?tls=maybe', /tls must be true or false/],
    ['esdb://eventstore:2113?tls', /must be key=value/],
    ['esdb://admin@eventstore:2113', /credentials must be user:password@/],
    ['esdb://a,,b', /a host is missing/],
    ['esdb://bad_host!:2113', /invalid host name/],
    ['esdb://[::1:2113', /unclosed \[/],
    ['esdb://eventstore:2113#x', /fragment/],
    // Client 6.2.1 discovers through the first host only (Client/index.js: "Using first").
    ['esdb+discover://node1:2113,node2:2114', /one DNS name.*only node1:2113.*esdb:\/\/node1:2113,node2:2114/],
    // With it false the client answers a wrong expected version as success: false.
    ['esdb://eventstore:2113?tls=false&throwOnAppendFailure=false', /throwOnAppendFailure must stay true/],
    ['esdb://eventstore:2113?THROWONAPPENDFAILURE=False', /throwOnAppendFailure must stay true/],
  ])('rejects %j with a clear reason', (url, reason) => {
    let error: unknown;
    try {
      parseEventStoreUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventStoreUrlError);
    expect((error as Error).message).toMatch(/^EVENTSTORE_URL is not a valid EventStoreDB connection string/);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain('esdb://localhost:2113?tls=false');
  });

  it('never shows credentials in errors', () => {
    expect(redactEventStoreUrl('esdb://admin:s3cret@host:2113?tls=false')).toBe('esdb://***@host:2113?tls=false');
    expect(() => parseEventStoreUrl('esdb://admin:s3cret@host:notaport')).toThrow(/esdb:\/\/\*\*\*@host:notaport/);
    expect(() => parseEventStoreUrl('esdb://admin:s3cret@host:notaport')).not.toThrow(/s3cret/);
  });

  it('rejects options the client cannot parse, without connecting', async () => {
    expect(() => EventStoreDbEventStore.fromUrl('esdb://eventstore:2113?tls=false&nodePreference=sideways')).toThrow(InvalidEventStoreUrlError);
    const store = EventStoreDbEventStore.fromUrl('esdb://admin:changeit@eventstore:2113?tls=false');
    expect(store.describe()).toBe('event log: EventStoreDB at eventstore:2113');
    await store.close();
  });
});

describe('KurrentDB connection strings', () => {
  it('takes kurrentdb:// and kdb:// (KurrentDB 25) and hands the client (6.x, esdb only) esdb://', async () => {
    expect(parseEventStoreUrl('kurrentdb://kurrentdb:2113?tls=false')).toMatchObject({ url: 'esdb://kurrentdb:2113?tls=false', discover: false, tls: false, display: 'kurrentdb:2113' });
    expect(parseEventStoreUrl('KurrentDB+Discover://cluster.example.internal:2113')).toMatchObject({ url: 'esdb+discover://cluster.example.internal:2113', discover: true });
    expect(parseEventStoreUrl('kdb://admin:changeit@a:2113,b:2113')).toMatchObject({ url: 'esdb://admin:changeit@a:2113,b:2113', hasCredentials: true });
    expect(parseEventStoreUrl('esdb://x?throwOnAppendFailure=true').url).toBe('esdb://x?throwOnAppendFailure=true');
    expect(() => parseEventStoreUrl('constructor://x')).toThrow(/unsupported scheme constructor/);
    const store = EventStoreDbEventStore.fromUrl('kurrentdb://kurrentdb:2113?tls=false');
    expect(store.describe()).toBe('event log: EventStoreDB at kurrentdb:2113');
    await store.close();
  });
});
