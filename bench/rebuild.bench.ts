import { PostgresEventStore } from '#event-store/index.js';
import { rebuildProjection, rebuildProjections } from '#projection-runtime/index.js';
import { ALL_PROJECTIONS } from '#projections/index.js';
import { generateTenantLog } from './generate-log.js';
import { benchDatabase, postgresCpuMs, report, table } from './support.js';

/**
 * Rebuild speed over a generated log of BENCH_EVENTS (default 1M): every projection rebuilt from
 * position 0 on its own, one after another (each reads the whole log: the reference), then all
 * of them in one pass over the log (`projections rebuild --all`). BENCH_REBUILD=one-pass skips the
 * reference, BENCH_REBUILD=alone the pass; BENCH_ALONE=a,b rebuilds only those projections alone;
 * BENCH_BULK=off fills the shadows by the live applies instead of the bulk forms (bulk-rebuild.ts).
 */
/** Node's and PostgreSQL's CPU (ms) so far: the load-independent cost of what runs between two readings. */
function cpuNow(): { node: number; postgres: number } {
  const usage = process.cpuUsage();
  return { node: (usage.user + usage.system) / 1000, postgres: postgresCpuMs(process.pid) };
}

/** CPU µs per event between `before` and now, Node's and PostgreSQL's. */
function cpuPerEvent(before: { node: number; postgres: number }, events: number): { 'node µs/event': number; 'pg µs/event': number } {
  const now = cpuNow();
  return { 'node µs/event': Math.round(((now.node - before.node) * 1000) / events), 'pg µs/event': Math.round(((now.postgres - before.postgres) * 1000) / events) };
}

async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  // BENCH_ALONE=entries,accounts rebuilds only those alone (the reference), e.g. while working on them.
  const only = process.env.BENCH_ALONE?.split(',');
  // BENCH_BULK=off fills the shadows by the live applies (without the projections' bulk forms): the comparison.
  const projections = process.env.BENCH_BULK === 'off' ? ALL_PROJECTIONS.map((p) => ({ ...p, bulk: undefined })) : ALL_PROJECTIONS;
  const alone = only ? projections.filter((p) => only.includes(p.name)) : projections;
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
      for (const projection of alone) {
        const cpu = cpuNow();
        const result = await rebuildProjection(db.pool, store, projection);
        total += result.seconds;
        const rate = Math.round(result.applied / result.seconds);
        const cost = cpuPerEvent(cpu, result.applied);
        rows.push({ projection: projection.name, mode: 'alone', events: result.applied, seconds: result.seconds.toFixed(1), 'events/s': rate, ...cost });
        figures[`alone_${projection.name}_node_us_per_event`] = cost['node µs/event'];
        figures[`alone_${projection.name}_pg_us_per_event`] = cost['pg µs/event'];
        figures[`alone_${projection.name}_events_per_second`] = rate;
      }
      rows.push({ projection: `${alone.length === ALL_PROJECTIONS.length ? 'all' : alone.length}, one after another`, mode: 'alone', events: written * alone.length, seconds: total.toFixed(1), 'events/s': Math.round(written / total) });
      figures.sequential_all_seconds = total;
    }
    if (process.env.BENCH_REBUILD === 'alone') {
      console.log(`\nrebuild from position 0, ${written} events\n${table(rows)}`);
      report('rebuild', figures);
      await store.close();
      return;
    }
    const passCpu = cpuNow();
    const pass = await rebuildProjections(db.pool, store, projections);
    const passCost = cpuPerEvent(passCpu, pass.events);
    for (const p of pass.projections) {
      const rate = Math.round(p.applied / p.apply_seconds);
      rows.push({ projection: p.projection, mode: 'one pass', events: p.applied, seconds: p.apply_seconds.toFixed(1), 'events/s': rate, 'finish s': p.finish_seconds.toFixed(1) });
      figures[`one_pass_${p.projection}_events_per_second`] = rate;
      figures[`one_pass_${p.projection}_finish_seconds`] = p.finish_seconds;
    }
    rows.push({ projection: 'all, one pass', mode: 'one pass', events: pass.events, seconds: pass.seconds.toFixed(1), 'events/s': Math.round(pass.events / pass.seconds), ...passCost });
    figures.one_pass_node_us_per_event = passCost['node µs/event'];
    figures.one_pass_pg_us_per_event = passCost['pg µs/event'];
    figures.one_pass_all_seconds = pass.seconds;
    figures.one_pass_all_events_per_second = Math.round(pass.events / pass.seconds);
    console.log(`\nrebuild from position 0, ${written} events, ${ALL_PROJECTIONS.length} projections\n${table(rows)}`);
    console.log('(one pass: seconds = time applying to that projection, in parallel lanes; finish s = making its tables logged and building the indexes its bulk form deferred, after the pass; last row: log events per second for all projections together)');
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
