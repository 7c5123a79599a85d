import { TestLedger } from './support/ledger.js';
import { cli } from './support/process.js';
import { createTestDatabase } from './support/database.js';

/** EVENTSTORE_URL selects the log; a wrong URL, or a log this build cannot serve end to end, fails fast. */
describe('event log selection', () => {
  afterEach(() => {
    delete process.env.EVENTSTORE_URL;
  });

  it('refuses a malformed EVENTSTORE_URL at start, with the reason', async () => {
    process.env.EVENTSTORE_URL = 'http://not-an-esdb-url';
    await expect(TestLedger.start()).rejects.toThrow(/EVENTSTORE_URL|esdb/i);
  });

  it('refuses to serve with an EventStoreDB log rather than fall back silently', async () => {
    process.env.EVENTSTORE_URL = 'esdb://127.0.0.1:1?tls=false';
    await expect(TestLedger.start()).rejects.toThrow(/serves the PostgreSQL log only/);
  });

  it('the CLI refuses too', async () => {
    const db = await createTestDatabase();
    try {
      const result = await cli(db.url, ['status'], { EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PostgreSQL log only');
      const ok = await cli(db.url, ['status']);
      expect(ok.code).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
