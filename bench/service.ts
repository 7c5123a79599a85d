import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The service as the benchmarks run it: a real `npm start` process on a fresh embedded PostgreSQL.

export const ADMIN = 'bench-admin-token';
const here = path.dirname(fileURLToPath(import.meta.url));

/** Keep in step with package.json's start script. */
const API_NODE_FLAGS = '--max-semi-space-size=64';

export interface Service {
  child: ChildProcess;
  url: string;
  databaseUrl: string;
  dir: string;
}

/** Starts the API (with `extraEnv`) and waits until it listens. */
export async function startService(extraEnv: Record<string, string> = {}): Promise<Service> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-bench-'));
  chmodSync(dir, 0o755);
  // BENCH_CPU_PROF=<dir> writes a CPU profile of the API process there (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // The service's own V8 flags, as `npm start` passes them (BENCH_NODE_FLAGS overrides, e.g. '' for none).
  const flags = (process.env.BENCH_NODE_FLAGS ?? API_NODE_FLAGS).split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...profile, path.join(here, '..', 'apps', 'api', 'src', 'main.js')], {
    env: { ...process.env, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', LEDGER_DATA_DIR: path.join(dir, 'data'), LEDGER_ADMIN_TOKEN: ADMIN, LEDGER_LOG: 'silent', LEDGER_RECONCILE_INTERVAL_MINUTES: '0', LEDGER_DB_POOL_SIZE: '30', LEDGER_RATE_LIMIT_PER_SECOND: '0', ...extraEnv },
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
  // A service given DATABASE_URL shares another's database; one on its own started an embedded one.
  const databaseUrl = extraEnv.DATABASE_URL || JSON.parse(readFileSync(path.join(dir, 'data', 'instance.json'), 'utf8')).url;
  return { child, url, databaseUrl, dir };
}

/** The master key a service on its own embedded database generated: others sharing its database need it. */
export function masterKeyOf(service: Service): string {
  return readFileSync(path.join(service.dir, 'data', 'master.key'), 'utf8').trim();
}

/** A projector process on a service's database (`npm run start:projector`'s main). */
export function startProjector(databaseUrl: string, masterKey: string): ChildProcess {
  return spawn(process.execPath, [path.join(here, '..', 'apps', 'projector', 'src', 'main.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LEDGER_MASTER_KEY: masterKey, LEDGER_LOG: 'silent' },
    stdio: 'ignore',
  });
}

export async function stopService(service: Service): Promise<void> {
  service.child.kill('SIGTERM');
  await new Promise((r) => service.child.once('exit', r));
  rmSync(service.dir, { recursive: true, force: true });
}

/** An API call with the bench's key; a non-2xx answer throws (a bench must not measure refusals). */
export async function call(url: string, token: string, method: string, pathname: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${pathname}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const answer = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${pathname}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

export /** CPU time (user + system) the process has used so far, in ms (from /proc, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
