/**
 * Chaos under load: 3 API processes (projector off) and 2 projector processes on one PostgreSQL,
 * clients posting, holding, capturing, releasing and reversing across several tenants with
 * idempotency keys (retrying with the same key on no answer, to any API), while a seeded fault
 * driver kill -9s and restarts an API or a projector, or pauses one (SIGSTOP, then SIGCONT).
 * After every cycle it checks the log; at the end also the projections (replay --compare,
 * projections verify --all) and every tenant's signed chain head (export, then verify).
 * Not covered yet: killing PostgreSQL's postmaster (nothing restarts an embedded PostgreSQL under
 * a running service) and clock skew.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { seededRandom } from '../simulation/write-path-simulation.js';

const API_PROCESSES = 3;
const PROJECTOR_PROCESSES = 2;
const TENANTS = 3;
const CUSTOMERS_PER_TENANT = 3;
const CLIENTS = 6;
const CYCLE_MS_DEFAULT = 4_000;
const PAUSE_MS_MAX = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** A client retries a request without an answer (network error, timeout, 5xx) this many times, same key. */
const CLIENT_RETRIES_MAX = 8;
const RETRY_BACKOFF_MS = 150;
const AMOUNT_MINOR_MAX = 5_000;
const START_TIMEOUT_MS = 60_000;
const CATCH_UP_TIMEOUT_MS = 120_000;
const ADMIN_TOKEN = 'chaos-admin-token-0123456789';
/** Seals the tenants' signing keys; every process and the CLI need the same one. */
const MASTER_KEY = 'chaos-master-key-0123456789';

type FaultKind = 'kill_api' | 'kill_projector' | 'pause_api' | 'pause_projector';
const FAULT_KINDS: FaultKind[] = ['kill_api', 'kill_projector', 'pause_api', 'pause_projector'];

export interface ChaosOptions {
  cycles: number;
  seed: number;
  cycleMs?: number;
  /** An existing, migrated database; else an embedded PostgreSQL is started for the run. */
  databaseUrl?: string;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  cycles: number;
  operations: number;
  acknowledged: number;
  refused: number;
  /** Requests that never got an answer after every retry (their outcome is checked like any other key). */
  unanswered: number;
  lost: number;
  duplicated: number;
  violations: string[];
  faults: Record<FaultKind, number>;
  /** 5xx answers clients saw (then retried), by status. */
  server_errors: Record<string, number>;
  /** Final answers by operation and status (`capture 200`, `hold 422`, ...). */
  answers: Record<string, number>;
}

const MAIN = { api: 'dist/apps/api/src/main.js', projector: 'dist/apps/projector/src/main.js' } as const;

/** One of our processes, restartable. */
class Service {
  child: ChildProcess | null = null;
  url = '';
  output = '';
  constructor(
    readonly kind: 'api' | 'projector',
    readonly databaseUrl: string,
  ) {}

  async start(): Promise<void> {
    this.output = '';
    const env = { ...process.env, DATABASE_URL: this.databaseUrl, PORT: '0', HOST: '127.0.0.1', LEDGER_ADMIN_TOKEN: ADMIN_TOKEN, LEDGER_MASTER_KEY: MASTER_KEY, LEDGER_PROJECTOR: 'off' };
    const child = spawn(process.execPath, [path.resolve(MAIN[this.kind])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (chunk: Buffer) => {
      // Keep the tail only: a long run must not grow without bound.
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    if (this.kind === 'projector') return;
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`api did not start:\n${this.output}`)), START_TIMEOUT_MS);
      const poll = setInterval(() => {
        const match = /listening on (http:\/\/[0-9.:]+)/.exec(this.output);
        if (match) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(match[1]);
        }
      }, 20);
      child.once('exit', (code) => {
        clearTimeout(timer);
        clearInterval(poll);
        reject(new Error(`api exited with ${code} during start:\n${this.output}`));
      });
    });
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  get up(): boolean {
    return this.url !== '' && this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
}

interface Tenant {
  id: string;
  key: string;
  treasury: string;
  customers: string[];
  holds: string[];
  transactions: string[];
}

