import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { ADMIN, call, cpuMs, Service, startService, stopService } from './service.js';
import { postgresCpuMs, posting, report, table } from './support.js';

/**
 * Throughput against the physical limit: the real service (its own process, its own embedded
 * PostgreSQL) under autocannon, next to raw INSERTs into the same events table.
 * BENCH_SECONDS per scenario (default 8).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ACCOUNTS = 1000;



function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}


/**
 * CPU the service process spent per posting, in µs: less sensitive than postings/s to other
 * work on the machine (it still grows somewhat under contention).
 */
function cpuPerPosting(cpuMsSpent: number, postings: number): number | string {
  return postings > 0 ? Math.round((cpuMsSpent * 1000) / postings) : '-';
}

interface Scenario {
  name: string;
  connections: number;
  path: string;
  items: number;
  body: () => string;
}

async function load(service: Service, key: string, scenario: Scenario) {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(service.child.pid!))), 250);
  const result = await autocannon({
    url: service.url,
    connections: scenario.connections,
    duration: SECONDS,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    requests: [{ method: 'POST', path: scenario.path, setupRequest: (request: any) => ({ ...request, body: scenario.body() }) }],
  });
  clearInterval(sampler);
  const ok = result['2xx'];
  const postings = ok * scenario.items;
  return {
    scenario: scenario.name,
    clients: scenario.connections,
    'postings/s': Math.round(postings / SECONDS),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    errors: result.non2xx + result.errors,
    'rss MiB': peakRss,
    postings,
  };
}

async function caughtUp(service: Service): Promise<number> {
  const started = Date.now();
  for (;;) {
    const health = (await (await fetch(`${service.url}/health`)).json()) as any;
    const lag = Object.values(health.projection_lag as Record<string, { lag_events: string }>).reduce((max, p) => Math.max(max, Number(p.lag_events)), 0);
    if (lag === 0) return (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The physical reference: the same events straight into the events table. */
async function rawInserts(databaseUrl: string, sample: { data: string; metadata: string }) {
  const pool = new Pool({ connectionString: databaseUrl, max: 16 });
  try {
    const rowsPerStatement = 1000;
    let rows = 0;
    let started = Date.now();
    while (Date.now() - started < SECONDS * 1000) {
      const stream = `raw-${rows}`;
      await pool.query(
        `insert into events (stream_id, stream_revision, event_id, type, data, metadata)
         select $1, g, gen_random_uuid(), 'ledger.entry.posted', $2::jsonb, $3::jsonb from generate_series(0, $4 - 1) g`,
        [stream, sample.data, sample.metadata, rowsPerStatement],
      );
      rows += rowsPerStatement;
    }
    const multiRow = rows / ((Date.now() - started) / 1000);
    /** Single-row commits per second from `clients` clients, each on its own stream. */
    const singleCommits = async (clients: number): Promise<number> => {
      let single = 0;
      const began = Date.now();
      await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          let revision = 0;
          while (Date.now() - began < SECONDS * 1000) {
            await pool.query(
              `insert into events (stream_id, stream_revision, event_id, type, data, metadata) values ($1, $2, gen_random_uuid(), 'ledger.entry.posted', $3::jsonb, $4::jsonb)`,
              [`single-${clients}-${client}`, revision++, sample.data, sample.metadata],
            );
            single++;
          }
        }),
      );
      return Math.round(single / ((Date.now() - began) / 1000));
    };
    return { multiRow: Math.round(multiRow), singleCommits: await singleCommits(16), singleCommitsOneClient: await singleCommits(1) };
  } finally {
    await pool.end();
  }
}


/** A tenant with ACCOUNTS accounts that may go negative; returns its key and account ids. */
async function openAccounts(service: Service): Promise<{ key: string; accounts: string[] }> {
  const tenant = await call(service.url, ADMIN, 'POST', '/tenants', { name: 'bench' });
  const key = tenant.api_key.key;
  const accounts: string[] = [];
  for (let i = 0; i < ACCOUNTS; i += 50) {
    const opened = await Promise.all(
      Array.from({ length: 50 }, (_, j) => call(service.url, key, 'POST', '/accounts', { customer: `c${i + j}`, currency: 'USD', account_type: 'customer', allow_negative: true })),
    );
    accounts.push(...opened.map((a) => a.id));
  }
  return { key, accounts };
}

