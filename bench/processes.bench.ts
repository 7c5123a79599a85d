import { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { ADMIN, call, cpuMs, masterKeyOf, Service, startProjector, startService, stopService } from './service.js';
import { posting, report, table } from './support.js';

/**
 * Several API processes serving one tenant (issue #23, part 4): single postings from CLIENTS
 * clients spread evenly over 1, 2 and 3 API processes (projector off in each; one projector
 * process beside them) on one PostgreSQL, in alternating rounds so that the machine's drift
 * falls on every row alike; then 2 processes with LEDGER_WRITER_LOCK=off (optimistic only: the
 * thrash the lock removes). BENCH_SECONDS per row (default 8), BENCH_ROUNDS rounds (default 2).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const ACCOUNTS = 1000;
const PROCESSES_MAX = 3;

interface Row {
  postings: number;
  statuses: Record<string, number>;
  p99: number;
  cpuMsApi: number;
  /** The whole machine's busy CPU time meanwhile (every process: load generator, APIs, projector, PostgreSQL). */
  cpuMsHost: number;
  /** The machine's CPU time meanwhile, busy or not (all cores). */
  cpuMsHostTotal: number;
}

/** The machine's CPU time so far from /proc/stat, in ms: busy and in all (idle and iowait count as not busy). */
function hostCpuMs(): { busy: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  // USER_HZ is 100 on Linux: a tick is 10 ms.
  return { busy: (total - ticks[3] - ticks[4]) * 10, total: total * 10 };
}

/** `clients` clients over `services`, as evenly as they divide. */
async function load(services: Service[], key: string, accounts: string[], clients = CLIENTS): Promise<Row> {
  const cpuBefore = services.reduce((sum, s) => sum + cpuMs(s.child.pid!), 0);
  const hostBefore = hostCpuMs();
  const results = await Promise.all(
    services.map((service, i) =>
      autocannon({
        url: service.url,
        connections: Math.floor(clients / services.length) + (i < clients % services.length ? 1 : 0),
        duration: SECONDS,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        requests: [{ method: 'POST', path: '/transactions', setupRequest: (request: any) => ({ ...request, body: JSON.stringify(posting(accounts)) }) }],
      }),
    ),
  );
  const statuses: Record<string, number> = {};
  for (const result of results) {
    for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = (statuses[status] ?? 0) + (stats as { count: number }).count;
    if (result.errors > 0) statuses.no_answer = (statuses.no_answer ?? 0) + result.errors;
  }
  return {
    postings: results.reduce((sum, r) => sum + r['2xx'], 0),
    statuses,
    p99: Math.max(...results.map((r) => r.latency.p99)),
    cpuMsApi: services.reduce((sum, s) => sum + cpuMs(s.child.pid!), 0) - cpuBefore,
    cpuMsHost: hostCpuMs().busy - hostBefore.busy,
    cpuMsHostTotal: hostCpuMs().total - hostBefore.total,
  };
}

