import { PostgresEventStore } from '#event-store/index.js';
import { replayTenant, stateHash } from '#write-model/index.js';
import { generateTenantLog } from './generate-log.js';
import { benchDatabase, table } from './support.js';

/** Replay speed: fold a generated tenant of BENCH_EVENTS events (default 1M) with evolve. */
async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const db = await benchDatabase();
  try {
    let started = Date.now();
    const { tenantId, written } = await generateTenantLog(db.pool, events);
    const generateSeconds = (Date.now() - started) / 1000;
    console.error(`generated ${written} events in ${generateSeconds.toFixed(1)} s`);
    const store = new PostgresEventStore(db.pool);
    const runs = [];
    for (let run = 1; run <= 2; run++) {
      started = Date.now();
      const result = await replayTenant(store, tenantId, null);
      const seconds = (Date.now() - started) / 1000;
      runs.push({
        run,
        events: result.events,
        seconds: seconds.toFixed(2),
        'events/s': Math.round(result.events / seconds),
        'rss MiB': Math.round(process.memoryUsage().rss / 2 ** 20),
        state_hash: stateHash(result.state).slice(0, 16),
      });
    }
    console.log(`\nreplay (read from PostgreSQL + evolve), ${written} events, 1000 accounts\n${table(runs)}`);
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
