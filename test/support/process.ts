import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogSink } from './log-sink.js';

const MAIN = path.resolve('dist/apps/api/src/main.js');
const START_TIMEOUT_MS = 60_000;

/** The real service as a separate process (`node dist/apps/api/src/main.js`), on its own embedded PostgreSQL. */
export class ServiceProcess {
  child: ChildProcess | null = null;
  url = '';
  output = '';

  constructor(
    readonly dataDir: string,
    readonly adminToken = 'process-test-admin-token',
    /** Settings over the defaults, e.g. DATABASE_URL and LEDGER_MASTER_KEY for processes sharing one database. */
    readonly env: Record<string, string> = {},
  ) {}

  static tempDataDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zentra-process-'));
    chmodSync(dir, 0o755); // the embedded PostgreSQL runs as the postgres user when we are root
    return path.join(dir, 'data');
  }

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', LEDGER_DATA_DIR: this.dataDir, LEDGER_ADMIN_TOKEN: this.adminToken, LEDGER_DOCS_UI: 'on', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service did not start:\n${this.output}`)), START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const match = /listening on (http:\/\/[0-9.:]+)/.exec(this.output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`service exited with ${code} during start:\n${this.output}`));
      });
    });
  }

  /** After a test: the process and its embedded PostgreSQL killed if still alive, its data directory removed. */
  async discard(): Promise<void> {
    if (this.child && this.child.exitCode === null) await this.kill('SIGKILL');
    const pg = this.postgresPid();
    if (pg && processAlive(pg)) process.kill(pg, 'SIGKILL');
    rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
  }

  /** PID of the embedded PostgreSQL's postmaster, from its pid file. */
  postgresPid(): number | null {
    const file = path.join(this.dataDir, 'pg', 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
  }

  /** Stops the process; fails if its output (its log) held the admin token, the master key, an API key or a webhook secret. */
  async kill(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child!;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    const masterKeyFile = path.join(this.dataDir, 'master.key');
    const sink = new LogSink([this.adminToken, existsSync(masterKeyFile) ? readFileSync(masterKeyFile, 'utf8').trim() : '']);
    sink.write(this.output);
    sink.assertNoSecrets();
    return code;
  }

  async request(method: string, pathname: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text.startsWith('{') ? JSON.parse(text) : text };
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntilDead(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (processAlive(pid)) throw new Error(`process ${pid} still alive`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of our compiled programs (e.g. dist/apps/cli/src/main.js) with extra environment. */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve(script), ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The real operator CLI against a database, as an auditor would run it. */
export function cli(databaseUrl: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runScript('dist/apps/cli/src/main.js', args, { DATABASE_URL: databaseUrl, ...env });
}

/** The real CLI with LEDGER_DATA_DIR (no DATABASE_URL), as an operator would run it. */
export function cliOn(dataDir: string, args: string[]): Promise<CliResult> {
  return runScript('dist/apps/cli/src/main.js', args, { DATABASE_URL: '', LEDGER_DATA_DIR: dataDir });
}
