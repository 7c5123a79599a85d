import { TestLedger } from './support/ledger.js';
import { cli, runScript } from './support/process.js';
import { createTestDatabase } from './support/database.js';

/**
 * EVENTSTORE_URL selects the log; a malformed or unreachable one fails fast with the reason,
 * never falling back to the PostgreSQL log. (No EventStoreDB server can run on the machines
 * this suite runs on, so the EventStoreDB path is proven up to the connection here, and by
 * `npm run test:esdb` against a server.)
 */
describe('event log selection', () => {
  it('refuses a malformed EVENTSTORE_URL at start, with the reason', async () => {
    await expect(TestLedger.start({ EVENTSTORE_URL: 'http://not-an-esdb-url' })).rejects.toThrow(/EVENTSTORE_URL|esdb/i);
  });

  it('fails fast when EventStoreDB cannot be reached, naming it, instead of serving from PostgreSQL', async () => {
    const started = Date.now();
    await expect(TestLedger.start({ EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false' })).rejects.toThrow(/EventStoreDB at 127\.0\.0\.1:1 .*(unreachable|did not answer).*EVENTSTORE_URL/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('the CLI and the projector use the same log: unreachable EventStoreDB fails them, unset they read PostgreSQL', async () => {
    const db = await createTestDatabase();
    try {
      const unreachable = { EVENTSTORE_URL: 'esdb://127.0.0.1:1?tls=false' };
      const status = await cli(db.url, ['status'], unreachable);
      expect(status.code).toBe(1);
      expect(status.stderr).toContain('event log: EventStoreDB at 127.0.0.1:1');
      expect(status.stderr).toMatch(/EventStoreDB at 127\.0\.0\.1:1 .*(unreachable|did not answer)/);
      const projector = await runScript('dist/apps/projector/src/main.js', [], { DATABASE_URL: db.url, ...unreachable });
      expect(projector.code).toBe(1);
      expect(projector.stdout + projector.stderr).toMatch(/EventStoreDB at 127\.0\.0\.1:1 .*(unreachable|did not answer)/);
      const ok = await cli(db.url, ['status']);
      expect(ok.code).toBe(0);
      expect(ok.stderr).toContain('event log: PostgreSQL');
      expect(JSON.parse(ok.stdout).head).toBe('0');
    } finally {
      await db.drop();
    }
  });
});