function scenariosFor(accounts: string[]): Scenario[] {
  const hot = accounts[0];
  const single = (hotAccount: string | null) => () => JSON.stringify(posting(accounts, hotAccount));
  const batch = (size: number, hotAccount: string | null) => () =>
    JSON.stringify({ transactions: Array.from({ length: size }, () => posting(accounts, hotAccount)) });
  return [
    { name: 'single', connections: 1, path: '/transactions', items: 1, body: single(null) },
    { name: 'single', connections: 16, path: '/transactions', items: 1, body: single(null) },
    { name: 'single', connections: 64, path: '/transactions', items: 1, body: single(null) },
    { name: 'batch 1000', connections: 4, path: '/transactions/batch', items: 1000, body: batch(1000, null) },
    { name: 'batch 8190', connections: 2, path: '/transactions/batch', items: 8190, body: batch(8190, null) },
    { name: 'single, hot account', connections: 64, path: '/transactions', items: 1, body: single(hot) },
    { name: 'batch 1000, hot account', connections: 4, path: '/transactions/batch', items: 1000, body: batch(1000, hot) },
  ];
}

/**
 * The API alone: a second service with LEDGER_PROJECTOR=off, so the acknowledge path is
 * measured without the projector competing for the same cores. Nothing projects its events,
 * so there is no end-to-end rate for these rows.
 */
const PROJECTOR_OFF = ' (projector off)';
function projectorOffScenarios(accounts: string[]): Scenario[] {
  return scenariosFor(accounts)
    .filter((s) => (s.name === 'single' && s.connections === 64) || s.name === 'batch 1000')
    .map((s) => ({ ...s, name: `${s.name}${PROJECTOR_OFF}` }));
}

/**
 * One scenario's row: the load, CPU per posting of the service and its PostgreSQL and, with a
 * projector, the end-to-end rate (the CPU then covers the load and the catch-up: acknowledging
 * and projecting).
 */
/**
 * Single postings at low concurrency with the projector applying each append at once
 * (LEDGER_PROJECTOR_LINGER_MS=0), beside the default rows: what letting appends gather buys.
 */
const LINGER_OFF = ' (no linger)';
function lingerOffScenarios(accounts: string[]): Scenario[] {
  return scenariosFor(accounts)
    .filter((s) => s.name === 'single' && s.connections <= 16)
    .map((s) => ({ ...s, name: `${s.name}${LINGER_OFF}` }));
}

async function measure(service: Service, key: string, scenario: Scenario, projecting: boolean): Promise<Record<string, string | number>> {
  if (projecting) await caughtUp(service);
  const started = Date.now();
  const cpuBefore = cpuMs(service.child.pid!);
  const pgBefore = postgresCpuMs(service.child.pid!);
  const row = await load(service, key, scenario);
  const catchUp = projecting ? await caughtUp(service) : null;
  const cpu = cpuPerPosting(cpuMs(service.child.pid!) - cpuBefore, row.postings);
  const pgCpu = cpuPerPosting(postgresCpuMs(service.child.pid!) - pgBefore, row.postings);
  const endToEnd = catchUp === null ? '-' : Math.round(row.postings / ((Date.now() - started) / 1000));
  console.error(`  ${scenario.name} x${scenario.connections}: ${row['postings/s']} postings/s`);
  return { ...row, 'end-to-end postings/s': endToEnd, 'catch-up s': catchUp === null ? '-' : catchUp.toFixed(1), 'cpu µs/posting': cpu, 'pg cpu µs/posting': pgCpu };
}