async function main(): Promise<void> {
  const first = await startService({ LEDGER_PROJECTOR: 'off' });
  const masterKey = masterKeyOf(first);
  const sharing = (env: Record<string, string> = {}) => startService({ LEDGER_PROJECTOR: 'off', DATABASE_URL: first.databaseUrl, LEDGER_MASTER_KEY: masterKey, ...env });
  const apis: Service[] = [first];
  let projector: ChildProcess | null = null;
  const rows: Record<string, string | number>[] = [];
  const figures: Record<string, number | string | null> = {};
  try {
    for (let i = 1; i < PROCESSES_MAX; i++) apis.push(await sharing());
    projector = startProjector(first.databaseUrl, masterKey);
    const tenant = await call(first.url, ADMIN, 'POST', '/tenants', { name: 'bench-processes' });
    const key = tenant.api_key.key;
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i += 50) {
      const opened = await Promise.all(Array.from({ length: 50 }, (_, j) => call(first.url, key, 'POST', '/accounts', { customer: `c${i + j}`, currency: 'USD', account_type: 'customer', allow_negative: true })));
      accounts.push(...opened.map((a) => a.id));
    }
    const totals = new Map<string, { postings: number; seconds: number; statuses: Record<string, number>; p99: number; cpuMs: number; hostMs: number; hostTotalMs: number }>();
    const add = (name: string, row: Row) => {
      const total = totals.get(name) ?? { postings: 0, seconds: 0, statuses: {}, p99: 0, cpuMs: 0, hostMs: 0, hostTotalMs: 0 };
      total.postings += row.postings;
      total.seconds += SECONDS;
      total.p99 = Math.max(total.p99, row.p99);
      total.cpuMs += row.cpuMsApi;
      total.hostMs += row.cpuMsHost;
      total.hostTotalMs += row.cpuMsHostTotal;
      for (const [status, count] of Object.entries(row.statuses)) total.statuses[status] = (total.statuses[status] ?? 0) + count;
      totals.set(name, total);
    };
    for (let round = 1; round <= ROUNDS; round++) {
      for (let n = 1; n <= PROCESSES_MAX; n++) {
        const row = await load(apis.slice(0, n), key, accounts);
        console.error(`  round ${round}, ${n} process(es): ${Math.round(row.postings / SECONDS)} postings/s ${JSON.stringify(row.statuses)}`);
        add(`${n} API process${n > 1 ? 'es' : ''}`, row);
      }
      // What turns cannot beat: while one process has its turn the others' clients wait, so each
      // turn serves about CLIENTS / 2 of them; one process with that many clients is the ceiling.
      const half = await load([first], key, accounts, Math.ceil(CLIENTS / 2));
      add(`1 API process, ${Math.ceil(CLIENTS / 2)} clients`, half);
    }
    // The same load on two processes that only decide optimistically: what the lock removes.
    const unlocked = [await sharing({ LEDGER_WRITER_LOCK: 'off' }), await sharing({ LEDGER_WRITER_LOCK: 'off' })];
    try {
      const row = await load(unlocked, key, accounts);
      console.error(`  2 processes, LEDGER_WRITER_LOCK=off: ${Math.round(row.postings / SECONDS)} postings/s ${JSON.stringify(row.statuses)}`);
      add('2 API processes, LEDGER_WRITER_LOCK=off', row);
    } finally {
      for (const service of unlocked) await stopService(service);
    }
    const one = totals.get('1 API process')!;
    const oneRate = one.postings / one.seconds;
    for (const [name, total] of totals) {
      const rate = total.postings / total.seconds;
      const serverErrors = Object.entries(total.statuses).filter(([status]) => status.startsWith('5')).reduce((sum, [, count]) => sum + count, 0);
      rows.push({
        scenario: name,
        clients: name.includes(' clients') ? Math.ceil(CLIENTS / 2) : CLIENTS,
        'postings/s': Math.round(rate),
        'vs 1 process': (rate / oneRate).toFixed(2),
        'p99 ms': total.p99,
        '5xx': serverErrors,
        'API cpu µs/posting': total.postings > 0 ? Math.round((total.cpuMs * 1000) / total.postings) : '-',
        // Is the machine the limit? Near 100% busy, more processes can only add per-posting cost.
        'host busy %': Math.round((100 * total.hostMs) / total.hostTotalMs),
        'host cpu µs/posting': total.postings > 0 ? Math.round((total.hostMs * 1000) / total.postings) : '-',
        answers: JSON.stringify(total.statuses),
      });
      figures[`${name}: postings/s`] = Math.round(rate);
      figures[`${name}: vs 1 process`] = Number((rate / oneRate).toFixed(3));
      figures[`${name}: 5xx`] = serverErrors;
      figures[`${name}: host busy %`] = Math.round((100 * total.hostMs) / total.hostTotalMs);
      figures[`${name}: host cpu µs/posting`] = total.postings > 0 ? Math.round((total.hostMs * 1000) / total.postings) : null;
    }
  } finally {
    projector?.kill('SIGTERM');
    for (const service of apis.slice(1)) await stopService(service);
    await stopService(first);
  }
  console.log(`\nseveral API processes, one tenant: ${CLIENTS} clients of single postings spread over the processes, ${ROUNDS} rounds of ${SECONDS} s per row (rows alternate), one projector process`);
  console.log(table(rows));
  report('processes', figures);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
