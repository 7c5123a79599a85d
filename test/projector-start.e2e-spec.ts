import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedPostgresInstance, startEmbeddedPostgres } from '#database/embedded-postgres.js';
import { waitFor } from './support/wait.js';

/** Bounds on what the projector process says; generous, a loaded machine starts processes slowly. */
const SAYS_WITHIN_MS = 60_000;
/** The projector's log line once its projections run. */
const RUNNING = /"msg":"running [a-z_]+, /;

/**
 * A projector process started while its PostgreSQL is down (restarting: the chaos run's
 * kill_postgres caught one starting) waits for it instead of exiting, then runs.
 */
describe('the projector process started while PostgreSQL is down', () => {
  let dir: string;
  let postgres: EmbeddedPostgresInstance | null = null;
  let projector: ChildProcess | null = null;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'zl-projector-start-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user when we are root
  });
  afterAll(async () => {
    if (projector && projector.exitCode === null) projector.kill('SIGKILL');
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for PostgreSQL, then runs', async () => {
    const dataDir = path.join(dir, 'pg');
    const first = await startEmbeddedPostgres({ dataDir });
    const url = first.url('postgres');
    await first.stop();

    let output = '';
    projector = spawn(process.execPath, [path.resolve('dist/apps/projector/src/main.js')], { env: { ...process.env, DATABASE_URL: url, LEDGER_MASTER_KEY: 'projector-start-master-key-0123456789' }, stdio: ['ignore', 'pipe', 'pipe'] });
    projector.stdout!.on('data', (chunk) => (output += chunk));
    projector.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor('the projector to say it waits', () => output.includes('waiting for PostgreSQL') || projector!.exitCode !== null, SAYS_WITHIN_MS);
    expect({ exitCode: projector.exitCode, output }).toEqual({ exitCode: null, output: expect.stringContaining('waiting for PostgreSQL') });

    postgres = await startEmbeddedPostgres({ dataDir, port: first.port });
    await waitFor('the projector to run', () => RUNNING.test(output) || projector!.exitCode !== null, SAYS_WITHIN_MS);
    expect({ exitCode: projector.exitCode, output }).toEqual({ exitCode: null, output: expect.stringMatching(RUNNING) });
  }, 150_000);
});
