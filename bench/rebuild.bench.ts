import { PostgresEventStore } from '#event-store/index.js';
import { rebuildProjection, rebuildProjections } from '#projection-runtime/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { generateTenantLog } from './generate-log.js';
import { benchDatabase, report, table } from './support.js';

/**
 * Rebuild speed over a generated log of BENCH_EVENTS (default 1M): every projection rebuilt from
 * position 0 on its own, one after another (each reads the whole log: the reference), then all
 * of them in one pass over the log (`projections rebuild --all`). BENCH_REBUILD=one-pass skips the
 * reference.
 */
async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const db = await benchDatabase();
  try {
    const { written } = await generateTenantLog(db.pool, events);
    const store = new PostgresEventStore(db.pool);
    // The live models start empty at position 0, as after a fresh deploy: the rebuild does all the work.
    for (const projection of ALL_PROJECTIONS) await db.pool.query(`insert into projection_checkpoints (name) values ($1) on conflict do nothing`, [projection.name]);
    const rows = [];
    const figures: Record<string, number> = { events: written };
    if (process.env.BENCH_REBUILD !== 'one-pass') {
      let total = 0;
      for (const projection of ALL_PROJECTIONS) {
        const result = await rebuildProjection(db.pool, store, projection);
        total += result.seconds;
        const rate = Math.round(result.applied / result.seconds);
        rows.push({ projection: projection.name, mode: 'alone', events: result.applied, seconds: result.seconds.toFixed(1), 'events/s': rate });
        figures[`alone_${projection.name}_events_per_second`] = rate;
      }
      rows.push({ projection: 'all, one after another', mode: 'alone', events: written * ALL_PROJECTIONS.length, seconds: total.toFixed(1), 'events/s': Math.round(written / total) });
      figures.sequential_all_seconds = total;
    }
    const pass = await rebuildProjections(db.pool, store, ALL_PROJECTIONS);
    for (const p of pass.projections) {
      const rate = Math.round(p.applied / p.apply_seconds);
      rows.push({ projection: p.projection, mode: 'one pass', events: p.applied, seconds: p.apply_seconds.toFixed(1), 'events/s': rate });
      figures[`one_pass_${p.projection}_events_per_second`] = rate;
    }
    rows.push({ projection: 'all, one pass', mode: 'one pass', events: pass.events, seconds: pass.seconds.toFixed(1), 'events/s': Math.round(pass.events / pass.seconds) });
    figures.one_pass_all_seconds = pass.seconds;
    figures.one_pass_all_events_per_second = Math.round(pass.events / pass.seconds);
    console.log(`\nrebuild from position 0, ${written} events, ${ALL_PROJECTIONS.length} projections\n${table(rows)}`);
    console.log('(one pass: seconds = time applying to that projection, in parallel lanes; last row: log events per second for all projections together)');
    report('rebuild', figures);
    await store.close();
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
