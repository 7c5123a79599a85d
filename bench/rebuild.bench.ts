import { PostgresEventStore } from '#event-store/index.js';
import { rebuildProjection } from '#projection-runtime/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { generateTenantLog } from './generate-log.js';
import { benchDatabase, table } from './support.js';

/** Rebuild speed: every projection rebuilt from position 0 over a generated log of BENCH_EVENTS (default 1M). */
async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const db = await benchDatabase();
  try {
    const { written } = await generateTenantLog(db.pool, events);
    const store = new PostgresEventStore(db.pool);
    const rows = [];
    let total = 0;
    for (const projection of ALL_PROJECTIONS) {
      // The live model starts empty at position 0, as after a fresh deploy: the rebuild does all the work.
      await db.pool.query(`insert into projection_checkpoints (name) values ($1) on conflict do nothing`, [projection.name]);
      const result = await rebuildProjection(db.pool, store, projection);
      total += result.seconds;
      rows.push({ projection: projection.name, events: result.applied, seconds: result.seconds.toFixed(1), 'events/s': Math.round(result.applied / result.seconds) });
    }
    rows.push({ projection: 'all (sequential)', events: written * ALL_PROJECTIONS.length, seconds: total.toFixed(1), 'events/s': Math.round(written / total) });
    console.log(`\nrebuild from position 0, ${written} events, ${ALL_PROJECTIONS.length} projections\n${table(rows)}`);
    console.log('(last row: log events per second for all projections together)');
    await store.close();
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
