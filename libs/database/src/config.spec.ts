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

  it('refuses LEDGER_MASTER_KEY and LEDGER_MASTER_KEY_FILE set together', () => {
    expect(() => loadConfig({ LEDGER_MASTER_KEY: 'a-master-key-0123456789', LEDGER_MASTER_KEY_FILE: '/nonexistent/master.key' })).toThrow(
      /LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE, not both/,
    );
    expect(loadConfig({ LEDGER_MASTER_KEY: 'a-master-key-0123456789', LEDGER_MASTER_KEY_FILE: '' }).masterKey).toBe('a-master-key-0123456789');
  });
});
