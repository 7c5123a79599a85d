import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from 'pg';
import { createPool } from '#database/index.js';
import { LedgerCommand } from '#domain/index.js';
import { PostgresEventStore } from '#event-store/index.js';
import { CommandEnvelope, PostgresWriterSnapshots, replayTenant, stateHash, WRITER_SNAPSHOT_EVENTS_DEFAULT, WriterRegistry } from '#write-model/index.js';
import { generateTenantLog } from './generate-log.js';
import { benchDatabase, report, table } from './support.js';

/** The raw read the replay is compared with: the same rows, in the same pages, `SELECT` + `JSON.parse` (pg's jsonb parser) and nothing else. */
async function rawRead(pool: Pool, tenantId: string): Promise<number> {
  let rows = 0;
  for (let from = 0; ; ) {
    const page = await pool.query(
      `select global_position, stream_revision, type, data, metadata from events where stream_id = $1 and stream_revision >= $2 order by stream_revision limit 10000`,
      [`ledger-${tenantId}`, from],
    );
    rows += page.rows.length;
    from += page.rows.length;
    if (page.rows.length < 10_000) return rows;
  }
}

interface ChildResult {
  /** Rows (raw read) or events (replay) per second. */
  per_second: number;
  events: number;
  seconds: number;
  cpu_us_per_event: number;
  rss_peak_mib: number;
  state_hash: string | null;
}

/**
 * Runs in a process of its own (so its RSS is the replay's alone, not the generator's or the raw
 * read's): one raw read or one replay, sampling RSS every 50 ms; prints one JSON line.
 */
async function child(mode: string, url: string, tenantId: string): Promise<void> {
  const pool = createPool(url, 4);
  const store = new PostgresEventStore(pool);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = Date.now();
  const cpu = process.cpuUsage();
  let events: number;
  let hash: string | null = null;
  if (mode === 'raw') events = await rawRead(pool, tenantId);
  else {
    const result = await replayTenant(store, tenantId, null);
    events = result.events;
    hash = stateHash(result.state).slice(0, 16);
  }
  const seconds = (Date.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const result: ChildResult = { per_second: Math.round(events / seconds), events, seconds, cpu_us_per_event: (used.user + used.system) / events, rss_peak_mib: Math.round(peak / 2 ** 20), state_hash: hash };
  console.log(JSON.stringify(result));
  await store.close();
  await pool.end();
}

function runChild(mode: 'raw' | 'replay', url: string, tenantId: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, url, tenantId], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`${mode} child exited ${code}`))));
  });
}

/** The raw read and the replay take turns, twice, so that both find the rows as warm (or cold) in PostgreSQL as each other. */
async function replayAgainstRaw(url: string, tenantId: string) {
  const raws: ChildResult[] = [];
  const runs: (ChildResult & { run: number })[] = [];
  for (let run = 1; run <= 2; run++) {
    raws.push(await runChild('raw', url, tenantId));
    runs.push({ run, ...(await runChild('replay', url, tenantId)) });
  }
  const raw = raws.reduce((best, r) => (r.per_second > best.per_second ? r : best));
  return { raw: { rows_per_second: raw.per_second }, runs, rss_peak_mib: Math.max(...runs.map((r) => r.rss_peak_mib)) };
}

/** The first command of the tenant after a restart: without a snapshot (a full replay), then with the one taken at shutdown. */
async function coldStarts(pool: Pool, tenantId: string): Promise<{ without_ms: number; with_ms: number }> {
  const store = new PostgresEventStore(pool);
  const snapshots = { store: new PostgresWriterSnapshots(pool), everyEvents: WRITER_SNAPSHOT_EVENTS_DEFAULT };
  const accounts = (await pool.query(`select data->>'account_id' as id from events where stream_id = $1 and type = 'account.created' order by stream_revision limit 2`, [`ledger-${tenantId}`])).rows.map((r) => r.id);
  const command: LedgerCommand = {
    type: 'post_transaction',
    entries: [{ account_id: accounts[0], direction: 'debit', amount: 1n }, { account_id: accounts[1], direction: 'credit', amount: 1n }],
    description: null,
    reference: null,
    metadata: {},
  };
  const envelope: CommandEnvelope = { tenant_id: tenantId, command, idempotency_key: null, request_hash: null, metadata: { actor: 'bench', role: 'service', request_id: 'r', intent_id: null, policy: [] } };
  const firstCommandMs = async (): Promise<number> => {
    const writers = new WriterRegistry(store, undefined, undefined, undefined, snapshots);
    const started = process.hrtime.bigint();
    const outcome = await writers.submit(envelope);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (outcome.kind !== 'accepted') throw new Error(`refused: ${JSON.stringify(outcome)}`);
    await writers.drain(); // a clean shutdown: snapshots the state
    return ms;
  };
  await pool.query(`delete from write_model_snapshots where tenant_id = $1`, [tenantId]);
  const without_ms = await firstCommandMs();
  const with_ms = await firstCommandMs();
  await store.close();
  return { without_ms, with_ms };
}

/** Replay speed and memory (a generated tenant of BENCH_EVENTS events, default 1M), against the raw read; a writer's cold start with and without its snapshot. */
async function main(): Promise<void> {
  const events = Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const db = await benchDatabase();
  try {
    const started = Date.now();
    const { tenantId, written } = await generateTenantLog(db.pool, events);
    const generateSeconds = (Date.now() - started) / 1000;
    console.error(`generated ${written} events in ${generateSeconds.toFixed(1)} s`);
    const replay = await replayAgainstRaw(db.url, tenantId);
    const rows = replay.runs.map((r) => ({
      run: r.run,
      events: r.events,
      seconds: r.seconds.toFixed(2),
      'events/s': r.per_second,
      'vs raw read': (r.per_second / replay.raw.rows_per_second).toFixed(2),
      'rss peak MiB': r.rss_peak_mib,
      'replay CPU µs/event': r.cpu_us_per_event.toFixed(1),
      state_hash: r.state_hash ?? '-',
    }));
    console.log(`\nreplay (read from PostgreSQL + evolve, own process), ${written} events, 1000 accounts\n${table(rows)}`);
    console.log(`raw read of the same rows (SELECT + JSON.parse, pages of 10,000, best of 2 taking turns with the replays, each in its own process): ${replay.raw.rows_per_second} rows/s; replay process RSS peak ${replay.rss_peak_mib} MiB`);
    const cold = await coldStarts(db.pool, tenantId);
    console.log(`first command after a restart: ${cold.without_ms.toFixed(0)} ms replaying the stream, ${cold.with_ms.toFixed(0)} ms from the snapshot taken at shutdown`);
    const best = Math.max(...replay.runs.map((r) => r.per_second));
    report('replay', {
      events: written,
      generate_seconds: generateSeconds,
      replay_events_per_second: best,
      raw_read_rows_per_second: replay.raw.rows_per_second,
      replay_vs_raw_read: best / replay.raw.rows_per_second,
      replay_rss_peak_mib: replay.rss_peak_mib,
      cold_start_without_snapshot_ms: cold.without_ms,
      cold_start_with_snapshot_ms: cold.with_ms,
    });
  } finally {
    await db.close();
  }
}

const run = process.argv[2] === '--child' ? child(process.argv[3], process.argv[4], process.argv[5]) : main();
run.catch((error) => {
  console.error(error);
  process.exit(1);
});
