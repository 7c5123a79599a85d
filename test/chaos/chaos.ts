/**
 * Chaos under load: 3 API processes (projector off) and 2 projector processes on one PostgreSQL,
 * clients posting, holding, capturing, releasing and reversing across several tenants with
 * idempotency keys (retrying with the same key on no answer, to any API), while a seeded fault
 * driver kill -9s and restarts an API or a projector, pauses one (SIGSTOP, then SIGCONT), kill -9s
 * PostgreSQL's postmaster (when the run owns its embedded PostgreSQL, whose supervisor restarts
 * it), or skews one API process's wall clock (skewed-clock.ts, preloaded). After every cycle it
 * checks the log; at the end also the projections (replay --compare, projections verify --all)
 * and every tenant's signed chain head (export, then verify).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Pool } from 'pg';
import type { EmbeddedPostgresInstance } from '#database/embedded-postgres.js';
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
/** The API processes' LEDGER_CLOCK_SKEW_MAX_MS (the default, said out loud: the log check's bound depends on it). */
const CLOCK_SKEW_MAX_MS = 2_000;
/** skew_clock sets one API's clock this far ahead or behind: far past the allowance, so any event stamped by it shows. */
const CLOCK_OFFSET_MS = 30_000;
/** How long a skew lasts (clients meanwhile get 503 from that API and retry elsewhere). */
const SKEW_MS_MAX = 2_000;
/** A process's /health must show a skew set (or removed) within this. */
const SKEW_NOTICED_MS_MAX = 10_000;
/** After kill_postgres, PostgreSQL must answer again within this (supervisor restart and WAL recovery). */
const POSTGRES_BACK_MS_MAX = 60_000;
/**
 * An event's occurred_at (the deciding process's clock) against its created_at (PostgreSQL's
 * clock at insert): ahead by at most the skew allowance, behind by at most that plus the longest
 * pause (a process stopped between deciding and committing), each plus this for the commit itself.
 */
const COMMIT_SLACK_MS = 1_000;
/** How much of a crashed process's output a violation quotes. */
const CRASH_OUTPUT_CHARS = 1_500;
const OCCURRED_AHEAD_MS_MAX = CLOCK_SKEW_MAX_MS + COMMIT_SLACK_MS;
const OCCURRED_BEHIND_MS_MAX = CLOCK_SKEW_MAX_MS + PAUSE_MS_MAX + COMMIT_SLACK_MS;
const ADMIN_TOKEN = 'chaos-admin-token-0123456789';
/** Seals the tenants' signing keys; every process and the CLI need the same one. */
const MASTER_KEY = 'chaos-master-key-0123456789';

export type FaultKind = 'kill_api' | 'kill_projector' | 'pause_api' | 'pause_projector' | 'kill_postgres' | 'skew_clock';
const FAULT_KINDS: FaultKind[] = ['kill_api', 'kill_projector', 'pause_api', 'pause_projector', 'kill_postgres', 'skew_clock'];

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
  /** Times the embedded supervisor restarted PostgreSQL (one per kill_postgres); 0 on a database the run does not own. */
  postgres_restarts: number;
  /** 5xx answers clients saw (then retried), by status. */
  server_errors: Record<string, number>;
  /** Final answers by operation and status (`capture 200`, `hold 422`, ...). */
  answers: Record<string, number>;
}

const MAIN = { api: 'dist/apps/api/src/main.js', projector: 'dist/apps/projector/src/main.js' } as const;
const SKEWED_CLOCK = 'dist/test/chaos/skewed-clock.js';

/** One of our processes, restartable. */
class Service {
  child: ChildProcess | null = null;
  url = '';
  output = '';
  /** Exits the driver did not cause (a crash), each with the tail of the process's output; the checks report them. */
  crashes: string[] = [];
  private killing = false;
  constructor(
    readonly kind: 'api' | 'projector',
    readonly databaseUrl: string,
    /** An API's clock offset (ms), read by the preloaded skewed-clock.ts at start and on SIGWINCH. */
    readonly clockFile: string,
  ) {
    writeFileSync(clockFile, '0');
  }

