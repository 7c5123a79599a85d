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

  it('takes the clock skew allowance from LEDGER_CLOCK_SKEW_MAX_MS, 2000 ms by default, and refuses one below 1 ms or not an integer', () => {
    expect(loadConfig({}).clockSkewMaxMs).toBe(2000);
    expect(loadConfig({ LEDGER_CLOCK_SKEW_MAX_MS: '250' }).clockSkewMaxMs).toBe(250);
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => loadConfig({ LEDGER_CLOCK_SKEW_MAX_MS: bad })).toThrow(/LEDGER_CLOCK_SKEW_MAX_MS/);
    }
  });
});
