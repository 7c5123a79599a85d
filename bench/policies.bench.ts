import autocannon from 'autocannon';
import { ADMIN, call, cpuMs, Service, startService, stopService } from './service.js';
import { posting, report, table } from './support.js';

/**
 * What tenant policies cost a posting: the real service (its own process and embedded
 * PostgreSQL, projector off so only the acknowledge path is measured) with two tenants side by
 * side, one without policies and one with 10 in scope of every posting (5 amount_limit and 5
 * velocity_limit on the postings' currency, limits no posting reaches, so every one is judged
 * and none refused). The two are loaded in turns, alternating ROUNDS times, so drift of the
 * machine (other work, a warming JIT) falls on both alike. BENCH_SECONDS per turn (default 4).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = 2;
const ACCOUNTS = 1000;
const AMOUNT_LIMITS = 5;
const VELOCITY_LIMITS = 5;
/** An hour of one-second buckets: the most exact (and most work per debit) a window gets. */
const VELOCITY_WINDOW_SECONDS = 3600;






interface Tenant {
  label: string;
  key: string;
  accounts: string[];
}

async function openTenant(service: Service, label: string, policies: number): Promise<Tenant> {
  const tenant = await call(service.url, ADMIN, 'POST', '/tenants', { name: label });
  const key = tenant.api_key.key;
  const accounts: string[] = [];
  for (let i = 0; i < ACCOUNTS; i += 50) {
    const opened = await Promise.all(
      Array.from({ length: 50 }, (_, j) => call(service.url, key, 'POST', '/accounts', { customer: `c${i + j}`, currency: 'USD', account_type: 'customer', allow_negative: true })),
    );
    accounts.push(...opened.map((a) => a.id));
  }
  for (let i = 0; i < policies; i++) {
    const velocity = i >= AMOUNT_LIMITS;
    await call(service.url, key, 'POST', '/policies', {
      name: `${velocity ? 'velocity' : 'amount'} ${i}`,
      type: velocity ? 'velocity_limit' : 'amount_limit',
      params: velocity ? { currency: 'USD', max_amount: '1000000000000000', window_seconds: VELOCITY_WINDOW_SECONDS } : { currency: 'USD', max_amount: String(1_000_000 + i) },
    });
  }
  return { label, key, accounts };
}

interface Scenario {
  name: string;
  connections: number;
  path: string;
  items: number;
  body: (accounts: string[]) => string;
}

const SCENARIOS: Scenario[] = [
  { name: 'batch 1000', connections: 4, path: '/transactions/batch', items: 1000, body: (a) => JSON.stringify({ transactions: Array.from({ length: 1000 }, () => posting(a)) }) },
  { name: 'single', connections: 16, path: '/transactions', items: 1, body: (a) => JSON.stringify(posting(a)) },
];

/** One turn of one tenant: postings acknowledged and the service's CPU spent on them. */
async function turn(service: Service, tenant: Tenant, scenario: Scenario): Promise<{ postings: number; cpuMs: number; errors: number }> {
  const cpuBefore = cpuMs(service.child.pid!);
  const result = await autocannon({
    url: service.url,
    connections: scenario.connections,
    duration: SECONDS,
    headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json' },
    requests: [{ method: 'POST', path: scenario.path, setupRequest: (request: any) => ({ ...request, body: scenario.body(tenant.accounts) }) }],
  });
  return { postings: result['2xx'] * scenario.items, cpuMs: cpuMs(service.child.pid!) - cpuBefore, errors: result.non2xx + result.errors };
}

async function main(): Promise<void> {
  const service = await startService({ LEDGER_PROJECTOR: 'off' });
  const rows: Record<string, string | number>[] = [];
  try {
    const none = await openTenant(service, 'no policies', 0);
    const ten = await openTenant(service, `${AMOUNT_LIMITS + VELOCITY_LIMITS} policies`, AMOUNT_LIMITS + VELOCITY_LIMITS);
    // BENCH_ONLY=<text>: only the scenarios whose name contains it (for profiling one path).
    for (const scenario of SCENARIOS.filter((s) => !process.env.BENCH_ONLY || s.name.includes(process.env.BENCH_ONLY))) {
      const totals = new Map<Tenant, { postings: number; cpuMs: number; errors: number }>([[none, { postings: 0, cpuMs: 0, errors: 0 }], [ten, { postings: 0, cpuMs: 0, errors: 0 }]]);
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so neither always follows the other's garbage.
        for (const tenant of round % 2 === 0 ? [none, ten] : [ten, none]) {
          const result = await turn(service, tenant, scenario);
          const total = totals.get(tenant)!;
          total.postings += result.postings;
          total.cpuMs += result.cpuMs;
          total.errors += result.errors;
          console.error(`  ${scenario.name} x${scenario.connections}, ${tenant.label}: ${Math.round(result.postings / SECONDS)} postings/s`);
        }
      }
      const figures = [none, ten].map((tenant) => {
        const total = totals.get(tenant)!;
        return { rate: total.postings / (SECONDS * ROUNDS), cpuUs: (total.cpuMs * 1000) / Math.max(total.postings, 1), errors: total.errors };
      });
      for (const [i, tenant] of [none, ten].entries()) {
        rows.push({
          scenario: `${scenario.name} x${scenario.connections}`,
          tenant: tenant.label,
          'postings/s': Math.round(figures[i].rate),
          'cpu µs/posting': Math.round(figures[i].cpuUs),
          errors: figures[i].errors,
          'postings/s vs none': (figures[i].rate / figures[0].rate).toFixed(3),
          'cpu vs none': (figures[i].cpuUs / figures[0].cpuUs).toFixed(3),
        });
      }
    }
  } finally {
    await stopService(service);
  }
  console.log(`\npolicies, ${SECONDS} s per turn x ${ROUNDS} turns per tenant, ${ACCOUNTS} accounts per tenant, projector off`);
  console.log(table(rows));
  const figures: Record<string, number | string> = {};
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (column !== 'scenario' && column !== 'tenant') figures[`${row.scenario}, ${row.tenant}: ${column}`] = Number(value);
    }
  }
  report('policies', figures);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