  async start(): Promise<void> {
    this.output = '';
    const env = {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGER_ADMIN_TOKEN: ADMIN_TOKEN,
      LEDGER_MASTER_KEY: MASTER_KEY,
      LEDGER_PROJECTOR: 'off',
      LEDGER_CLOCK_SKEW_MAX_MS: String(CLOCK_SKEW_MAX_MS),
      CHAOS_CLOCK_OFFSET_FILE: this.clockFile,
    };
    const preload = this.kind === 'api' ? ['--import', pathToFileURL(path.resolve(SKEWED_CLOCK)).href] : [];
    const child = spawn(process.execPath, [...preload, path.resolve(MAIN[this.kind])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (chunk: Buffer) => {
      // Keep the tail only: a long run must not grow without bound.
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      if (!this.killing) this.crashes.push(`${this.kind} (pid ${child.pid}) exited on its own (code ${code}, signal ${signal}): ${this.output.slice(-CRASH_OUTPUT_CHARS)}`);
    });
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
    this.killing = true;
    child.kill('SIGKILL');
    await exited;
    this.killing = false;
  }

  /** Sets this API's clock offset and waits until its /health shows the clock refused (offset) or agreeing again (0). */
  async skewClock(offsetMs: number): Promise<boolean> {
    writeFileSync(this.clockFile, String(offsetMs));
    this.child!.kill('SIGWINCH');
    const deadline = Date.now() + SKEW_NOTICED_MS_MAX;
    while (Date.now() < deadline) {
      const health: any = await fetch(`${this.url}/health`).then((r) => r.json(), () => null);
      if (health?.clock && health.clock.ok === (offsetMs === 0)) return true;
      await sleep(50);
    }
    return false;
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

export interface Ack {
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
  let embedded: EmbeddedPostgresInstance | null = null;
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'zentra-chaos-'));
  // Reachable by the postgres user (PostgreSQL's user when we are root): else the cluster would be
  // relocated to /var/lib/zentra-ledger and outlive the run. It holds nothing secret.
  chmodSync(tempDir, 0o755);
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    // Started with its supervisor (every embedded PostgreSQL has one): kill_postgres relies on it to come back.
    const { startEmbeddedPostgres } = await import('#database/embedded-postgres.js');
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tempDir, 'pg'), log: (line) => log(`postgres: ${line}`) });
    databaseUrl = embedded.url('postgres');
  }
  // kill_postgres only on a PostgreSQL of the run's own: a shared one (the jest run's) serves others too.
  const faultKinds = FAULT_KINDS.filter((kind) => kind !== 'kill_postgres' || embedded !== null);
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
    faults: { kill_api: 0, kill_projector: 0, pause_api: 0, pause_projector: 0, kill_postgres: 0, skew_clock: 0 },
    postgres_restarts: 0,
    server_errors: {},
    answers: {},
  };
  const apis = Array.from({ length: API_PROCESSES }, (_, i) => new Service('api', databaseUrl!, path.join(tempDir, `api-${i}.clock`)));
  const projectors = Array.from({ length: PROJECTOR_PROCESSES }, (_, i) => new Service('projector', databaseUrl!, path.join(tempDir, `projector-${i}.clock`)));
  const pool = new Pool({ connectionString: databaseUrl, max: DRIVER_POOL_MAX });
  // A connection broken by kill_postgres must not crash the driver; the pool replaces it.
  pool.on('error', () => undefined);
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
            // 503 says "not now, retry" (database away, clock skewed); any other 5xx is a bug.
            if (response.status !== 503) recordViolation(report, `${method} ${pathname} answered ${response.status}: ${JSON.stringify(json)}`.slice(0, 500));
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

    /**
     * skew_clock: one API's clock set `offsetMs` away; while it is, a command sent to it must be
     * refused with 503 unavailable, and once it agrees again, decided (2xx).
     */
    const skewClock = async (api: Service, offsetMs: number, holdMs: number): Promise<void> => {
      const tenant = tenants[Math.floor(random() * tenants.length)];
      if (!(await api.skewClock(offsetMs))) recordViolation(report, `an API skewed by ${offsetMs} ms did not report it in /health within ${SKEW_NOTICED_MS_MAX} ms`);
      const refused = await probe(api, tenant);
      if (refused?.status !== 503 || refused.body?.error?.code !== 'unavailable') recordViolation(report, `an API skewed by ${offsetMs} ms answered ${refused?.status} ${JSON.stringify(refused?.body)}, not 503 unavailable`.slice(0, 500));
      await sleep(holdMs);
      if (!(await api.skewClock(0))) recordViolation(report, `an API whose skew was removed did not report its clock agreeing within ${SKEW_NOTICED_MS_MAX} ms`);
      const decided = await probe(api, tenant);
      if (!decided || decided.status >= 300) recordViolation(report, `an API whose skew was removed answered ${decided?.status} ${JSON.stringify(decided?.body)}, not 2xx`.slice(0, 500));
    };

    /** One posting (treasury to a customer: always allowed) to one API, once; a 2xx is an acknowledgement like any other. */
    const probe = async (api: Service, tenant: Tenant): Promise<{ status: number; body: any } | null> => {
      const key = `chaos-${options.seed}-${++keys}`;
      report.operations++;
      const amount = String(1 + Math.floor(random() * AMOUNT_MINOR_MAX));
      const body = { entries: [{ account_id: tenant.treasury, direction: 'debit', amount }, { account_id: tenant.customers[0], direction: 'credit', amount }] };
      try {
        const response = await fetch(`${api.url}/transactions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const json: any = await response.json().catch(() => null);
        if (response.status >= 200 && response.status < 300) {
          report.acknowledged++;
          acks.push({ tenant: tenant.id, key, id: json.id });
        }
        return { status: response.status, body: json };
      } catch {
        report.unanswered++;
        return null;
      }
    };

    const deck = new FaultDeck(faultKinds, random);
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      const deadline = Date.now() + cycleMs;
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < deadline) await operation(tenants[Math.floor(random() * tenants.length)]);
      });
      const fault = (async () => {
        await sleep(Math.floor(random() * cycleMs * 0.6));
        const kind = deck.draw();
        const group = kind.endsWith('api') || kind === 'skew_clock' ? apis : projectors;
        const victim = group[Math.floor(random() * group.length)];
        report.faults[kind]++;
        log(`cycle ${cycle}: ${kind}`);
        if (kind === 'kill_postgres') {
          process.kill(embedded!.postmasterPid()!, 'SIGKILL');
          if (!(await answersAgain(pool))) recordViolation(report, `PostgreSQL did not answer within ${POSTGRES_BACK_MS_MAX} ms of kill_postgres`);
        } else if (kind === 'skew_clock') {
          await skewClock(victim, (random() < 0.5 ? -1 : 1) * CLOCK_OFFSET_MS, 1 + Math.floor(random() * SKEW_MS_MAX));
        } else if (kind.startsWith('kill')) {
          await victim.kill();
          await victim.start();
        } else {
          victim.child!.kill('SIGSTOP');
          await sleep(1 + Math.floor(random() * PAUSE_MS_MAX));
          victim.child!.kill('SIGCONT');
        }
      })();
      await Promise.all([...clients, fault]);
      report.cycles = cycle;
      await checkLog(pool, tenants, acks, nonNegative, report);
      // A process that died on its own is a bug whatever the log says; it is started again for the next cycle.
      for (const service of [...apis, ...projectors]) {
        for (const crash of service.crashes.splice(0)) recordViolation(report, crash);
        if (service.child && (service.child.exitCode !== null || service.child.signalCode !== null)) await service.start();
      }
      report.postgres_restarts = embedded?.restarts() ?? 0;
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
    rmSync(tempDir, { recursive: true, force: true });
  }
  return report;
}

/**
 * The fault kinds in a seeded order, each once per round (then reshuffled): a run of as many
 * cycles as there are kinds meets every kind, which a short run could not promise by draws.
 */
class FaultDeck {
  private left: FaultKind[] = [];
  constructor(
    private readonly kinds: readonly FaultKind[],
    private readonly random: () => number,
  ) {}

  draw(): FaultKind {
    if (this.left.length === 0) {
      this.left = [...this.kinds];
      for (let i = this.left.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [this.left[i], this.left[j]] = [this.left[j], this.left[i]];
      }
    }
    return this.left.pop()!;
  }
}

/** The driver's own connections (the checks'). */
const DRIVER_POOL_MAX = 2;

/**
 * Polls PostgreSQL until it answers (after kill_postgres), for at most POSTGRES_BACK_MS_MAX: on
 * every connection of the driver's pool at once, so that each one broken by the kill has failed
 * (and been dropped by the pool) before the checks use the pool again.
 */
async function answersAgain(pool: Pool): Promise<boolean> {
  const deadline = Date.now() + POSTGRES_BACK_MS_MAX;
  while (Date.now() < deadline) {
    const answered = await Promise.all(Array.from({ length: DRIVER_POOL_MAX }, () => pool.query('select 1').then(() => true, () => false)));
    if (answered.every(Boolean)) return true;
    await sleep(100);
  }
  return false;
}

/** Violations are kept to the first VIOLATIONS_MAX: one broken invariant tends to repeat on every check. */
const VIOLATIONS_MAX = 20;

function recordViolation(report: Pick<ChaosReport, 'violations'>, message: string): void {
  if (report.violations.length < VIOLATIONS_MAX) report.violations.push(message);
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

/** What checkLog finds: counts of lost and duplicated commands, and every violation (the first VIOLATIONS_MAX). */
export type LogFindings = Pick<ChaosReport, 'lost' | 'duplicated' | 'violations'>;

/**
 * From the log alone: every 2xx once and where it said, no key recorded twice, zero sums, no
 * overdraft, and every event's occurred_at near its created_at (no event stamped by a skewed clock).
 */
export async function checkLog(pool: Pool, tenants: readonly Pick<Tenant, 'id'>[], acks: readonly Ack[], nonNegative: ReadonlySet<string>, report: LogFindings): Promise<void> {
  const violation = (message: string) => recordViolation(report, message);
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
    // An entry's currency is its own, else the posting's (lean events say a shared one once: stored-posting.ts).
    `select stream_id, coalesce(e->>'currency', data->>'currency') as currency,
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
  const stamped = await pool.query(
    `select stream_id, stream_revision, metadata->>'occurred_at' as occurred_at, created_at::text,
            (extract(epoch from (metadata->>'occurred_at')::timestamptz - created_at) * 1000)::float8 as ahead_ms
       from events
      where stream_id = any($1) and metadata ? 'occurred_at'
        and ((metadata->>'occurred_at')::timestamptz > created_at + make_interval(secs => $2::float8 / 1000)
          or (metadata->>'occurred_at')::timestamptz < created_at - make_interval(secs => $3::float8 / 1000))
      order by global_position limit $4`,
    [streams, OCCURRED_AHEAD_MS_MAX, OCCURRED_BEHIND_MS_MAX, VIOLATIONS_MAX],
  );
  for (const row of stamped.rows) violation(`${row.stream_id}@${row.stream_revision} occurred_at ${row.occurred_at} is ${Math.round(row.ahead_ms)} ms from its created_at ${row.created_at}`);
}

/** The end: projectors catch up, then replay --compare and projections verify --all agree, and every chain head verifies. */
async function checkProjectionsAndChains(pool: Pool, databaseUrl: string, tenants: Tenant[], report: ChaosReport): Promise<void> {
  const violation = (message: string) => recordViolation(report, message);
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