async function main(): Promise<void> {
  // BENCH_ONLY=<text>: only the scenarios whose name contains it (for profiling one path).
  const only = process.env.BENCH_ONLY;
  const chosen = (scenarios: Scenario[]) => scenarios.filter((s) => !only || s.name.includes(only));
  const rows: Record<string, string | number>[] = [];
  let sample: { data: string; metadata: string } | null = null;
  let raw: { multiRow: number; singleCommits: number; singleCommitsOneClient: number } | null = null;

  // The scenario list depends only on names here, so it can be filtered before any service starts.
  if (chosen(scenariosFor([])).length > 0) {
    const service = await startService();
    try {
      const { key, accounts } = await openAccounts(service);
      for (const scenario of chosen(scenariosFor(accounts))) rows.push(await measure(service, key, scenario, true));
      const samplePool = new Pool({ connectionString: service.databaseUrl, max: 1 });
      sample = (await samplePool.query(`select data::text as data, metadata::text as metadata from events where type = 'ledger.entry.posted' limit 1`)).rows[0];
      await samplePool.end();
      if (sample) raw = await rawInserts(service.databaseUrl, sample);
    } finally {
      await stopService(service);
    }
  }

  /** The scenarios `of` names (those chosen), measured on a service of their own started with `env`. */
  const onServiceOfTheirOwn = async (of: (accounts: string[]) => Scenario[], env: Record<string, string>, projecting: boolean) => {
    if (chosen(of([])).length === 0) return;
    const service = await startService(env);
    try {
      const { key, accounts } = await openAccounts(service);
      for (const scenario of chosen(of(accounts))) rows.push(await measure(service, key, scenario, projecting));
    } finally {
      await stopService(service);
    }
  };
  await onServiceOfTheirOwn(lingerOffScenarios, { LEDGER_PROJECTOR_LINGER_MS: '0' }, true);
  await onServiceOfTheirOwn(projectorOffScenarios, { LEDGER_PROJECTOR: 'off' }, false);

  for (const row of rows) {
    row['ours/raw multi-row'] = raw ? (Number(row['postings/s']) / raw.multiRow).toFixed(3) : '-';
    delete row.postings;
  }
  const eventBytes = sample ? `~${sample.data.length + sample.metadata.length}` : 'unknown';
  console.log(`\nthroughput, ${SECONDS} s per scenario, ${ACCOUNTS} accounts, event of ${eventBytes} bytes`);
  console.log(table(rows));
  if (raw) console.log(`\nphysical reference on the same PostgreSQL: multi-row INSERT ${raw.multiRow} rows/s; single-row commits at 16 clients ${raw.singleCommits} rows/s, at 1 client ${raw.singleCommitsOneClient} rows/s`);
  const figures: Record<string, number | string | null> = {
    event_bytes: sample ? sample.data.length + sample.metadata.length : null,
    raw_multi_row_insert_rows_per_second: raw?.multiRow ?? null,
    raw_single_row_commits_16_clients_per_second: raw?.singleCommits ?? null,
    raw_single_row_commits_1_client_per_second: raw?.singleCommitsOneClient ?? null,
  };
  // Every row's figures under `<scenario> x<clients>: <column>`, as printed.
  for (const row of rows) {
    const prefix = `${row.scenario} x${row.clients}`;
    for (const [column, value] of Object.entries(row)) {
      if (column === 'scenario' || column === 'clients') continue;
      const number = Number(value);
      figures[`${prefix}: ${column}`] = value === '-' ? null : Number.isFinite(number) ? number : String(value);
    }
  }
  // Issue 22's low-concurrency targets, as ratios to the raw single-row commits of this run.
  for (const [label, clients, reference] of [['1 client', 1, raw?.singleCommitsOneClient], ['16 clients', 16, raw?.singleCommits]] as const) {
    for (const row of rows.filter((r) => String(r.scenario).startsWith('single') && !String(r.scenario).includes('hot') && !String(r.scenario).includes(PROJECTOR_OFF) && r.clients === clients)) {
      if (!reference) continue;
      const ratio = Number((Number(row['postings/s']) / reference).toFixed(3));
      figures[`${row.scenario} x${clients}: ours/raw single-row commits`] = ratio;
      console.log(`${row.scenario}, ${label}: ${row['postings/s']} postings/s = ${ratio} of raw single-row commits at ${label}`);
    }
  }
  report('throughput', figures);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
