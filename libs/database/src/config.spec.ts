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

  it('refuses LEDGER_MASTER_KEY and LEDGER_MASTER_KEY_FILE set together', () => {
    expect(() => loadConfig({ LEDGER_MASTER_KEY: 'a-master-key-0123456789', LEDGER_MASTER_KEY_FILE: '/nonexistent/master.key' })).toThrow(
      /LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE, not both/,
    );
    expect(loadConfig({ LEDGER_MASTER_KEY: 'a-master-key-0123456789', LEDGER_MASTER_KEY_FILE: '' }).masterKey).toBe('a-master-key-0123456789');
  });
});
