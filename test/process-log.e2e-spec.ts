import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from './support/database.js';
import { waitFor } from './support/wait.js';

const MAIN = path.resolve('dist/apps/api/src/main.js');
const MASTER_KEY = 'process-log-master-key-0123456789';

/**
 * The service as operators run it, its standard output a pipe (a log file, a shipper): every
 * line is JSON, the generated admin token is not among them, and with OTEL_EXPORTER_OTLP_ENDPOINT
 * the HTTP and pg instrumentations (which patch modules as the process loads them, so cannot be
 * seen in jest's own module loader) export spans with the request's id over OTLP.
 */
describe('the service process: a JSON log and OTLP traces', () => {
  let db: TestDatabase;
  let collector: Server;
  let exported = Buffer.alloc(0);
  let child: ChildProcess;
  let output = '';
  let url = '';
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'zentra-log-')), 'data');

  beforeAll(async () => {
    db = await createTestDatabase();
    collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces') exported = Buffer.concat([exported, ...chunks]);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        LEDGER_MASTER_KEY: MASTER_KEY,
        LEDGER_ADMIN_TOKEN: '',
        LEDGER_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LEDGER_LOG: 'info',
        LEDGER_LOG_FORMAT: '',
        LEDGER_RECONCILE_INTERVAL_MINUTES: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    url = await waitFor(`the service listens (said: ${output})`, async () => /listening on (http:\/\/[0-9.:]+)/.exec(output)?.[1] ?? null, 60_000);
  });
  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await new Promise((resolve) => collector.close(resolve));
    await db.drop();
  });

  it('writes JSON lines only, keeps the generated admin token out of them, and logs each request with the id it answered', async () => {
    const tokenFile = path.join(dataDir, 'admin-token');
    expect(statSync(tokenFile).mode & 0o077).toBe(0);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const created = await fetch(`${url}/tenants`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': 'proc-req-1' }, body: '{"name":"acme"}' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('proc-req-1');
    const key = ((await created.json()) as any).api_key.key as string;
    const line = await waitFor('the request line', async () => output.split('\n').find((l) => l.includes('"request_id":"proc-req-1"')) ?? null);
    expect(JSON.parse(line)).toMatchObject({ level: 30, process: 'api', route: '/tenants', status: 201, principal: 'platform_admin', msg: 'request' });

    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    const lines = output.split('\n').filter((l) => l.length > 0);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).msg)).toContain('stopped cleanly');
    expect(output).not.toContain(token);
    expect(output).not.toContain(key);
    expect(output).not.toContain(MASTER_KEY);
  });

  it('exported the request\'s spans over OTLP: the HTTP server span, the pg queries, the request id', async () => {
    // OTLP protobuf keeps strings as UTF-8: names and attribute values can be found in the bytes.
    // The SDK exports in batches: wait (bounded) until the request's spans have arrived.
    const text = await waitFor('the request\'s spans at the collector', async () => {
      const bytes = exported.toString('latin1');
      return bytes.includes('proc-req-1') && bytes;
    }, 30_000);
    expect(text).toContain('zentra-ledger-api');
    expect(text).toContain('proc-req-1');
    expect(text).toContain('pg.query');
    expect(text).toMatch(/POST( \/tenants)?/);
    expect(text).toContain('http.request.method');
  });
});