interface Ack {
  tenant: string;
  key: string;
  /** The transaction or hold the 2xx named. */
  id: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const cycleMs = options.cycleMs ?? CYCLE_MS_DEFAULT;
  let embedded: { stop: () => Promise<void> } | null = null;
  let tempDir: string | null = null;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    const { startEmbeddedPostgres } = await import('#database/embedded-postgres.js');
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'zentra-chaos-'));
    const instance = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'pg') });
    embedded = instance;
    databaseUrl = instance.url('postgres');
  }
  const report: ChaosReport = {
    seed: options.seed,
    cycles: 0,
    operations: 0,
    acknowledged: 0,
    refused: 0,
    unanswered: 0,
    lost: 0,
    duplicated: 0,
    violations: [],
    faults: { kill_api: 0, kill_projector: 0, pause_api: 0, pause_projector: 0 },
    server_errors: {},
    answers: {},
  };
  const apis = Array.from({ length: API_PROCESSES }, () => new Service('api', databaseUrl!));
  const projectors = Array.from({ length: PROJECTOR_PROCESSES }, () => new Service('projector', databaseUrl!));
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const acks: Ack[] = [];
  const nonNegative = new Set<string>();
  try {
    // The first API migrates the database; the others start on a migrated one.
    await apis[0].start();
    await Promise.all([...apis.slice(1), ...projectors].map((s) => s.start()));
    const tenants = await setUp(apis[0], nonNegative);
    let keys = 0;

    /** One request with a key, retried on no answer to any API that is up. */
    const send = async (tenant: Tenant, method: string, pathname: string, body: object): Promise<{ status: number; body: any } | null> => {
      const key = `chaos-${options.seed}-${++keys}`;
      report.operations++;
      for (let attempt = 0; attempt <= CLIENT_RETRIES_MAX; attempt++) {
        const up = apis.filter((a) => a.up);
        const api = up[Math.floor(random() * up.length)] ?? apis[0];
        try {
          const response = await fetch(`${api.url}${pathname}`, {
            method,
            headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const json: any = await response.json().catch(() => null);
          if (response.status < 500) {
            const what = `${pathname.split('/').filter((part) => part && !/[0-9]/.test(part)).join(' ')} ${response.status}`;
            report.answers[what] = (report.answers[what] ?? 0) + 1;
          }
          if (response.status >= 500) {
            report.server_errors[response.status] = (report.server_errors[response.status] ?? 0) + 1;
          } else if (response.status >= 200 && response.status < 300) {
            report.acknowledged++;
            // A capture answers {hold, transaction}: its events carry the transaction's id (and the hold's).
            acks.push({ tenant: tenant.id, key, id: json.transaction?.id ?? json.id });
            return { status: response.status, body: json };
          } else {
            report.refused++;
            return { status: response.status, body: json };
          }
        } catch {
          // No answer (killed, paused, refused connection): retry with the same key.
        }
        await sleep(RETRY_BACKOFF_MS);
      }
      report.unanswered++;
      return null;
    };

    const operation = async (tenant: Tenant): Promise<void> => {
      const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
      const amount = String(1 + Math.floor(random() * AMOUNT_MINOR_MAX));
      const roll = random();
      if (roll < 0.45 || (roll >= 0.9 && tenant.transactions.length === 0)) {
        const from = random() < 0.4 ? tenant.treasury : pick(tenant.customers);
        const to = pick(tenant.customers);
        const answer = await send(tenant, 'POST', '/transactions', { entries: [{ account_id: from, direction: 'debit', amount }, { account_id: to, direction: 'credit', amount }] });
        if (answer?.status === 201) tenant.transactions.push(answer.body.id);
      } else if (roll < 0.65 || tenant.holds.length === 0) {
        const source = pick(tenant.customers);
        const destination = pick(tenant.customers.filter((c) => c !== source));
        const answer = await send(tenant, 'POST', '/holds', { account_id: source, destination_account_id: destination, amount });
        if (answer && answer.status < 300) tenant.holds.push(answer.body.id);
      } else if (roll < 0.8) {
        await send(tenant, 'POST', `/holds/${pick(tenant.holds)}/capture`, random() < 0.5 ? {} : { amount });
      } else if (roll < 0.9) {
        await send(tenant, 'POST', `/holds/${pick(tenant.holds)}/release`, {});
      } else {
        await send(tenant, 'POST', `/transactions/${pick(tenant.transactions)}/reverse`, {});
      }
    };

    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const deadline = Date.now() + cycleMs;
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < deadline) await operation(tenants[Math.floor(random() * tenants.length)]);
      });
      const fault = (async () => {
        await sleep(Math.floor(random() * cycleMs * 0.6));
        const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)];
        const group = kind.endsWith('api') ? apis : projectors;
        const victim = group[Math.floor(random() * group.length)];
        report.faults[kind]++;
        if (kind.startsWith('kill')) {
          await victim.kill();
          await victim.start();
        } else {
          victim.child!.kill('SIGSTOP');
          await sleep(1 + Math.floor(random() * PAUSE_MS_MAX));
          victim.child!.kill('SIGCONT');
        }
        log(`cycle ${cycle}: ${kind}`);
      })();
      await Promise.all([...clients, fault]);
      report.cycles = cycle;
      await checkLog(pool, tenants, acks, nonNegative, report);
      log(`cycle ${cycle}: ${report.operations} operations, ${report.acknowledged} acknowledged, ${report.violations.length} violations`);
    }
    await checkProjectionsAndChains(pool, databaseUrl!, tenants, report);
  } finally {
    for (const service of [...apis, ...projectors]) {
      if (service.child && service.child.signalCode === 'SIGSTOP') service.child.kill('SIGCONT');
      await service.kill();
    }
    await pool.end();
    await embedded?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
  return report;
}

