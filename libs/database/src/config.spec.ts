import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('takes the projector batch from LEDGER_PROJECTION_BATCH, 500 by default, and refuses one outside 1 to 500', () => {
    expect(loadConfig({}).projectionBatch).toBe(500);
    expect(loadConfig({ LEDGER_PROJECTION_BATCH: '1' }).projectionBatch).toBe(1);
    expect(loadConfig({ LEDGER_PROJECTION_BATCH: '500' }).projectionBatch).toBe(500);
    for (const bad of ['0', '501', '-3', '2.5', 'many']) {
      expect(() => loadConfig({ LEDGER_PROJECTION_BATCH: bad })).toThrow(/LEDGER_PROJECTION_BATCH/);
    }
  });

  it('takes the projector linger from LEDGER_PROJECTOR_LINGER_MS, 5 ms by default, and refuses one outside 0 to 1000', () => {
    expect(loadConfig({}).projectorLingerMs).toBe(5);
    expect(loadConfig({ LEDGER_PROJECTOR_LINGER_MS: '0' }).projectorLingerMs).toBe(0);
    expect(loadConfig({ LEDGER_PROJECTOR_LINGER_MS: '1000' }).projectorLingerMs).toBe(1000);
    for (const bad of ['1001', '-1', '2.5', 'soon']) {
      expect(() => loadConfig({ LEDGER_PROJECTOR_LINGER_MS: bad })).toThrow(/LEDGER_PROJECTOR_LINGER_MS/);
    }
  });

  it('sets a 30 s statement timeout and half the pool per tenant by default; refuses a tenant share outside 1 to the pool size', () => {
    const defaults = loadConfig({});
    expect(defaults.statementTimeoutMs).toBe(30_000);
    expect(defaults.tenantConnectionsMax).toBe(10);
    expect(defaults.tenantConnectionWaitMs).toBe(5_000);
    expect(loadConfig({ LEDGER_DB_POOL_SIZE: '1' }).tenantConnectionsMax).toBe(1);
    expect(loadConfig({ LEDGER_STATEMENT_TIMEOUT_MS: '0' }).statementTimeoutMs).toBe(0);
    expect(loadConfig({ LEDGER_DB_POOL_SIZE: '8', LEDGER_TENANT_CONNECTIONS_MAX: '8' }).tenantConnectionsMax).toBe(8);
    for (const bad of ['0', '9', '-1', 'x']) {
      expect(() => loadConfig({ LEDGER_DB_POOL_SIZE: '8', LEDGER_TENANT_CONNECTIONS_MAX: bad })).toThrow(/LEDGER_TENANT_CONNECTIONS_MAX/);
    }
    expect(() => loadConfig({ LEDGER_STATEMENT_TIMEOUT_MS: '1.5' })).toThrow(/LEDGER_STATEMENT_TIMEOUT_MS/);
  });

  it('takes the clock skew allowance from LEDGER_CLOCK_SKEW_MAX_MS, 2000 ms by default, and refuses one below 1 ms or not an integer', () => {
    expect(loadConfig({}).clockSkewMaxMs).toBe(2000);
    expect(loadConfig({ LEDGER_CLOCK_SKEW_MAX_MS: '250' }).clockSkewMaxMs).toBe(250);
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => loadConfig({ LEDGER_CLOCK_SKEW_MAX_MS: bad })).toThrow(/LEDGER_CLOCK_SKEW_MAX_MS/);
    }
  });

  it('serves the console unless LEDGER_CONSOLE is off, and refuses anything but on or off', () => {
    expect(loadConfig({}).consoleEnabled).toBe(true);
    expect(loadConfig({ LEDGER_CONSOLE: 'on' }).consoleEnabled).toBe(true);
    expect(loadConfig({ LEDGER_CONSOLE: 'off' }).consoleEnabled).toBe(false);
    for (const bad of ['no', 'false', 'OFF']) expect(() => loadConfig({ LEDGER_CONSOLE: bad })).toThrow(/LEDGER_CONSOLE must be on or off/);
  });

  it('refuses LEDGER_MASTER_KEY and LEDGER_MASTER_KEY_FILE set together', () => {
    expect(() => loadConfig({ LEDGER_MASTER_KEY: 'a-master-key-0123456789', LEDGER_MASTER_KEY_FILE: '/nonexistent/master.key' })).toThrow(
      /LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE, not both/,
    );
    expect(loadConfig({ LEDGER_MASTER_KEY: 'a-master-key-0123456789', LEDGER_MASTER_KEY_FILE: '' }).masterKey).toBe('a-master-key-0123456789');
  });

  it('reads every other setting once too: the event log, the docs UI, webhooks, lag thresholds, writer records', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({ eventStoreUrl: null, docsUiEnabled: true, writerRecordsMax: 100_000, lagThresholds: { events: 10_000n, seconds: 30 } });
    expect(defaults.webhooks).toMatchObject({ allowPrivate: false, secretGraceSeconds: 86_400, maxAttempts: 10 });
    const set = loadConfig({
      EVENTSTORE_URL: ' esdb://eventstore:2113?tls=false ',
      LEDGER_DOCS_UI: 'off',
      LEDGER_WEBHOOK_ALLOW_PRIVATE: 'true',
      LEDGER_WEBHOOK_SECRET_GRACE_SECONDS: '0',
      LEDGER_LAG_EVENTS_DEGRADED: '3',
      LEDGER_LAG_SECONDS_DEGRADED: '0',
      LEDGER_WRITER_RECORDS_MAX: '7',
    });
    expect(set).toMatchObject({ eventStoreUrl: 'esdb://eventstore:2113?tls=false', docsUiEnabled: false, writerRecordsMax: 7, lagThresholds: { events: 3n, seconds: 0 } });
    expect(set.webhooks).toMatchObject({ allowPrivate: true, secretGraceSeconds: 0 });
  });

  it('reads the writer snapshot interval: 10,000 events by default, 0 for never', () => {
    expect(loadConfig({}).writerSnapshotEvents).toBe(10_000);
    expect(loadConfig({ LEDGER_WRITER_SNAPSHOT_EVENTS: '0' }).writerSnapshotEvents).toBe(0);
    expect(loadConfig({ LEDGER_WRITER_SNAPSHOT_EVENTS: '250' }).writerSnapshotEvents).toBe(250);
  });

  it('reads whether writers take turns across processes: on by default, off, nothing else', () => {
    expect(loadConfig({}).writerLock).toBe(true);
    expect(loadConfig({ LEDGER_WRITER_LOCK: 'off' }).writerLock).toBe(false);
    expect(() => loadConfig({ LEDGER_WRITER_LOCK: 'sometimes' })).toThrow(/LEDGER_WRITER_LOCK must be on or off/);
  });

  it('refuses a bad webhook, lag or writer setting at start, naming it', () => {
    expect(() => loadConfig({ LEDGER_WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(/LEDGER_WEBHOOK_MAX_ATTEMPTS/);
    expect(() => loadConfig({ LEDGER_WRITER_RECORDS_MAX: '0' })).toThrow(/LEDGER_WRITER_RECORDS_MAX/);
    for (const bad of ['-1', '01', '2.5', 'often', '1000000000']) expect(() => loadConfig({ LEDGER_WRITER_SNAPSHOT_EVENTS: bad })).toThrow(/LEDGER_WRITER_SNAPSHOT_EVENTS/);
    for (const bad of ['-1', '2.5', 'many', '1e3']) {
      expect(() => loadConfig({ LEDGER_LAG_EVENTS_DEGRADED: bad })).toThrow(/LEDGER_LAG_EVENTS_DEGRADED/);
      expect(() => loadConfig({ LEDGER_LAG_SECONDS_DEGRADED: bad })).toThrow(/LEDGER_LAG_SECONDS_DEGRADED/);
    }
  });

  it('reads the log level and format and the OTLP endpoint, refusing a level it does not know', () => {
    const config = loadConfig({ LEDGER_LOG: 'debug', LEDGER_LOG_FORMAT: 'json', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect([config.logLevel, config.logFormat, config.otlpEndpoint]).toEqual(['debug', 'json', 'http://collector:4318']);
    expect(loadConfig({}).otlpEndpoint).toBeNull();
    expect(() => loadConfig({ LEDGER_LOG: 'loud' })).toThrow(/LEDGER_LOG/);
  });

  it("takes the EventStoreDB server's MaxAppendSize from EVENTSTORE_MAX_APPEND_SIZE, its ceiling by default, and refuses one the server would not start with or the largest command would not fit", () => {
    expect(loadConfig({}).eventStoreMaxAppendBytes).toBe(16 * 1024 * 1024 - 10_000);
    expect(loadConfig({ EVENTSTORE_MAX_APPEND_SIZE: '1048576' }).eventStoreMaxAppendBytes).toBe(1_048_576);
    for (const bad of ['33554432', '16767217', '1048575', '0', 'lots']) {
      expect(() => loadConfig({ EVENTSTORE_MAX_APPEND_SIZE: bad })).toThrow(/EVENTSTORE_MAX_APPEND_SIZE/);
    }
  });
});
