import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { ADMIN, call, cpuMs, startService, stopService } from './service.js';
import { posting, table } from './support.js';

/**
 * What logs and traces cost: single postings against the real service with LEDGER_LOG=silent,
 * with one JSON line per request (info), and with traces exported over OTLP as well (to a local
 * receiver that drops them). BENCH_SECONDS per scenario (default 6).
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const CONNECTIONS = 16;
const ACCOUNTS = 100;

async function measure(name: string, env: Record<string, string>) {
  const service = await startService(env);
  try {
    const tenant = await call(service.url, ADMIN, 'POST', '/tenants', { name: 'bench' });
    const key = tenant.api_key.key;
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) accounts.push((await call(service.url, key, 'POST', '/accounts', { customer: `c${i}`, currency: 'USD', account_type: 'customer', allow_negative: true })).id);
    const cpuBefore = cpuMs(service.child.pid!);
    const result = await autocannon({
      url: service.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      requests: [{ method: 'POST', path: '/transactions', setupRequest: (request: any) => ({ ...request, body: JSON.stringify(posting(accounts)) }) }],
    });
    const postings = result['2xx'];
    return {
      scenario: name,
      'postings/s': Math.round(postings / SECONDS),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      'API CPU µs/posting': postings > 0 ? Math.round(((cpuMs(service.child.pid!) - cpuBefore) * 1000) / postings) : '-',
      errors: result.non2xx + result.errors,
    };
  } finally {
    await stopService(service);
  }
}

async function main(): Promise<void> {
  let exported = 0;
  const collector = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (exported += chunk.length));
    request.on('end', () => response.writeHead(200).end());
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  try {
    const rows = [
      await measure('LEDGER_LOG=silent', { LEDGER_LOG: 'silent' }),
      await measure('LEDGER_LOG=info (JSON)', { LEDGER_LOG: 'info', LEDGER_LOG_FORMAT: 'json' }),
      await measure('info + OTLP traces', { LEDGER_LOG: 'info', LEDGER_LOG_FORMAT: 'json', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }),
    ];
    console.log(table(rows));
    console.log(`OTLP bytes received: ${exported}`);
  } finally {
    collector.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