async function setUp(api: Service, nonNegative: Set<string>): Promise<Tenant[]> {
  const call = async (method: string, pathname: string, token: string, body: object) => {
    const response = await fetch(`${api.url}${pathname}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json: any = await response.json();
    if (response.status >= 300) throw new Error(`${method} ${pathname}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const tenants: Tenant[] = [];
  for (let i = 0; i < TENANTS; i++) {
    const tenant = await call('POST', '/tenants', ADMIN_TOKEN, { name: `chaos-${i}` });
    const key = tenant.api_key.key;
    const treasury = (await call('POST', '/accounts', key, { customer: 'treasury', currency: 'USD', account_type: 'operating', allow_negative: true })).id;
    const customers: string[] = [];
    for (let c = 0; c < CUSTOMERS_PER_TENANT; c++) {
      const id = (await call('POST', '/accounts', key, { customer: `customer-${c}`, currency: 'USD', account_type: 'customer' })).id;
      customers.push(id);
      nonNegative.add(id);
    }
    tenants.push({ id: tenant.id, key, treasury, customers, holds: [], transactions: [] });
  }
  return tenants;
}

/** From the log alone: every 2xx once and where it said, no key recorded twice, zero sums, no overdraft. */
async function checkLog(pool: Pool, tenants: Tenant[], acks: Ack[], nonNegative: Set<string>, report: ChaosReport): Promise<void> {
  const violation = (message: string) => {
    if (report.violations.length < 20) report.violations.push(message);
  };
  const streams = tenants.map((t) => `ledger-${t.id}`);
  // A command's events are contiguous in its stream: a key over a wider span was recorded twice.
  const twice = await pool.query(
    `select stream_id, metadata->>'idempotency_key' as key from events
      where stream_id = any($1) and metadata->>'idempotency_key' is not null
      group by 1, 2 having max(stream_revision) - min(stream_revision) + 1 <> count(*)`,
    [streams],
  );
  report.duplicated = twice.rowCount ?? 0;
  for (const row of twice.rows) violation(`key ${row.key} recorded twice in ${row.stream_id}`);
  const found = await pool.query(
    `select distinct metadata->>'idempotency_key' as key, coalesce(data->>'transaction_id', data->>'hold_id') as id
       from events where stream_id = any($1) and metadata->>'idempotency_key' = any($2)`,
    [streams, acks.map((a) => a.key)],
  );
  const inLog = new Set(found.rows.map((r) => `${r.key} ${r.id}`));
  const keysInLog = new Set(found.rows.map((r) => r.key));
  report.lost = 0;
  for (const ack of acks) {
    if (!keysInLog.has(ack.key)) {
      report.lost++;
      violation(`acknowledged ${ack.key} (${ack.id}) is not in the log`);
    } else if (!inLog.has(`${ack.key} ${ack.id}`)) violation(`acknowledged ${ack.key} answered ${ack.id}, which the log does not hold under that key`);
  }
  const sums = await pool.query(
    `select stream_id, e->>'currency' as currency,
            sum(case when e->>'direction' = 'debit' then (e->>'amount')::numeric else -(e->>'amount')::numeric end)::text as net
       from events, jsonb_array_elements(data->'entries') e
      where stream_id = any($1) and type = 'ledger.entry.posted' group by 1, 2`,
    [streams],
  );
  for (const row of sums.rows) if (row.net !== '0') violation(`${row.stream_id} ${row.currency} sums to ${row.net}`);
  const below = await pool.query(
    `select stream_id, stream_revision, after->>'account_id' as account
       from (select stream_id, stream_revision, jsonb_build_object('account_id', e->>'account_id', 'b', e->'balance_after') as after
               from events, jsonb_array_elements(data->'entries') e where stream_id = any($1) and type = 'ledger.entry.posted'
             union all
             select stream_id, stream_revision, jsonb_build_object('account_id', data->>'account_id', 'b', data->'source_balance_after')
               from events where stream_id = any($1) and type in ('balance.hold.created', 'balance.released')
             union all
             select stream_id, stream_revision, jsonb_build_object('account_id', data->>'destination_account_id', 'b', data->'destination_balance_after')
               from events where stream_id = any($1) and type in ('balance.hold.created', 'balance.released')) x
      where after->>'account_id' = any($2) and ((after->'b'->>'available')::numeric < 0 or (after->'b'->>'posted')::numeric < 0)`,
    [streams, [...nonNegative]],
  );
  for (const row of below.rows) violation(`${row.account} below zero at ${row.stream_id}@${row.stream_revision}`);
}

/** The end: projectors catch up, then replay --compare and projections verify --all agree, and every chain head verifies. */
async function checkProjectionsAndChains(pool: Pool, databaseUrl: string, tenants: Tenant[], report: ChaosReport): Promise<void> {
  const violation = (message: string) => report.violations.push(message);
  const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
  for (;;) {
    const head = (await pool.query(`select coalesce(max(global_position), 0)::text as h from events`)).rows[0].h;
    const behind = (await pool.query(`select count(*)::int as n from projection_checkpoints where name not like '%@%' and position < $1`, [head])).rows[0].n;
    const any = (await pool.query(`select count(*)::int as n from projection_checkpoints where name not like '%@%'`)).rows[0].n;
    if (any > 0 && behind === 0) break;
    if (Date.now() > deadline) {
      violation(`projections did not catch up with ${head} within ${CATCH_UP_TIMEOUT_MS} ms`);
      return;
    }
    await sleep(250);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-chaos-chain-'));
  try {
    const verify = await cli(databaseUrl, ['projections', 'verify', '--all']);
    if (verify.code !== 0) violation(`projections verify --all: ${verify.stdout}${verify.stderr}`.slice(0, 2_000));
    for (const tenant of tenants) {
      const compare = await cli(databaseUrl, ['replay', '--tenant', tenant.id, '--compare']);
      if (compare.code !== 0) violation(`replay --compare ${tenant.id}: ${compare.stdout}${compare.stderr}`.slice(0, 2_000));
      const exported = await cli(databaseUrl, ['export', '--tenant', tenant.id]);
      const bundle = path.join(dir, `${tenant.id}.jsonl`);
      writeFileSync(bundle, exported.stdout);
      const keyFile = path.join(dir, `${tenant.id}.pem`);
      writeFileSync(keyFile, JSON.parse(exported.stdout.split('\n')[0]).public_key ?? '');
      const verified = await cli(databaseUrl, ['verify', bundle, '--public-key', keyFile]);
      if (exported.code !== 0 || verified.code !== 0) violation(`chain of ${tenant.id} does not verify: ${exported.stderr}${verified.stdout}${verified.stderr}`.slice(0, 2_000));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cli(databaseUrl: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve('dist/apps/cli/src/main.js'), ...args], { env: { ...process.env, DATABASE_URL: databaseUrl, LEDGER_MASTER_KEY: MASTER_KEY } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
