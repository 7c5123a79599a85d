import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { table } from './support.js';

/**
 * Throughput against the physical limit: the real service (its own process, its own embedded
 * PostgreSQL) under autocannon, next to raw INSERTs into the same events table.
 * BENCH_SECONDS per scenario (default 8).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ACCOUNTS = 1000;
const ADMIN = 'bench-admin-token';
const here = path.dirname(fileURLToPath(import.meta.url));

interface Service {
  child: ChildProcess;
  url: string;
  databaseUrl: string;
  dir: string;
}

async function startService(): Promise<Service> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-throughput-'));
  chmodSync(dir, 0o755);
  // BENCH_CPU_PROF=<dir> writes a CPU profile of the API process there (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, path.join(here, '..', 'apps', 'api', 'src', 'main.js')], {
    env: { ...process.env, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', LEDGER_DATA_DIR: path.join(dir, 'data'), LEDGER_ADMIN_TOKEN: ADMIN, LEDGER_LOG: 'silent', LEDGER_RECONCILE_INTERVAL_MINUTES: '0', LEDGER_DB_POOL_SIZE: '30' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on (http:\/\/[0-9.:]+)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => reject(new Error(`service exited:\n${output}`)));
  });
  const instance = JSON.parse(readFileSync(path.join(dir, 'data', 'instance.json'), 'utf8'));
  return { child, url, databaseUrl: instance.url, dir };
}

async function call(url: string, token: string, method: string, pathname: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

let seed = 42;
const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;

function posting(accounts: string[], hot: string | null) {
  const from = hot ?? accounts[random(accounts.length)];
  let to = accounts[random(accounts.length)];
  if (to === from) to = accounts[(accounts.indexOf(to) + 1) % accounts.length];
  const amount = String(1 + random(1000));
  return { entries: [{ account_id: from, direction: 'debit', amount }, { account_id: to, direction: 'credit', amount }] };
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
    let single = 0;
    started = Date.now();
    await Promise.all(
      Array.from({ length: 16 }, async (_, client) => {
        let revision = 0;
        while (Date.now() - started < SECONDS * 1000) {
          await pool.query(
            `insert into events (stream_id, stream_revision, event_id, type, data, metadata) values ($1, $2, gen_random_uuid(), 'ledger.entry.posted', $3::jsonb, $4::jsonb)`,
            [`single-${client}`, revision++, sample.data, sample.metadata],
          );
          single++;
        }
      }),
    );
    return { multiRow: Math.round(multiRow), singleCommits: Math.round(single / ((Date.now() - started) / 1000)) };
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const service = await startService();
  try {
    const tenant = await call(service.url, ADMIN, 'POST', '/tenants', { name: 'bench' });
    const key = tenant.api_key.key;
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i += 50) {
      const opened = await Promise.all(
        Array.from({ length: 50 }, (_, j) => call(service.url, key, 'POST', '/accounts', { customer: `c${i + j}`, currency: 'USD', account_type: 'customer', allow_negative: true })),
      );
      accounts.push(...opened.map((a) => a.id));
    }
    const hot = accounts[0];
    const single = (hotAccount: string | null) => () => JSON.stringify(posting(accounts, hotAccount));
    const batch = (size: number, hotAccount: string | null) => () =>
      JSON.stringify({ transactions: Array.from({ length: size }, () => posting(accounts, hotAccount)) });
    const scenarios: Scenario[] = [
      { name: 'single', connections: 1, path: '/transactions', items: 1, body: single(null) },
      { name: 'single', connections: 16, path: '/transactions', items: 1, body: single(null) },
      { name: 'single', connections: 64, path: '/transactions', items: 1, body: single(null) },
      { name: 'batch 1000', connections: 4, path: '/transactions/batch', items: 1000, body: batch(1000, null) },
      { name: 'batch 8190', connections: 2, path: '/transactions/batch', items: 8190, body: batch(8190, null) },
      { name: 'single, hot account', connections: 64, path: '/transactions', items: 1, body: single(hot) },
      { name: 'batch 1000, hot account', connections: 4, path: '/transactions/batch', items: 1000, body: batch(1000, hot) },
    ];
    const rows: Record<string, string | number>[] = [];
    // BENCH_ONLY=<text>: only the scenarios whose name contains it (for profiling one path).
    const only = process.env.BENCH_ONLY;
    for (const scenario of scenarios.filter((s) => !only || s.name.includes(only))) {
      await caughtUp(service);
      const started = Date.now();
      const row = await load(service, key, scenario);
      const catchUp = await caughtUp(service);
      const acknowledged = (Date.now() - started) / 1000 - catchUp;
      rows.push({ ...row, 'end-to-end postings/s': Math.round(row.postings / (acknowledged + catchUp)), 'catch-up s': catchUp.toFixed(1) });
      console.error(`  ${scenario.name} x${scenario.connections}: ${row['postings/s']} postings/s`);
    }
    const samplePool = new Pool({ connectionString: service.databaseUrl, max: 1 });
    const sample = (await samplePool.query(`select data::text as data, metadata::text as metadata from events where type = 'ledger.entry.posted' limit 1`)).rows[0];
    await samplePool.end();
    const raw = await rawInserts(service.databaseUrl, sample);
    for (const row of rows) {
      row['ours/raw multi-row'] = (Number(row['postings/s']) / raw.multiRow).toFixed(3);
      delete row.postings;
    }
    console.log(`\nthroughput, ${SECONDS} s per scenario, ${ACCOUNTS} accounts, event of ~${sample.data.length + sample.metadata.length} bytes`);
    console.log(table(rows));
    console.log(`\nphysical reference on the same PostgreSQL: multi-row INSERT ${raw.multiRow} rows/s; single-row commits at 16 clients ${raw.singleCommits} rows/s`);
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((r) => service.child.once('exit', r));
    rmSync(service.dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
